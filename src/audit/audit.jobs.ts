import { z } from 'zod';
import type { JobDefinition } from '../shared/job-definition.ts';
import { businessDay } from '../shared/time.ts';
import { anchorAuditHead, verifyAuditChain } from './audit.service.ts';

/** Daily proof that nobody edited or deleted audit entries; a broken chain fails the run loudly. */
export const auditVerifyJob: JobDefinition<Record<string, never>> = {
  name: 'audit-verify',
  description: '校验审计日志哈希链的完整性（每天 03:30）',
  schedule: '0 30 3 * * *',
  params: z.object({}).strict(),
  paramsForTick: () => ({}),
  async run(_params, { logger, config }) {
    const result = await verifyAuditChain();
    if (!result.ok) {
      logger.error({ firstBrokenAt: result.firstBrokenAt, reason: result.reason }, 'audit chain broken');
      // The run's error is what the admin reads on the jobs page.
      throw new Error(`审计日志哈希链从第 ${result.firstBrokenAt} 条起校验不通过（${result.reason}）`);
    }
    // A verified head becomes the day's anchor: later verifications check the chain still has it.
    const now = new Date();
    const anchor = await anchorAuditHead(businessDay(now, config.businessTimeZone), now);
    return { checked: result.checked, anchoredSeq: anchor?.seq ?? 0 };
  },
};

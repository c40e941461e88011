import { z } from 'zod';
import type { JobDefinition } from '../shared/job-definition.ts';
import { JobRunModel } from './job.model.ts';

const RETENTION_DAYS = 180;

// There are no TTL indexes on FerretDB (DATABASE.md), so old run records are purged by a job.
export const jobRunsPurgeJob: JobDefinition<{ retentionDays: number }> = {
  name: 'job-runs-purge',
  description: `清理 ${RETENTION_DAYS} 天前已结束的任务运行记录（每天 04:10）`,
  schedule: '0 10 4 * * *',
  params: z.object({ retentionDays: z.number().int().min(30).max(3650).default(RETENTION_DAYS) }).strict(),
  paramsForTick: () => ({ retentionDays: RETENTION_DAYS }),
  async run({ retentionDays }) {
    const cutoff = new Date(Date.now() - retentionDays * 86_400_000);
    const result = await JobRunModel.deleteMany({ startedAt: { $lt: cutoff }, status: { $ne: 'running' } });
    return { deleted: result.deletedCount };
  },
};

import { z } from 'zod';
import type { JobDefinition } from '../shared/job-definition.ts';
import { LOCKOUT_WINDOW_MS } from './auth.service.ts';
import { LoginFailureModel, RefreshTokenModel } from './session.model.ts';

// No TTL indexes on FerretDB (DATABASE.md): expired sessions and old login failures are purged here.
export const sessionsPurgeJob: JobDefinition<Record<string, never>> = {
  name: 'sessions-purge',
  description: '清理过期的登录会话和锁定期外的登录失败记录（每天 04:20）',
  schedule: '0 20 4 * * *',
  params: z.object({}).strict(),
  paramsForTick: () => ({}),
  async run() {
    const now = Date.now();
    const tokens = await RefreshTokenModel.deleteMany({ expiresAt: { $lt: new Date(now) } });
    const failures = await LoginFailureModel.deleteMany({ at: { $lt: new Date(now - LOCKOUT_WINDOW_MS) } });
    return { refreshTokensDeleted: tokens.deletedCount, loginFailuresDeleted: failures.deletedCount };
  },
};

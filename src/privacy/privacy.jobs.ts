import { z } from 'zod';
import type { JobDefinition } from '../shared/job-definition.ts';
import { rekeyAllPii } from './rekey.service.ts';

type RekeyParams = { batchSize: number };

/**
 * Re-encrypts stored PII to the newest key of PII_KEYS (rekey.service.ts): run by hand after a
 * new key is put in front (POST /jobs/pii-rekey/run), and nightly at 04:50 to finish a pass a stop
 * interrupted (a complete pass over values already on the newest key only reads them).
 */
export const piiRekeyJob: JobDefinition<RekeyParams> = {
  name: 'pii-rekey',
  description: '个人信息密钥轮换：把老人、护理员和待发通知中加密保存的身份证号、电话改用最新密钥重新加密，分批进行，中断后接着做（每天 04:50，也可手动运行）',
  schedule: '0 50 4 * * *',
  params: z.object({ batchSize: z.number().int().min(1).max(1000).default(200) }).strict(),
  paramsForTick: () => ({ batchSize: 200 }),
  leaseMs: 10 * 60_000,
  async run(params, { config, signal }) {
    return { ...(await rekeyAllPii(config, { batchSize: params.batchSize, signal })) };
  },
};

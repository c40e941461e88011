import { z } from 'zod';
import { onSmsAnswer } from '../notifications/index.ts';
import type { JobDefinition } from '../shared/job-definition.ts';
import { applyVisitAnswer, askSeniorsAboutVisits } from './visit-questions.ts';

/** Every 30 minutes, so a visit is asked within hours of check-out (the SMS itself waits out quiet hours). */
export const visitQuestionsJob: JobDefinition<Record<string, never>> = {
  name: 'visit-questions',
  description: '短信询问老人是否接受了服务：抽取各服务商一定比例（默认 10%）的已完成服务及全部异常服务，签退后数小时内发出（每 30 分钟；夜间 21:00–08:00 不发送）',
  schedule: '0 */30 * * * *',
  params: z.object({}).strict(),
  paramsForTick: () => ({}),
  leaseMs: 10 * 60_000,
  async run(_params, { config, signal }) {
    return { ...(await askSeniorsAboutVisits(config, new Date(), signal)) };
  },
};

/** A senior's "1" or "2" to a question about a visit confirms or disputes it (registered once, capabilities.ts). */
export function registerVisitQuestionHooks(): void {
  onSmsAnswer('service_order', applyVisitAnswer);
}

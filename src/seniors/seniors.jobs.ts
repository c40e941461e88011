import { z } from 'zod';
import type { JobDefinition } from '../shared/job-definition.ts';
import { resumeSeniorConsequences } from './lifecycle.service.ts';
import { eraseExpiredSeniorPii } from './pii-retention.ts';
import { remindReassessments } from './reassessment-reminders.ts';

/**
 * Every five minutes: a senior's status change whose consequences (orders, holds, care plans,
 * vouchers) were cut by a crash or a failed hook is carried through again (lifecycle.service.ts).
 */
export const seniorConsequencesJob: JobDefinition<Record<string, never>> = {
  name: 'senior-consequences',
  description: '补做老人状态变更（暂停、恢复、注销）未完成的后续处理：取消工单、解除冻结、暂停或停止照护计划、服务券失效（每 5 分钟）',
  schedule: '0 */5 * * * *',
  params: z.object({}).strict(),
  paramsForTick: () => ({}),
  leaseMs: 10 * 60_000,
  async run(_params, { config }) {
    return { ...(await resumeSeniorConsequences(config)) };
  },
};

/** Daily 08:30: community staff are told of seniors whose needs assessment runs out within 30 days. */
export const reassessmentRemindersJob: JobDefinition<Record<string, never>> = {
  name: 'reassessment-reminders',
  description: '提醒社区工作者：老人的照护等级评估 30 天内到期（或已到期），需要重新评估（每天 08:30）',
  schedule: '0 30 8 * * *',
  params: z.object({}).strict(),
  paramsForTick: () => ({}),
  leaseMs: 10 * 60_000,
  async run(_params, { config, signal }) {
    return { ...(await remindReassessments(config, new Date(), signal)) };
  },
};

/**
 * Daily 04:30: the personal data of seniors deactivated more than PII_RETENTION_YEARS ago is erased
 * (pii-retention.ts). Idempotent: an erased senior is not touched again.
 */
export const piiRetentionJob: JobDefinition<Record<string, never>> = {
  name: 'pii-retention',
  description: '删除注销已满保存年限（配置项设定）的老人个人信息：身份证号、电话、住址、紧急联系人，姓名改为脱敏，并删除通知发件箱中发给老人及其紧急联系人的电话（每天 04:30）',
  schedule: '0 30 4 * * *',
  params: z.object({}).strict(),
  paramsForTick: () => ({}),
  leaseMs: 10 * 60_000,
  async run(_params, { config, signal }) {
    return { ...(await eraseExpiredSeniorPii(config, new Date(), signal)) };
  },
};

import { DomainError } from '../shared/errors.ts';
import type { SeniorStatus } from './senior.model.ts';
import { bilingual } from '../shared/i18n.ts';

/** PRODUCT.md §5 lifecycle as a table: action → the states it may start from and where it ends. */
export const SENIOR_TRANSITIONS = {
  approve: { from: ['pending_review'], to: 'active' },
  reject: { from: ['pending_review'], to: 'rejected' },
  suspend: { from: ['active'], to: 'suspended' },
  resume: { from: ['suspended'], to: 'active' },
  deactivate: { from: ['active', 'suspended'], to: 'deactivated' },
} as const satisfies Record<string, { from: readonly SeniorStatus[]; to: SeniorStatus }>;

export type SeniorAction = keyof typeof SENIOR_TRANSITIONS;

/** How states and actions are named in messages people read. */
export const SENIOR_STATUS_ZH: Record<SeniorStatus, string> = { pending_review: '待审核', active: '在册', rejected: '未通过审核', suspended: '暂停服务', deactivated: '已注销' };
const SENIOR_ACTION_ZH: Record<SeniorAction, string> = { approve: '审核通过', reject: '驳回', suspend: '暂停服务', resume: '恢复服务', deactivate: '注销' };

/** The state `action` leads to from `from`, or 409 INVALID_TRANSITION. */
export function assertSeniorTransition(from: SeniorStatus, action: SeniorAction): SeniorStatus {
  const transition = SENIOR_TRANSITIONS[action];
  if (!(transition.from as readonly SeniorStatus[]).includes(from)) {
    throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual(`${SENIOR_STATUS_ZH[from]}的老人不能${SENIOR_ACTION_ZH[action]}`, `${action} is not allowed from ${from}`) }], undefined, { from, action });
  }
  return transition.to;
}

/** Statuses in which the record may still be edited. */
export const EDITABLE_STATUSES: readonly SeniorStatus[] = ['pending_review', 'active', 'suspended'];

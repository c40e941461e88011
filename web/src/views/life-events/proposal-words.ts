import { session } from '../../api/session.ts';
import type { LifeEventProposal } from '../../api/types.ts';
import { chineseDate, yuan } from '../../format.ts';
import { LIFE_EVENT_LABELS, SENIOR_STATUS_LABELS, labelOf } from '../../labels.ts';

// What the queue and the senior's page say about a proposal: what confirming it will do, what it
// did (the outcome the API answers), and who imported or decided it.

/** What confirming will do, said before the person confirms (issue 19, src/life-events/proposal-confirm.service.ts). */
export function confirmConsequence(proposal: Pick<LifeEventProposal, 'event' | 'date'>): string {
  const day = chineseDate(proposal.date);
  switch (proposal.event) {
    case 'death':
      return `确认后老人将从${day}起注销（去世），未开始的工单取消、冻结的服务券解除，照护计划停止，账户余额失效；已付款的去世后服务将在下期结算中追回。`;
    case 'moved_out':
      return `确认后老人将从${day}起注销（迁出），未开始的工单取消、冻结的服务券解除，照护计划停止，账户余额失效；已付款的迁出后服务将在下期结算中追回。`;
    case 'hospital_admission':
      return `确认后老人将从${day}起暂停服务（住院），未开始的工单取消、冻结的服务券解除，照护计划暂停；住院期间已付款的服务将在下期结算中追回，服务券退回老人账户。`;
    case 'hospital_discharge':
      return `确认后老人将从${day}起恢复服务（出院），暂停的照护计划恢复执行；住院期间已付款的服务将在下期结算中追回。`;
  }
}

const ACTION_WORDS = { deactivate: '老人已注销', suspend: '老人已暂停服务', resume: '老人已恢复服务' } as const;

/** What a confirmation did: the senior's status change and the visits asked back from providers. */
export function outcomeText(outcome: LifeEventProposal['outcome']): string {
  if (!outcome) return '';
  const parts = [outcome.seniorAction ? ACTION_WORDS[outcome.seniorAction] : `老人已是“${labelOf(SENIOR_STATUS_LABELS, outcome.seniorStatus)}”，状态未变`];
  const claw = outcome.clawBack;
  if (claw) {
    if (claw.recovering > 0) parts.push(`${claw.recovering} 次已付款的服务将在下期结算中追回`);
    if (claw.takenOutOfDrafts > 0) parts.push(`${claw.takenOutOfDrafts} 次服务已移出草稿结算单`);
    if (claw.notYetSettled > 0) parts.push(`${claw.notYetSettled} 次未结算的服务暂缓结算`);
    if (claw.refundedFen > 0) parts.push(`退回服务券 ${yuan(claw.refundedFen)}`);
    if (claw.recovering + claw.takenOutOfDrafts + claw.notYetSettled === 0) parts.push('没有需要追回的服务');
  }
  return parts.join('；');
}

/**
 * Who imported or decided: the API names people by id only, so the console says 本人 for the
 * signed-in user and tells the others apart by the id's end.
 */
export function personOf(id: string | null): string {
  if (!id) return '—';
  return id === session.user()?.id ? '本人' : `其他工作人员（…${id.slice(-8)}）`;
}

export const isOwnImport = (proposal: Pick<LifeEventProposal, 'importedBy'>): boolean => proposal.importedBy === session.user()?.id;

export const eventLabel = (proposal: Pick<LifeEventProposal, 'event'>): string => LIFE_EVENT_LABELS[proposal.event];

import { recordAudit } from '../audit/index.ts';
import type { Config } from '../config/env.ts';
import { disputeOrder } from '../dispatch/index.ts';
import { DomainError } from '../shared/errors.ts';
import { findPage } from '../shared/http/pagination.ts';
import type { Actor } from '../shared/roles.ts';
import { scopeBy, withinScope, type ScopeRules } from '../shared/scope.ts';
import { LineModel, SampleCheckModel, type SampleCheckDoc, type SampleCheckStatus, type SampleOutcome } from './settlement.model.ts';
import { toSampleCheckView } from './statements.query.ts';
import { bilingual } from '../shared/i18n.ts';

/** Community staff call back the seniors of their communities; finance, admin and audit see all. */
export const sampleCheckScope: ScopeRules = {
  admin: 'all', auditor: 'all', finance_officer: 'all',
  community_staff: scopeBy.communityField('communityId'),
};

export interface SampleCheckCall {
  actor: Actor;
  config: Config;
  requestId: string | null;
  now?: Date;
}

export function listSampleChecks(filter: { status?: SampleCheckStatus; statementId?: string; period?: string; page: number; pageSize: number }, actor: Actor) {
  const query: Record<string, unknown> = {};
  if (filter.status) query.status = filter.status;
  if (filter.statementId) query.statementId = filter.statementId;
  if (filter.period) query.period = filter.period;
  return findPage(SampleCheckModel, withinScope(sampleCheckScope, actor, query), { _id: 1 }, filter, (check: SampleCheckDoc) => toSampleCheckView(check));
}

/**
 * Records the callback. "The visit did not happen" opens a dispute on the order (which takes its
 * line out of the draft). The outcome is stored first: if the dispute is cut off by a crash,
 * approval finds the recorded outcome and opens the dispute itself.
 */
export async function recordSampleCheck(id: string, input: { outcome: SampleOutcome; note?: string }, call: SampleCheckCall) {
  const check = await SampleCheckModel.findOne(withinScope(sampleCheckScope, call.actor, { _id: id })).lean();
  if (!check) throw new DomainError('NOT_FOUND');
  if (check.status !== 'open') throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual(check.status === 'done' ? '该回访已登记结果' : '该回访已取消', `the callback is ${check.status}`) }]);
  const now = call.now ?? new Date();
  const recorded = await SampleCheckModel.findOneAndUpdate(
    { _id: id, status: 'open' },
    { $set: { status: 'done', outcome: input.outcome, note: input.note ?? null, recordedBy: call.actor.id, recordedAt: now } },
    { returnDocument: 'after' },
  ).lean();
  if (!recorded) throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual('该回访刚被他人登记，请刷新查看', 'the callback was recorded meanwhile') }]);
  await recordAudit({
    actor: call.actor, action: 'settlement.sample_check', entityType: 'service_order', entityId: id, requestId: call.requestId,
    before: { status: 'open' }, after: { status: 'done', outcome: input.outcome },
  });
  if (input.outcome === 'visit_did_not_happen') await disputeUnhappenedVisit(recorded as SampleCheckDoc, call);
  return toSampleCheckView(recorded as SampleCheckDoc);
}

/** Opens the dispute for every callback of the statement that said the visit did not happen and whose line is still in it. */
export async function disputeUnhappenedVisits(statementId: string, call: SampleCheckCall): Promise<void> {
  for (const check of await SampleCheckModel.find({ statementId, outcome: 'visit_did_not_happen' }).lean()) {
    if (await LineModel.exists({ _id: check._id, statementId })) await disputeUnhappenedVisit(check as SampleCheckDoc, call);
  }
}

async function disputeUnhappenedVisit(check: SampleCheckDoc, call: SampleCheckCall): Promise<void> {
  const reason = `review callback: the senior says the visit did not happen${check.note ? ` (${check.note})` : ''}`;
  try {
    await disputeOrder(check._id, reason, { actor: call.actor, config: call.config, requestId: call.requestId, now: call.now });
  } catch (error) {
    // Already disputed (or further along): the dispute this callback asks for exists.
    if (!(error instanceof DomainError && error.code === 'INVALID_TRANSITION')) throw error;
  }
}

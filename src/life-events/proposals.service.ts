import { recordAudit } from '../audit/index.ts';
import { releaseDispatchHold, seniorsListed } from '../seniors/index.ts';
import { DomainError } from '../shared/errors.ts';
import { findPage, type Page, type Paging } from '../shared/http/pagination.ts';
import { bilingual } from '../shared/i18n.ts';
import type { Actor } from '../shared/roles.ts';
import { findInScope, withinScope } from '../shared/scope.ts';
import type { LifeEventContext } from './life-event-import.service.ts';
import { ProposalModel, proposalScope, type ProposalDoc, type ProposalStatus } from './life-event.model.ts';
import type { ProposalView } from './life-events.schemas.ts';

/**
 * The queue of proposed changes: newest first by `_id`, a keyset page (shared/http/pagination.ts)
 * within the caller's street, the total counted up to the common bound. The page's seniors are
 * named from one read by key.
 */
export async function listProposals(query: Paging & { status?: ProposalStatus; seniorId?: string }, actor: Actor): Promise<Page<ProposalView>> {
  const filter: Record<string, unknown> = {};
  if (query.status) filter.status = query.status;
  if (query.seniorId) filter.seniorId = query.seniorId;
  const page = await findPage(ProposalModel, withinScope(proposalScope, actor, filter), { _id: -1 }, query, (doc: ProposalDoc) => doc);
  const named = await seniorsListed(page.items.map((proposal) => proposal.seniorId));
  return { ...page, items: page.items.map((proposal) => toProposalView(proposal, named.get(proposal.seniorId))) };
}

/** One proposal the caller may decide (404 outside their street), by someone other than its importer. */
export async function proposalToDecide(id: string, actor: Actor): Promise<ProposalDoc> {
  const proposal = await findInScope<ProposalDoc>(ProposalModel, id, proposalScope, actor);
  // Four eyes: the person who brought the feed in does not also decide what it changes.
  if (proposal.importedBy === actor.id) throw new DomainError('SELF_APPROVAL', [{ path: 'id', message: bilingual('导入该信息的人不能自己确认或驳回，请由另一位街道工作人员处理', 'the importer cannot decide their own import\'s proposal') }]);
  return proposal;
}

const STATUS_ZH: Record<ProposalStatus, string> = { pending: '待确认', confirming: '确认处理中', confirmed: '已确认', rejected: '已驳回' };

/** 409 for a proposal no longer open to this decision. */
export function decidedAlready(status: ProposalStatus): DomainError {
  const hint = status === 'confirming' ? '，请再次确认以完成处理' : '';
  return new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual(`该信息${STATUS_ZH[status]}${hint}`, `the proposal is ${status}`) }], undefined, { status });
}

/**
 * pending → rejected, with the reason. A rejected death lets orders be made again: the hold is
 * released first (unless another death of the senior still waits), then the proposal rejected, so
 * a crash between leaves it pending without a hold — a retry finishes, and re-importing the feed
 * would hold again — rather than rejected with a hold nobody could lift.
 */
export async function rejectProposal(id: string, reason: string, ctx: LifeEventContext): Promise<ProposalView> {
  const proposal = await proposalToDecide(id, ctx.actor);
  if (proposal.status !== 'pending') throw decidedAlready(proposal.status as ProposalStatus);
  if (proposal.event === 'death' && !(await ProposalModel.exists({ seniorId: proposal.seniorId, event: 'death', status: { $in: ['pending', 'confirming'] }, _id: { $ne: proposal._id } }))) {
    await releaseDispatchHold(proposal.seniorId);
  }
  const now = ctx.now ?? new Date();
  const rejected = await ProposalModel.findOneAndUpdate(
    { _id: proposal._id, status: 'pending' },
    { $set: { status: 'rejected', decidedBy: ctx.actor.id, decidedAt: now, note: reason } },
    { returnDocument: 'after' },
  ).lean();
  if (!rejected) throw decidedAlready(((await ProposalModel.findById(proposal._id, { status: 1 }).lean())?.status ?? 'rejected') as ProposalStatus);
  await recordAudit({
    actor: ctx.actor, action: 'life_event.reject', entityType: 'life_event_proposal', entityId: id, requestId: ctx.requestId,
    before: { status: 'pending' }, after: { status: 'rejected', seniorId: proposal.seniorId, event: proposal.event, date: proposal.date, reason },
  });
  return viewOf(rejected as ProposalDoc);
}

/**
 * Every life event reported for one senior, oldest first (the data-subject export): through the
 * seniorId index, so it costs the senior's own proposals — a handful — not the queue's.
 */
export async function lifeEventsOfSenior(seniorId: string): Promise<ProposalView[]> {
  const proposals = (await ProposalModel.find({ seniorId }).lean()) as ProposalDoc[];
  proposals.sort((a, b) => a.importedAt.getTime() - b.importedAt.getTime() || String(a._id).localeCompare(String(b._id)));
  const senior = (await seniorsListed([seniorId])).get(seniorId);
  return proposals.map((proposal) => toProposalView(proposal, senior));
}

/** One proposal as the API answers it, its senior named. */
export async function viewOf(proposal: ProposalDoc): Promise<ProposalView> {
  return toProposalView(proposal, (await seniorsListed([proposal.seniorId])).get(proposal.seniorId));
}

function toProposalView(proposal: ProposalDoc, senior: { name: string; idNumberMasked: string } | undefined): ProposalView {
  const outcome = proposal.outcome;
  return {
    id: String(proposal._id), seniorId: proposal.seniorId, seniorName: senior?.name ?? null, seniorIdNumberMasked: senior?.idNumberMasked ?? null,
    communityId: proposal.communityId, streetId: proposal.streetId, event: proposal.event, date: proposal.date, status: proposal.status,
    sourceFile: proposal.sourceFile, importedBy: proposal.importedBy, importedAt: proposal.importedAt,
    decidedBy: proposal.decidedBy ?? null, decidedAt: proposal.decidedAt ?? null, note: proposal.note ?? null,
    outcome: outcome ? {
      seniorAction: (outcome.seniorAction ?? null) as 'deactivate' | 'suspend' | 'resume' | null,
      seniorStatus: outcome.seniorStatus ?? '',
      clawBack: outcome.clawBack ? {
        fromDay: outcome.clawBack.fromDay ?? '', toDay: outcome.clawBack.toDay ?? null, recovering: outcome.clawBack.recovering ?? 0,
        takenOutOfDrafts: outcome.clawBack.takenOutOfDrafts ?? 0, notYetSettled: outcome.clawBack.notYetSettled ?? 0, refundedFen: outcome.clawBack.refundedFen ?? 0,
      } : null,
    } : null,
  };
}

import { recordAudit } from '../audit/index.ts';
import { releaseDispatchHold, seniorRegisterFacts, transitionSenior, type SeniorRegisterFacts, type SeniorStatus } from '../seniors/index.ts';
import { clawBackVisits, type ClawBackOutcome, type ClawBackRequest } from '../settlement/index.ts';
import { DomainError, isDomainError } from '../shared/errors.ts';
import { bilingual, localise } from '../shared/i18n.ts';
import type { LifeEventContext } from './life-event-import.service.ts';
import { LIFE_EVENT_ZH, ProposalModel, type LifeEvent, type ProposalDoc, type ProposalStatus } from './life-event.model.ts';
import { byEventDay, judgeLifeEvent } from './life-event.rules.ts';
import type { ProposalView } from './life-events.schemas.ts';
import { decidedAlready, proposalToDecide, viewOf } from './proposals.service.ts';

type SeniorAction = 'deactivate' | 'suspend' | 'resume';

/**
 * pending → confirming → confirmed, by someone other than the importer, without transactions:
 * 1. the proposal is checked against the senior as they are now (the import's rules again: a
 *    change since the upload may have made it ambiguous) and marked `confirming` — conditional on
 *    `pending`, so of two officers confirming at once one goes on;
 * 2. the senior's status change is applied through the seniors' lifecycle as the decider (its
 *    hooks cancel orders, release holds, pause or stop care plans, lapse the balance), skipped when
 *    the senior is in that state already — which is also how a retry finds a change it made before;
 * 3. the visits it shows could not have been for the senior are asked back (settlement's
 *    clawBackVisits, keyed by order);
 * 4. the proposal is marked `confirmed` with what was done, and audited.
 * A confirmation cut off after 1 is finished by confirming again (the same steps, nothing twice).
 * A status change the seniors' lifecycle refuses at step 2 wrote nothing: the proposal goes back to
 * pending and the answer says why.
 */
export async function confirmProposal(id: string, note: string | undefined, ctx: LifeEventContext): Promise<ProposalView> {
  let proposal = await proposalToDecide(id, ctx.actor);
  if (proposal.status === 'pending') {
    await assertConfirmable(proposal, ctx);
    proposal = await markConfirming(proposal, note, ctx);
  } else if (proposal.status !== 'confirming') {
    throw decidedAlready(proposal.status as ProposalStatus);
  }
  const outcome = await applyProposal(proposal, ctx);
  const confirmed = await ProposalModel.findOneAndUpdate({ _id: proposal._id, status: 'confirming' }, { $set: { status: 'confirmed', outcome } }, { returnDocument: 'after' }).lean();
  // Finished by a retry running beside this one: what that one stored is the answer.
  if (!confirmed) return viewOf((await ProposalModel.findById(proposal._id).lean()) as ProposalDoc);
  await recordAudit({
    actor: ctx.actor, action: 'life_event.confirm', entityType: 'life_event_proposal', entityId: id, requestId: ctx.requestId,
    before: { status: 'pending' },
    after: { status: 'confirmed', seniorId: proposal.seniorId, event: proposal.event, date: proposal.date, seniorAction: outcome.seniorAction, seniorStatus: outcome.seniorStatus, clawBack: outcome.clawBack },
  });
  return viewOf(confirmed as ProposalDoc);
}

async function markConfirming(proposal: ProposalDoc, note: string | undefined, ctx: LifeEventContext): Promise<ProposalDoc> {
  const marked = await ProposalModel.findOneAndUpdate(
    { _id: proposal._id, status: 'pending' },
    { $set: { status: 'confirming', decidedBy: ctx.actor.id, decidedAt: ctx.now ?? new Date(), note: note ?? null } },
    { returnDocument: 'after' },
  ).lean();
  if (marked) return marked as ProposalDoc;
  const now = (await ProposalModel.findById(proposal._id).lean()) as ProposalDoc;
  // Another officer's confirmation got there first and is under way: this one helps it finish.
  if (now.status === 'confirming') return now;
  throw decidedAlready(now.status as ProposalStatus);
}

/** The import's rules against the senior and their other proposals as they are now; and a discharge waits for its admission's decision. */
async function assertConfirmable(proposal: ProposalDoc, ctx: LifeEventContext): Promise<void> {
  const senior = await seniorRegisterFacts(proposal.seniorId, ctx.actor);
  const others = (await ProposalModel.find({ seniorId: proposal.seniorId, status: { $ne: 'rejected' }, _id: { $ne: proposal._id } }, { event: 1, date: 1, status: 1 }).lean()) as ProposalDoc[];
  const event = proposal.event as LifeEvent;
  const verdict = judgeLifeEvent({ event, date: proposal.date }, others.map((other) => ({ event: other.event as LifeEvent, date: other.date })), senior, ctx.config.businessTimeZone);
  if (verdict.kind === 'ambiguous') throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual(`${verdict.message.zh}；请驳回该信息`, verdict.message.en) }]);
  if (event !== 'hospital_discharge') return;
  // Its stay's admission still undecided: confirmed first, the admission would suspend the senior after this resumed them.
  const admission = others.filter((other) => other.event === 'hospital_admission' && other.date <= proposal.date).sort(byEventDay).at(-1);
  if (admission && admission.status === 'pending') {
    throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual(`请先确认或驳回该老人 ${admission.date} 的住院信息`, `decide the admission of ${admission.date} first`) }]);
  }
}

interface Outcome { seniorAction: SeniorAction | null; seniorStatus: SeniorStatus; clawBack: (ClawBackOutcome & { fromDay: string; toDay: string | null }) | null }

/** Steps 2 and 3: each repeatable, so a retry after a crash does only what is left. */
async function applyProposal(proposal: ProposalDoc, ctx: LifeEventContext): Promise<Outcome> {
  const event = proposal.event as LifeEvent;
  const senior = await seniorRegisterFacts(proposal.seniorId, ctx.actor);
  const change = statusChangeFor(event, proposal.date, senior);
  let seniorStatus = senior.status;
  if (change) {
    try {
      seniorStatus = (await transitionSenior(proposal.seniorId, change, { actor: ctx.actor, config: ctx.config, requestId: ctx.requestId, lang: ctx.lang, now: ctx.now })).status;
    } catch (error) {
      if (!isDomainError(error)) throw error;
      // Refused before anything was written (scope, the table, the day): back to pending, saying why.
      await ProposalModel.updateOne({ _id: proposal._id, status: 'confirming' }, { $set: { status: 'pending', decidedBy: null, decidedAt: null, note: null } });
      const why = error.details.map((detail) => localise(detail.message, 'zh')).join('；');
      throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual(`无法按该${LIFE_EVENT_ZH[event]}信息变更老人状态：${why}`, 'the senior\'s status change was refused') }]);
    }
  }
  // The hold waited for this decision; the deactivation now refuses orders on its own.
  if (event === 'death') await releaseDispatchHold(proposal.seniorId);
  const span = await clawBackSpanOf(proposal, seniorStatus, ctx);
  const clawBack = span ? { fromDay: span.fromDay, toDay: span.toDay, ...(await clawBackVisits(span)) } : null;
  return { seniorAction: change?.action ?? null, seniorStatus, clawBack };
}

/** The senior's status change the event calls for, or null when the senior is in that state already. */
function statusChangeFor(event: LifeEvent, date: string, senior: SeniorRegisterFacts): { action: SeniorAction; reason?: string; effectiveDate: string } | null {
  if (event === 'death' || event === 'moved_out') return senior.status === 'deactivated' ? null : { action: 'deactivate', reason: event === 'death' ? 'deceased' : 'moved_out', effectiveDate: date };
  if (event === 'hospital_admission') return senior.status === 'active' ? { action: 'suspend', reason: `住院（${date} 入院，外部数据确认）`, effectiveDate: date } : null;
  return senior.status === 'suspended' ? { action: 'resume', effectiveDate: date } : null;
}

/**
 * The days whose paid visits could not have been for the senior: from a death or a move on; a
 * stay from its admission to the discharge known now (a pending or confirmed one of the senior,
 * the first on or after it; none: still in hospital as far as anyone knows, and a suspended senior
 * gets no new orders). A discharge asks nothing back: its stay was recovered with the admission.
 */
async function clawBackSpanOf(proposal: ProposalDoc, seniorStatus: SeniorStatus, ctx: LifeEventContext): Promise<ClawBackRequest | null> {
  const base = { seniorId: proposal.seniorId, fromDay: proposal.date, source: `life_event:${String(proposal._id)}`, by: ctx.actor.id, config: ctx.config, now: ctx.now };
  if (proposal.event === 'death') return { ...base, toDay: null, reason: 'senior_deceased', note: `老人于 ${proposal.date} 去世`, refundSenior: false };
  if (proposal.event === 'moved_out') return { ...base, toDay: null, reason: 'senior_inactive', note: `老人于 ${proposal.date} 迁出`, refundSenior: false };
  if (proposal.event !== 'hospital_admission') return null;
  const discharge = await ProposalModel.findOne({ seniorId: proposal.seniorId, event: 'hospital_discharge', status: { $ne: 'rejected' }, date: { $gte: proposal.date } }).sort({ date: 1 }).lean();
  const toDay = discharge?.date ?? null;
  // A senior in hospital is still on the register: the vouchers the recovered visits spent come back
  // (as for a visit rejected after payment). One who has died since has a closed, lapsed account.
  return { ...base, toDay, reason: 'senior_inactive', note: toDay ? `老人 ${proposal.date} 至 ${toDay} 住院` : `老人 ${proposal.date} 起住院`, refundSenior: seniorStatus !== 'deactivated' };
}

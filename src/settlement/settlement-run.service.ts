import type { Config } from '../config/env.ts';
import { attachOrderToStatement, orderLabel, orderNumbersOf, ordersForSettlement, settleOrderInStatement, type OrderForSettlement } from '../dispatch/index.ts';
import { contractsOfProvider, getProvider, validContractAmong, type ContractView } from '../organisation/index.ts';
import { SENIOR_STATUS_ZH, seniorsSettlementFacts, seniorStatusAt, type SeniorSettlementFacts, type SeniorStatus } from '../seniors/index.ts';
import { byKeys } from '../shared/by-keys.ts';
import { DomainError } from '../shared/errors.ts';
import { ERROR_MESSAGES } from '../shared/i18n.ts';
import { logger } from '../shared/logger.ts';
import { readAhead } from '../shared/read-ahead.ts';
import { insertDocs } from '../shared/insert-docs.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import { businessDay, businessMonth } from '../shared/time.ts';
import { policyForMonth, redeemedAmountsFor, redeemForOrder } from '../vouchers/index.ts';
import { primaryCategory } from './categories.ts';
import { RankThresholdCandidates, SampleCandidates, sampleSizeOf } from './review-sample.ts';
import { askSampledSeniors, recordEarlierAnswers } from './sample-checks.service.ts';
import { emptyTally, storedZeroTally, tallyIncrement, type BreakdownBucket, type RunTally } from './run-breakdown.ts';
import {
  HeldBackModel, LineModel, RunProgressModel, SampleCheckModel, StatementModel, VisitClaimModel, ZERO_TOTALS, completeLine, storedLine, type SampleCheckReason,
  type ChargeReason, type HeldBackReason, type LineDoc, type StatementStatus,
} from './settlement.model.ts';
import { ClawBackModel } from './claw-back.model.ts';
import {
  adjustmentLineId, cancellationLineId, carriedPenaltyLineId, followDisputedLine, lateLineId, sampleRankOf, statementIdOf, visitClaimKey, visitSpan,
} from './statement-lines.ts';
import { settleOrdersOf } from './statement-approval.ts';
import { addLine, cityPartOf, emptySums, refreshStatement, writeTotals, type LineSums } from './statement-totals.ts';

/*
 * THE MONTHLY RUN (PRODUCT.md §8), without transactions.
 *
 * Every money fact is a line whose `_id` says what it pays or charges (the order, the cause), so a
 * line can exist once; every other write is either keyed the same way or a conditional update.
 * Totals are never incremented: they are recomputed from the lines at the end of the run (and on
 * every change outside it), so a crash between writes can leave a statement's totals behind its
 * lines only until the next run or approval, never wrong for good.
 *
 * The run streams the orders it has business with in `_id` order, in batches, and records after
 * each batch the last order it finished; a run that dies resumes after it. Every per-order step is
 * repeatable — an order half-done before the crash (voucher redeemed, visit claimed, line written,
 * order not yet marked) is finished the same way on the next pass — so the resumed run ends with
 * exactly the statements an uninterrupted run makes. Only one run at a time: the job lease.
 */

export interface SettlementRunOptions {
  by: string;
  /** The finance officer who asked for the run (a scheduled run: `by`). */
  startedBy?: string;
  runId: string;
  config: Config;
  signal?: AbortSignal;
  batchSize?: number;
  now?: Date;
}

export interface SettlementRunCounts extends Record<BreakdownBucket, number> {
  batches: number;
  ordersSeen: number;
  linesAdded: number;
  penaltiesAdded: number;
  adjustmentsAdded: number;
  linesTakenOut: number;
  ordersMarkedSettled: number;
  sampleChecksOpened: number;
  resumed: number;
  interrupted: number;
}

/** Test seam: a test makes a run fail (as a crash would) or wait after a given batch. */
export const settlementFaults = {
  afterBatch: null as null | ((batchNumber: number) => void | Promise<void>),
  /** Between the writes of a batch of new visits: after its lines, after their late-arrival penalties. */
  afterWrite: null as null | ((step: 'lines' | 'penalties') => void),
  /** Told when a batch's reads are done, and awaited before a batch's writes begin (batches numbered from 1). */
  afterReads: null as null | ((batchNumber: number) => void),
  beforeWrite: null as null | ((batchNumber: number) => void | Promise<void>),
};

export async function runSettlement(period: string, options: SettlementRunOptions): Promise<SettlementRunCounts> {
  const policy = await policyForMonth(period);
  if (!policy) throw new DomainError('RULE_VIOLATION', [{ path: 'period', message: `${period} 没有生效的服务券政策，无法确定市区分担比例` }]);
  const now = options.now ?? new Date();
  const resumeAfter = await beginProgress(period, options.runId, options.startedBy ?? options.by, now);
  const run = new SettlementRun(period, policy.fundingSplit, options, now, resumeAfter !== null);
  run.counts.resumed = resumeAfter === null ? 0 : 1;
  await run.prepare();

  // A pipeline of three: while one batch's lines are written, the next batch's reads (its lines,
  // claims, redemptions, seniors) run, and the batch after that is read from the orders. The
  // writes stay one batch at a time, in order; what the reads could not see yet of the batch
  // being written is added from memory before the decisions (see writeBatch).
  const batches = readAhead(ordersForSettlement(period, resumeAfter || null, options.batchSize ?? options.config.settlement.batchSize));
  for await (const reads of readAhead(run.readBatches(batches))) {
    const batch = reads.batch;
    await run.writeBatch(reads);
    run.counts.batches += 1;
    run.counts.ordersSeen += batch.length;
    // The batch's breakdown in the same update as its count: the two never disagree (run-breakdown.ts).
    const tally = tallyIncrement(run.takeBatchTally());
    await RunProgressModel.updateOne({ _id: period, runId: options.runId }, { $set: { lastOrderId: batch.at(-1)?.orderId, heartbeatAt: new Date() }, $inc: { batches: 1, ordersSeen: batch.length, ...tally } });
    await settlementFaults.afterBatch?.(run.counts.batches);
    if (options.signal?.aborted) {
      run.counts.interrupted = 1;
      return run.counts;
    }
  }
  await run.recoverClawBacks();
  await run.chargeCarriedPenalties();
  await run.finishDrafts();
  await RunProgressModel.updateOne({ _id: period, runId: options.runId }, { $set: { status: 'completed', completedAt: new Date() } });
  return run.counts;
}

/**
 * Starts the period's progress record; answers the order to resume after if the last run died
 * ('' when it died before finishing a batch: a resumed run all the same, from the start).
 */
async function beginProgress(period: string, runId: string, by: string, now: Date): Promise<string | null> {
  const previous = await RunProgressModel.findById(period).lean();
  if (previous?.status === 'running') {
    await RunProgressModel.updateOne({ _id: period }, { $set: { runId, heartbeatAt: now, resumedFrom: previous.runId }, $addToSet: { startedBy: by } });
    return previous.lastOrderId ?? '';
  }
  await RunProgressModel.updateOne(
    { _id: period },
    { $set: { status: 'running', runId, lastOrderId: null, batches: 0, ordersSeen: 0, breakdown: storedZeroTally(), startedAt: now, heartbeatAt: now, completedAt: null, resumedFrom: null, startedBy: [by] } },
    { upsert: true },
  );
  return null;
}

const MAX_CACHED_SENIORS = 50_000;

/** A new visit of a batch, with the draft it goes to and its claim. */
interface VisitWork { order: OrderForSettlement; statementId: string; claimKey: string; span: [number, number] }

/** A batch of orders and what readBatch read for its new visits. */
interface BatchReads {
  batch: OrderForSettlement[];
  work: VisitWork[];
  /** How many batches' writes were finished when these reads began: any after may be unseen. */
  writesBefore: number;
  linesBefore: Map<string, string>;
  claims: Map<string, Map<string, [number, number]>>;
  redeemed: Map<string, number>;
}

/** What one batch's writes changed of the claims: the service lines it wrote and those it took out. */
interface WriteRecord { number: number; paid: LineDoc[]; takenOut: string[] }

class SettlementRun {
  readonly counts: SettlementRunCounts = {
    batches: 0, ordersSeen: 0, linesAdded: 0, penaltiesAdded: 0, adjustmentsAdded: 0, linesTakenOut: 0, ordersMarkedSettled: 0, sampleChecksOpened: 0, resumed: 0, interrupted: 0,
    ...emptyTally().buckets,
  };
  /** The breakdown of the batch being written, recorded with it (takeBatchTally). */
  private batchTally: RunTally = emptyTally();
  private readonly statementStatus = new Map<string, StatementStatus | null>();
  private readonly seniors = new Map<string, SeniorSettlementFacts | null>();
  private readonly contracts = new Map<string, ContractView[]>();
  /** Held-back rows of draft statements by order, to clear when the visit becomes a line. */
  private readonly heldBackOf = new Map<string, string[]>();
  /** Service lines this run wrote, per statement (what the review sample should expect). */
  private readonly linesAddedTo = new Map<string, number>();
  /**
   * Drafts this run created (never when it resumes a dead run): every line they hold is one this run
   * wrote, so their totals and sample candidates are kept here as the lines are inserted and the
   * end of the run need not read a month of lines back (it was a tenth of the run). Anything that
   * takes a line out of one meanwhile (a dispute) moves its `linesVersion`, and that draft is then
   * recomputed from its lines after all (finishDrafts).
   */
  private readonly ownDrafts = new Map<string, { sums: LineSums }>();
  /** Their sample candidates: every service line ranked low enough to be likely picked. */
  private readonly ownSample: RankThresholdCandidates;
  private readonly timeZone: string;
  /** Batches whose writes have begun and have finished, and the last few of those writes (currentClaims). */
  private writesStarted = 0;
  private writesFinished = 0;
  private batchesRead = 0;
  private readonly recentWrites: WriteRecord[] = [];
  /** A draft being looked up or created, per statement: the reads of the next batch and the writes of this one may ask at once. */
  private readonly draftLookups = new Map<string, Promise<void>>();

  constructor(
    private readonly period: string,
    private readonly split: { cityPct: number; districtPct: number },
    private readonly options: SettlementRunOptions,
    private readonly now: Date,
    private readonly resumed: boolean,
  ) {
    this.timeZone = options.config.businessTimeZone;
    this.ownSample = new RankThresholdCandidates(options.config.settlement.samplePct);
  }

  /** Finishes approvals a crash cut short, and notes which visits are held back in drafts. */
  async prepare(): Promise<void> {
    for (const statement of await StatementModel.find({ status: { $in: ['approved', 'paid'] }, ordersSettledAt: null }).lean()) {
      this.counts.ordersMarkedSettled += await settleOrdersOf(statement._id, this.options.by, this.now);
    }
    // Only drafts' rows matter (an approved statement keeps its held-back list as it was approved).
    const drafts = (await StatementModel.find({ status: 'draft' }, { status: 1 }).lean()).map((statement) => statement._id);
    for (const id of drafts) this.statementStatus.set(id, 'draft');
    for await (const row of HeldBackModel.find({ statementId: { $in: drafts } }, { statementId: 1, orderId: 1 }).lean().cursor({ batchSize: 1000 })) {
      this.heldBackOf.set(row.orderId, [...(this.heldBackOf.get(row.orderId) ?? []), row._id]);
    }
  }

  /** Each batch of orders with its reads done (readBatch), in the order of the orders. */
  async *readBatches(batches: AsyncIterable<OrderForSettlement[]>): AsyncGenerator<BatchReads> {
    for await (const batch of batches) yield await this.readBatch(batch);
  }

  /**
   * The reads of a batch's new visits (confirmed, not settled yet: nearly all of a month), done
   * together — the engine answers them side by side, each by key in one command ({_id: {$in}},
   * {claimKey: {$in}}) — and while the previous batch is being written: the lines the visits have
   * already (an earlier run of the period, or of an earlier one), the claims of their days, their
   * seniors and their redemptions — the last two for every visit of the batch, although those with
   * a line need neither: on a month's first run that is none of them. Nothing is written here but
   * a provider's draft the first time it is needed.
   */
  private async readBatch(batch: OrderForSettlement[]): Promise<BatchReads> {
    const writesBefore = this.writesFinished; // before the first await: what these reads may miss comes after
    const work: VisitWork[] = [];
    for (const order of batch) {
      if (order.status !== 'confirmed' || order.statementId || !order.providerId) continue;
      const statementId = await this.draftFor(order.providerId);
      if (!statementId) continue; // this period's statement is approved: the visit waits for the next period
      const span = visitSpan(order);
      work.push({ order, statementId, span, claimKey: visitClaimKey(order.seniorId, order.serviceTypeCode, span[0], this.timeZone) });
    }
    const reads: BatchReads = { batch, work, writesBefore, linesBefore: new Map(), claims: new Map(), redeemed: new Map() };
    if (work.length > 0) Object.assign(reads, await this.readVisits(work));
    this.batchesRead += 1;
    settlementFaults.afterReads?.(this.batchesRead);
    return reads;
  }

  private async readVisits(work: VisitWork[]): Promise<Pick<BatchReads, 'linesBefore' | 'claims' | 'redeemed'>> {
    const orderIds = work.map((item) => item.order.orderId);
    const [lineRows, claims, redeemed] = await Promise.all([
      LineModel.find({ _id: { $in: orderIds } }, { statementId: 1 }).setOptions(byKeys(orderIds.length)).lean(),
      claimedVisits([...new Set(work.map((item) => item.claimKey))]),
      redeemedAmountsFor(work.filter((item) => item.order.subsidyFen > 0 && item.order.holdRef).map((item) => item.order.holdRef as string)),
      this.loadSeniors(work.map((item) => item.order.seniorId)),
    ]);
    return { linesBefore: new Map(lineRows.map((line) => [line._id, line.statementId])), claims, redeemed };
  }

  /**
   * One batch's writes, after its reads. The orders that are not new visits (lines of approved
   * statements, disputes, cancellations) one by one; then the new visits together (settleVisits).
   */
  async writeBatch(reads: BatchReads): Promise<void> {
    this.writesStarted += 1;
    await settlementFaults.beforeWrite?.(this.writesStarted);
    const writes: WriteRecord = { number: this.writesStarted, paid: [], takenOut: [] };
    this.recentWrites.push(writes);
    // Only the writes since the oldest batch whose reads may still be running are kept (one ahead).
    while (this.recentWrites.length > 3) this.recentWrites.shift();
    const isNewVisit = new Set(reads.work.map((item) => item.order.orderId));
    for (const order of reads.batch) {
      if (order.status === 'confirmed' && !order.statementId) {
        // A new visit (settleVisits sorts it), or one readBatch passed over: without a provider, or
        // its provider's statement of the period is approved already and it waits for the next.
        if (!isNewVisit.has(order.orderId)) this.sort(order.providerId ? 'deferred' : 'notBillable');
        continue;
      }
      if (order.status === 'confirmed') {
        await this.followSettledVisit(order);
        this.sort('alreadySettled');
      } else if (order.status === 'disputed' || order.status === 'rejected') {
        await this.followDispute(order, writes);
        this.sort('disputed');
      } else {
        if (order.status === 'cancelled') await this.chargeCancellation(order);
        this.sort('notBillable');
      }
    }
    await this.settleVisits(reads, writes);
    this.writesFinished = writes.number;
  }

  /**
   * The claims as they stand now: the batch's reads ran beside the writes of the batch before
   * (and the takings-out just above), so the lines those wrote or took out are applied from
   * memory — the read may or may not have seen them, and keyed by order either way comes out the
   * same. A batch whose reads began before a write no longer remembered would be a pipeline
   * deeper than this run builds: refused loudly rather than judged on stale claims.
   */
  private currentClaims(reads: BatchReads): Map<string, Map<string, [number, number]>> {
    const since = this.recentWrites.filter((writes) => writes.number > reads.writesBefore);
    if (this.writesStarted - reads.writesBefore > since.length) throw new Error('settlement: a batch was read before writes the run no longer remembers');
    const keys = new Set(reads.work.map((item) => item.claimKey));
    for (const writes of since) {
      for (const line of writes.paid) {
        const key = line.claimKey as string;
        if (keys.has(key)) reads.claims.set(key, (reads.claims.get(key) ?? new Map()).set(line._id, [line.visitStartMs as number, line.visitEndMs as number]));
      }
      for (const orderId of writes.takenOut) for (const visits of reads.claims.values()) visits.delete(orderId);
    }
    return reads.claims;
  }

  /**
   * Confirmed visits not settled yet: checked, their vouchers redeemed, then lines. Done for a batch
   * at a time — the reads by key done before (readBatch), the decisions in memory in `_id` order
   * (so a duplicate is judged exactly as one visit at a time would judge it), then the lines in one
   * insert, then their late-arrival penalties.
   * A service line is the visit's claim too (its claimKey and span): the duplicate check of later
   * visits reads the lines, so there is no second document per visit to write, and no moment where
   * a claim exists without its line. The orders themselves are not written: a visit's line has the
   * order's id as its key, so the next run (and approval) knows the visit is in a statement by
   * reading the lines of the batch; the order records its statement when that statement is approved
   * (settleOrdersOf). Writing each order here cost more than the rest of the run together on the
   * embedded database (BENCHMARKS.md). A crash after the lines is finished by the next run (the
   * penalties again under their keys); nothing is written twice because every line has its key.
   */
  private async settleVisits(reads: BatchReads, writes: WriteRecord): Promise<void> {
    const { work, linesBefore, redeemed } = reads;
    if (work.length === 0) return;
    const claims = this.currentClaims(reads);

    const lines: LineDoc[] = [];
    const late: LineDoc[] = [];
    // Flagged visits on a line of this run's draft whose check a crash may have cut off (see below).
    const flaggedAgain: LineDoc[] = [];
    for (const { order, statementId, claimKey, span } of work) {
      const lineStatementId = linesBefore.get(order.orderId);
      if (lineStatementId !== undefined) {
        this.sort(await this.followLine(order, lineStatementId, statementId, late, () => flaggedAgain.push(this.visitLine(order, statementId, claimKey, span))));
        continue;
      }
      const refusal = (await this.check(order)) ?? (await this.redeem(order, redeemed));
      if (refusal) {
        await this.holdBack(statementId, order, refusal.reason, refusal.detail);
        continue;
      }
      const claimed = claims.get(claimKey) ?? new Map<string, [number, number]>();
      const duplicateOf = [...claimed].find(([otherId, other]) => otherId !== order.orderId && other[0] < span[1] && span[0] < other[1])?.[0];
      if (duplicateOf) {
        // Named by its number, as finance sees it everywhere (one read, only for a duplicate).
        const other = orderLabel({ id: duplicateOf, number: (await orderNumbersOf([duplicateOf])).get(duplicateOf) ?? null });
        await this.holdBack(statementId, order, 'DUPLICATE_VISIT', `与同一老人同日同项服务的工单 ${other} 时间重叠`);
        continue;
      }
      claimed.set(order.orderId, span);
      claims.set(claimKey, claimed);
      lines.push(this.visitLine(order, statementId, claimKey, span));
    }

    // A key taken meanwhile (only one run at a time, so never in practice) keeps the line it has.
    const { inserted } = await insertLines(lines);
    settlementFaults.afterWrite?.('lines');
    const paid = lines.filter((line) => inserted.has(line._id));
    for (const line of lines) this.sort(!inserted.has(line._id) ? 'unchanged' : line.carriedOver ? 'carriedOver' : 'newLines');
    writes.paid.push(...paid);
    const orderOf = new Map(work.map((item) => [item.order.orderId, item.order]));
    for (const line of paid) {
      const penalty = this.lateArrivalLine(orderOf.get(line._id) as OrderForSettlement, line.statementId);
      if (penalty) late.push(penalty);
    }
    const penalties = await insertLines(late);
    settlementFaults.afterWrite?.('penalties');
    // Every flagged visit is called back, beside the random share: opened with its line (again
    // under its key when a crash came between the two: the next run finds the line and lands here).
    const flagged = [...paid.filter((line) => orderOf.get(line._id)?.isFlagged), ...flaggedAgain];
    if (flagged.length > 0) await this.openSampleChecks(flagged, 'flagged');
    this.counts.penaltiesAdded += penalties.inserted.size;
    this.counts.linesAdded += paid.length;
    for (const line of [...paid, ...late.filter((penalty) => penalties.inserted.has(penalty._id))]) this.wrote(line);
    for (const line of paid) {
      for (const heldBackId of this.heldBackOf.get(line._id) ?? []) await HeldBackModel.deleteOne({ _id: heldBackId });
      this.heldBackOf.delete(line._id);
    }
  }

  /**
   * A line this run inserted: counted towards its statement's sample, and added to the totals kept
   * in memory for a draft this run created (finishDrafts writes those without reading the lines back).
   */
  private wrote(line: LineDoc): void {
    if (line.kind === 'service') this.linesAddedTo.set(line.statementId, (this.linesAddedTo.get(line.statementId) ?? 0) + 1);
    const own = this.ownDrafts.get(line.statementId);
    if (!own) return;
    addLine(own.sums, line);
    if (line.kind === 'service') this.ownSample.offer(line);
  }

  /**
   * A confirmed visit that has its line already. In this run's draft: its late-arrival penalty is
   * written again under its key (a crash may have come between the two). In an approved statement:
   * the order is marked settled (approval does it; this finishes one a crash cut short). In an
   * earlier period's draft: it stays there.
   */
  private async followLine(order: OrderForSettlement, lineStatementId: string, draftId: string, late: LineDoc[], flagged: () => void): Promise<'unchanged' | 'alreadySettled'> {
    if (lineStatementId === draftId) {
      const penalty = this.lateArrivalLine(order, draftId);
      if (penalty) late.push(penalty);
      if (order.isFlagged) flagged();
      return 'unchanged';
    }
    const status = await this.statusOf(lineStatementId);
    if (status !== 'approved' && status !== 'paid') return 'unchanged';
    if (await settleOrderInStatement(order.orderId, lineStatementId, this.options.by, this.now)) this.counts.ordersMarkedSettled += 1;
    return 'alreadySettled';
  }

  /** Puts one order of the scan in its bucket of the breakdown (run-breakdown.ts): every order exactly once. */
  private sort(bucket: BreakdownBucket, heldBackReason?: HeldBackReason): void {
    this.counts[bucket] += 1;
    this.batchTally.buckets[bucket] += 1;
    if (heldBackReason) this.batchTally.heldBackByReason[heldBackReason] += 1;
  }

  /** The written batch's breakdown, handed to the update recording the batch; the next batch starts at zero. */
  takeBatchTally(): RunTally {
    const tally = this.batchTally;
    this.batchTally = emptyTally();
    return tally;
  }

  private visitLine(order: OrderForSettlement, statementId: string, claimKey: string, span: [number, number]): LineDoc {
    const senior = this.seniors.get(order.seniorId);
    return {
      _id: order.orderId, kind: 'service', statementId, period: this.period, providerId: order.providerId as string, orderId: order.orderId,
      seniorId: order.seniorId, communityId: order.communityId, streetId: order.streetId, serviceTypeCode: order.serviceTypeCode,
      category: primaryCategory(senior?.categories ?? []), quantity: order.quantity, scheduledStart: order.scheduledStart,
      confirmedAt: order.confirmation?.at ?? null, priceFen: order.priceFen, subsidyFen: order.subsidyFen, selfPayFen: order.selfPayFen,
      carriedOver: (order.confirmedMonth ?? this.period) < this.period, amountFen: 0, reason: null, note: null, claimKey,
      visitStartMs: span[0], visitEndMs: span[1], sampleRank: sampleRankOf(this.options.config.settlement.sampleSeed, order.orderId), createdAt: this.now,
    };
  }

  /** A confirmed visit whose order names its statement (approved): mark it settled again (a dispute upheld). */
  private async followSettledVisit(order: OrderForSettlement): Promise<void> {
    const statementId = order.statementId as string;
    const status = await this.statusOf(statementId);
    if (status === 'approved' || status === 'paid') {
      if (await settleOrderInStatement(order.orderId, statementId, this.options.by, this.now)) this.counts.ordersMarkedSettled += 1;
    }
  }

  /**
   * A disputed or rejected visit with a line. In a draft: the line comes out (the dispute hook does
   * that at once; this catches a hook a crash skipped). In an approved statement: once rejected,
   * the paid subsidy is recovered by an adjustment line in the provider's next statement.
   */
  private async followDispute(order: OrderForSettlement, writes: WriteRecord): Promise<void> {
    const { statementId, takenOut } = await followDisputedLine(order.orderId, order.statementId);
    if (takenOut) {
      this.counts.linesTakenOut += 1;
      writes.takenOut.push(order.orderId);
    }
    if (!statementId || takenOut || order.status !== 'rejected' || !order.providerId) return;
    await this.recoverPaidVisit(order.orderId, order.providerId, 'visit_rejected', '');
  }

  /**
   * Visits a confirmed life event asked back (claw-back.ts): each recovered like a rejected visit,
   * on the provider's draft of this period; one whose provider's statement of the period is approved
   * already waits for the next period's run.
   */
  async recoverClawBacks(): Promise<void> {
    for await (const request of ClawBackModel.find({ status: 'pending' }).lean().cursor({ batchSize: 500 })) {
      const line = await this.recoverPaidVisit(request._id, request.providerId, request.reason, `${request.note}：`);
      if (line) await ClawBackModel.updateOne({ _id: request._id, status: 'pending' }, { $set: { status: 'recovered', statementId: line.statementId, recoveredAt: this.now } });
    }
  }

  /**
   * A visit paid in an approved statement is recovered: an adjustment line of minus its subsidy in
   * the provider's draft of this period, under the order's adjustment key (a second recovery of the
   * visit, by any path, finds the first), and the order names the statement that carries it.
   * Answers that line; null when the visit has no paid line or the provider's statement of the
   * period is approved already (the next period's run recovers it).
   */
  private async recoverPaidVisit(orderId: string, providerId: string, reason: ChargeReason, notePrefix: string): Promise<LineDoc | null> {
    const stored = await LineModel.findById(orderId).lean();
    const paid = stored && completeLine(stored as LineDoc);
    const target = await this.draftFor(paid?.providerId ?? providerId);
    if (!paid || !target) return null;
    // The recovery corrects the month that paid it, so it is split as that statement was: the city
    // gets back what the city paid for the visit (issue 21), whatever this month's split is.
    const paidSplit = (await StatementModel.findById(paid.statementId, { fundingSplit: 1 }).lean())?.fundingSplit;
    const { line, isNew } = await insertLine({
      ...chargeLine(target, this.period, paid.providerId, this.now), _id: adjustmentLineId(orderId), kind: 'adjustment', orderId,
      seniorId: paid.seniorId, communityId: paid.communityId, streetId: paid.streetId, serviceTypeCode: paid.serviceTypeCode, scheduledStart: paid.scheduledStart,
      amountFen: -paid.subsidyFen, reason, note: `${notePrefix}追回结算单 ${paid.statementId} 已支付的补贴`,
      correctsPeriod: paid.period, cityFen: paidSplit ? cityPartOf(-paid.subsidyFen, paidSplit.cityPct as number) : null,
    });
    if (isNew) this.wrote(line);
    await attachOrderToStatement(orderId, 'adjustmentStatementId', line.statementId);
    if (line.statementId === target) this.counts.adjustmentsAdded += 1;
    return line;
  }

  /** A provider cancelled a visit it had accepted: a penalty of a share of the order's price. */
  private async chargeCancellation(order: OrderForSettlement): Promise<void> {
    const penalty = order.providerPenalty;
    if (!penalty) return;
    const amountFen = Math.floor((order.priceFen * this.options.config.settlement.providerCancellationPenaltyPct) / 100);
    const target = amountFen > 0 ? await this.draftFor(penalty.providerId) : null;
    if (!target) return;
    const { line, isNew } = await insertLine({
      ...chargeLine(target, this.period, penalty.providerId, this.now), _id: cancellationLineId(order.orderId), kind: 'penalty', orderId: order.orderId,
      seniorId: order.seniorId, communityId: order.communityId, streetId: order.streetId, serviceTypeCode: order.serviceTypeCode, scheduledStart: order.scheduledStart,
      amountFen, reason: 'provider_cancellation', note: penalty.reason,
    });
    if (isNew) this.wrote(line);
    await attachOrderToStatement(order.orderId, 'penaltyStatementId', line.statementId);
    if (line.statementId === target) this.counts.penaltiesAdded += 1;
  }

  /**
   * Late arrival (our rule, documented in the README): a check-in more than the grace period after
   * the scheduled start costs a share of the price, rounded down to the fen; charged with the line.
   */
  private lateArrivalLine(order: OrderForSettlement, statementId: string): LineDoc | null {
    const { lateArrivalGraceMinutes, lateArrivalPenaltyPct } = this.options.config.settlement;
    if (!order.checkInAt || !order.providerId) return null;
    const lateMinutes = Math.floor((order.checkInAt.getTime() - order.scheduledStart.getTime()) / 60_000);
    const amountFen = Math.floor((order.priceFen * lateArrivalPenaltyPct) / 100);
    if (lateMinutes <= lateArrivalGraceMinutes || amountFen <= 0) return null;
    return {
      ...chargeLine(statementId, this.period, order.providerId, this.now), _id: lateLineId(order.orderId), kind: 'penalty', orderId: order.orderId,
      seniorId: order.seniorId, communityId: order.communityId, streetId: order.streetId, serviceTypeCode: order.serviceTypeCode, scheduledStart: order.scheduledStart,
      amountFen, reason: 'late_arrival', note: `签到比预约时间晚 ${lateMinutes} 分钟`,
    };
  }

  /** Penalties an approved statement could not absorb are charged in the provider's next one. */
  async chargeCarriedPenalties(): Promise<void> {
    const owing = await StatementModel.find({ status: { $in: ['approved', 'paid'] }, 'totals.carryForwardFen': { $gt: 0 }, period: { $lt: this.period } }).lean();
    for (const from of owing) {
      if (await LineModel.exists({ _id: carriedPenaltyLineId(from._id) })) continue;
      const target = await this.draftFor(from.providerId);
      if (!target) continue;
      const { line, isNew } = await insertLine({
        ...chargeLine(target, this.period, from.providerId, this.now), _id: carriedPenaltyLineId(from._id), kind: 'penalty',
        amountFen: from.totals.carryForwardFen, reason: 'carried_penalty', note: `${from.period} 超出当期补贴的扣款结转`,
      });
      if (isNew) this.wrote(line);
      this.counts.penaltiesAdded += 1;
    }
  }

  /**
   * Totals and review sample of every draft of the period. A draft this run created and nobody
   * touched since has its sums and sample candidates in memory already (`ownDrafts`); the others
   * (drafts of earlier runs, a resumed run's, one a dispute changed) are read back in ONE pass over
   * their lines (not a query per statement, not a pass each). Totals are written only where no line
   * moved meanwhile; a draft left with nothing in it goes; then the sample checks the drafts still lack.
   */
  async finishDrafts(): Promise<void> {
    const drafts = new Map((await StatementModel.find({ period: this.period, status: 'draft' }).lean()).map((statement) => [statement._id, statement]));
    const { samplePct } = this.options.config.settlement;
    const sample = samplePct > 0 ? await this.sampleSoFar() : null;
    const sums = new Map<string, LineSums>();
    const kept = this.ownSample;
    const others = new Set<string>();
    for (const [id, statement] of drafts) {
      const own = this.ownDrafts.get(id);
      if (own && statement.linesVersion === 0) sums.set(id, own.sums);
      else {
        sums.set(id, emptySums());
        others.add(id);
      }
    }
    // Expected sample still missing per draft read back: its lines at the last refresh plus those
    // this run added (an upper bound, except after a crashed run, when `lowest` asks for a second read).
    const expectedMissing = (id: string) => sampleSizeOf((drafts.get(id)?.lineCount ?? 0) + (this.linesAddedTo.get(id) ?? 0), samplePct) - (sample?.have.get(id) ?? 0);
    const candidates = new SampleCandidates(expectedMissing);
    if (others.size > 0) {
      for await (const stored of LineModel.find({ statementId: { $in: [...others] } }, LINE_PASS_FIELDS).lean().cursor({ batchSize: 1000 })) {
        const line = completeLine(stored as LineDoc);
        const into = sums.get(line.statementId);
        if (!into) continue;
        addLine(into, line);
        if (sample && line.kind === 'service' && !sample.checked.has(line._id)) candidates.offer(line as LineDoc);
      }
    }
    const heldBack = new Map<string, number>();
    for await (const row of HeldBackModel.find({ statementId: { $in: [...drafts.keys()] } }, { statementId: 1 }).lean().cursor({ batchSize: 1000 })) {
      heldBack.set(row.statementId, (heldBack.get(row.statementId) ?? 0) + 1);
    }

    const lineCounts = new Map<string, number>();
    const moved = new Set<string>();
    const lowest = (id: string, count: number) => {
      if (moved.has(id)) return null;
      return others.has(id) ? candidates.lowest(id, count) : kept.lowest(id, count, sample?.checked ?? new Set());
    };
    for (const [id, statement] of drafts) {
      const lineSums = sums.get(id) as LineSums;
      const heldBackCount = heldBack.get(id) ?? 0;
      if (lineSums.lineCount + lineSums.penaltyCount + lineSums.adjustmentCount + heldBackCount === 0) {
        await StatementModel.deleteOne({ _id: id, status: 'draft', linesVersion: statement.linesVersion });
        continue;
      }
      const split = { cityPct: statement.fundingSplit.cityPct as number, districtPct: statement.fundingSplit.districtPct as number };
      lineCounts.set(id, lineSums.lineCount);
      if (!(await writeTotals(id, statement.linesVersion, lineSums, heldBackCount, split))) {
        // A line moved during the pass (a dispute): the draft's own lines again, and its count from
        // them; its sample from its lines too (the candidates in hand may hold the line that left).
        await refreshStatement(id);
        lineCounts.set(id, (await StatementModel.findById(id, { lineCount: 1 }).lean())?.lineCount ?? 0);
        moved.add(id);
      }
    }
    if (sample) await this.sampleDrafts(lineCounts, sample, lowest);
  }

  /** The sample checks of the period so far: which lines have one, and how many count per statement. */
  private async sampleSoFar(): Promise<{ checked: Set<string>; have: Map<string, number> }> {
    const checked = new Set<string>();
    const have = new Map<string, number>();
    for await (const check of SampleCheckModel.find({ period: this.period }, { statementId: 1, status: 1, reason: 1 }).lean().cursor({ batchSize: 1000 })) {
      // A line already sampled counts; one whose check was cancelled (it left and came back) is passed
      // over. A flagged visit's check is not part of the random share: it never takes a drawn place.
      checked.add(check._id);
      if (check.status !== 'cancelled' && check.reason !== 'flagged') have.set(check.statementId, (have.get(check.statementId) ?? 0) + 1);
    }
    return { checked, have };
  }

  /**
   * Review sample: of each draft, the ceil(pct%) lines of lowest seeded rank get a verification
   * callback task for the senior's community. Ranks depend only on the seed and the order, so a
   * re-run picks the same lines, and lines added later join the pick only as the count grows.
   */
  private async sampleDrafts(lineCounts: Map<string, number>, sample: { checked: Set<string>; have: Map<string, number> }, lowestOf: (statementId: string, count: number) => LineDoc[] | null): Promise<void> {
    const { samplePct } = this.options.config.settlement;
    const picks: LineDoc[] = [];
    const reread = new Map<string, number>();
    for (const [id, lineCount] of lineCounts) {
      const missing = sampleSizeOf(lineCount, samplePct) - (sample.have.get(id) ?? 0);
      if (missing <= 0) continue;
      const lowest = lowestOf(id, missing);
      if (lowest) picks.push(...lowest);
      else reread.set(id, missing);
    }
    if (reread.size > 0) {
      const again = new SampleCandidates((id) => reread.get(id) ?? 0);
      const lines = LineModel.find({ statementId: { $in: [...reread.keys()] }, kind: 'service' }, LINE_PASS_FIELDS).lean().cursor({ batchSize: 1000 });
      for await (const line of lines) if (!sample.checked.has(line._id)) again.offer(completeLine(line as LineDoc));
      for (const [id, missing] of reread) picks.push(...(again.lowest(id, missing) ?? []));
    }
    for (let start = 0; start < picks.length; start += 500) await this.openSampleChecks(picks.slice(start, start + 500));
  }

  /**
   * The questions first (the senior asked by SMS, the staff's callback task their fallback:
   * sample-checks.service.ts), then the checks, each batch in one command: a crash between leaves
   * questions whose checks the next run opens (the same lines, the same keys), never a check nobody
   * was asked to make. An answer the senior gave before (the visit was asked already) then does its check.
   */
  private async openSampleChecks(lines: LineDoc[], reason: SampleCheckReason = 'sample'): Promise<void> {
    const questions = await askSampledSeniors(lines, this.options.config, this.now);
    const createdAt = new Date();
    const checks = lines.map((line) => ({
      _id: line._id, statementId: line.statementId, period: line.period, providerId: line.providerId, communityId: line.communityId as string,
      seniorId: line.seniorId as string, serviceTypeCode: line.serviceTypeCode as string, scheduledStart: line.scheduledStart as Date, status: 'open' as const, reason,
      outcome: null, note: null, recordedBy: null, recordedAt: null, createdAt, updatedAt: createdAt,
    }));
    const { taken } = await insertDocs(SampleCheckModel.collection, checks);
    this.counts.sampleChecksOpened += checks.length - taken.length;
    await recordEarlierAnswers(questions, this.options.config);
  }

  private async check(order: OrderForSettlement): Promise<{ reason: HeldBackReason; detail: string } | null> {
    if (!order.confirmation) return { reason: 'NO_CONFIRMATION', detail: '没有核验码确认，也没有回访确认' };
    const visitAt = order.checkInAt ?? order.scheduledStart;
    const day = businessDay(visitAt, this.timeZone);
    const senior = await this.senior(order.seniorId);
    const status = senior ? seniorStatusAt(senior, visitAt, this.timeZone) : null;
    if (status === 'deactivated' && senior?.deactivationReason === 'deceased') return { reason: 'SENIOR_DECEASED', detail: `${day} 老人已去世（${senior.deactivationEffectiveDate} 起注销）` };
    if (status !== 'active') return { reason: 'SENIOR_INACTIVE', detail: status ? `${day} 老人状态为${SENIOR_STATUS_ZH[status as SeniorStatus] ?? status}` : '老人不在登记名册中' };
    const contract = validContractAmong(await this.contractsOf(order.providerId as string), {
      providerId: order.providerId as string, serviceTypeCode: order.serviceTypeCode, communityId: order.communityId, day,
    });
    if (!contract) return { reason: 'NO_VALID_CONTRACT', detail: `${day} 服务商在该社区没有覆盖该服务项目的有效合同` };
    return null;
  }

  /**
   * Confirm-then-redeem: the voucher is spent here if the confirmation's redemption never ran.
   * `redeemed` holds the batch's redemptions read in one go (confirmation normally made them).
   */
  private async redeem(order: OrderForSettlement, redeemed: Map<string, number>): Promise<{ reason: HeldBackReason; detail: string } | null> {
    if (order.subsidyFen === 0) return null;
    const refuse = (detail: string) => ({ reason: 'VOUCHER_NOT_REDEEMABLE' as const, detail });
    if (!order.holdRef) return refuse('订单有补贴但没有服务券冻结记录');
    try {
      let amountFen = redeemed.get(order.holdRef);
      if (amountFen === undefined) {
        const redemption = await redeemForOrder({ orderId: order.holdRef, by: this.options.by });
        if (!redemption) return refuse('找不到该订单的服务券冻结记录');
        amountFen = -redemption.entry.balanceDeltaFen;
      }
      return amountFen === order.subsidyFen ? null : refuse(`服务券核销 ${amountFen} 分，与订单补贴 ${order.subsidyFen} 分不符`);
    } catch (error) {
      // The refusal in words (error.message is the code or English): the catalogue's and the details'.
      if (error instanceof DomainError) return refuse(`服务券无法核销：${[ERROR_MESSAGES[error.code].zh, ...error.details.map((detail) => detail.message)].join('；')}`);
      throw error;
    }
  }

  private async holdBack(statementId: string, order: OrderForSettlement, reasonCode: HeldBackReason, detail: string): Promise<void> {
    const id = `${statementId}:${order.orderId}`;
    await HeldBackModel.updateOne(
      { _id: id },
      { $set: { statementId, period: this.period, providerId: order.providerId, orderId: order.orderId, reasonCode, detail, checkedAt: this.now } },
      { upsert: true },
    );
    for (const other of (this.heldBackOf.get(order.orderId) ?? []).filter((heldBackId) => heldBackId !== id)) await HeldBackModel.deleteOne({ _id: other });
    this.heldBackOf.set(order.orderId, [id]);
    this.sort('heldBack', reasonCode);
    logger.info({ orderId: order.orderId, statementId, reasonCode }, 'visit held back from settlement');
  }

  /** The provider's draft of this period, created if missing; null once it is approved. */
  private async draftFor(providerId: string): Promise<string | null> {
    const id = statementIdOf(this.period, providerId);
    if (!this.statementStatus.has(id)) {
      // Once per statement even when asked twice at once: a second upsert finding the draft would
      // reset its sums kept in memory (ownDrafts) — and the lines already counted in them.
      let lookup = this.draftLookups.get(id);
      if (!lookup) {
        lookup = this.lookUpDraft(id, providerId).finally(() => this.draftLookups.delete(id));
        this.draftLookups.set(id, lookup);
      }
      await lookup;
    }
    return this.statementStatus.get(id) === 'draft' ? id : null;
  }

  private async lookUpDraft(id: string, providerId: string): Promise<void> {
    const provider = await getProvider(providerId);
    const statement = await StatementModel.findOneAndUpdate(
      { _id: id },
      {
        $setOnInsert: {
          period: this.period, providerId, providerName: provider?.name ?? providerId, status: 'draft', totals: ZERO_TOTALS,
          lineCount: 0, penaltyCount: 0, adjustmentCount: 0, heldBackCount: 0, fundingSplit: this.split, linesVersion: 0,
        },
      },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    this.statementStatus.set(id, (statement?.status as StatementStatus | undefined) ?? null);
    // Every draft existing when the run began is known since prepare() and no statement returns
    // to draft, so a draft found here is one this upsert created (one run at a time: the lease).
    if (statement?.status === 'draft' && !this.resumed) this.ownDrafts.set(id, { sums: emptySums() });
  }

  private async statusOf(statementId: string): Promise<StatementStatus | null> {
    if (!this.statementStatus.has(statementId)) {
      const statement = await StatementModel.findById(statementId, { status: 1 }).lean();
      this.statementStatus.set(statementId, (statement?.status as StatementStatus | undefined) ?? null);
    }
    return this.statementStatus.get(statementId) ?? null;
  }

  private async senior(seniorId: string): Promise<SeniorSettlementFacts | null> {
    if (!this.seniors.has(seniorId)) await this.loadSeniors([seniorId]);
    return this.seniors.get(seniorId) ?? null;
  }

  /** Reads the facts of the seniors not known yet in one command (bounded cache: memory stays flat). */
  private async loadSeniors(seniorIds: string[]): Promise<void> {
    const missing = [...new Set(seniorIds)].filter((id) => !this.seniors.has(id));
    if (missing.length === 0) return;
    if (this.seniors.size + missing.length > MAX_CACHED_SENIORS) this.seniors.clear();
    const facts = await seniorsSettlementFacts(missing, this.period);
    for (const id of missing) this.seniors.set(id, facts.get(id) ?? null);
  }

  private async contractsOf(providerId: string): Promise<ContractView[]> {
    let contracts = this.contracts.get(providerId);
    if (!contracts) {
      contracts = await contractsOfProvider(providerId);
      this.contracts.set(providerId, contracts);
    }
    return contracts;
  }
}

/** What the end-of-run pass reads of each line: the totals' amounts and a sample check's facts. */
const LINE_PASS_FIELDS = {
  statementId: 1, kind: 1, priceFen: 1, subsidyFen: 1, selfPayFen: 1, amountFen: 1, cityFen: 1, adjustmentStatus: 1,
  period: 1, providerId: 1, communityId: 1, seniorId: 1, serviceTypeCode: 1, scheduledStart: 1, sampleRank: 1,
} as const;

/**
 * The visits already paid per claim key ('<seniorId>:<service>:<day>'), each orderId → [startMs, endMs]:
 * the service lines holding those keys, in one command. A line written before lines carried their
 * span takes it from the legacy claim documents.
 */
async function claimedVisits(claimKeys: string[]): Promise<Map<string, Map<string, [number, number]>>> {
  const claims = new Map<string, Map<string, [number, number]>>();
  if (claimKeys.length === 0) return claims;
  const lines = await LineModel.find({ claimKey: { $in: claimKeys } }, { claimKey: 1, visitStartMs: 1, visitEndMs: 1 }).batchSize(1000).lean();
  const spanless = (line: (typeof lines)[number]) => line.visitStartMs === null || line.visitStartMs === undefined;
  const legacy = lines.filter(spanless);
  const legacySpans = new Map<string, Record<string, [number, number]>>();
  if (legacy.length > 0) {
    for (const claim of await VisitClaimModel.find({ _id: { $in: [...new Set(legacy.map((line) => line.claimKey as string))] } }).lean()) {
      legacySpans.set(claim._id, claim.visits as Record<string, [number, number]>);
    }
  }
  for (const line of lines) {
    const key = line.claimKey as string;
    const span: [number, number] | undefined = spanless(line) ? legacySpans.get(key)?.[line._id] : [line.visitStartMs as number, line.visitEndMs as number];
    if (!span) continue; // a legacy line without its claim entry (a crash mid-way through taking it out)
    claims.set(key, (claims.get(key) ?? new Map()).set(line._id, span));
  }
  return claims;
}


/** The fields every penalty or adjustment line shares. */
function chargeLine(statementId: string, period: string, providerId: string, now: Date) {
  return {
    statementId, period, providerId, orderId: null, seniorId: null, communityId: null, streetId: null, serviceTypeCode: null, category: null,
    quantity: 0, scheduledStart: null, confirmedAt: null, priceFen: 0, subsidyFen: 0, selfPayFen: 0, carriedOver: false, claimKey: null, visitStartMs: null, visitEndMs: null, sampleRank: null, createdAt: now,
    correctsPeriod: null, cityFen: null, adjustmentStatus: null, reference: null, enteredBy: null, decidedBy: null, decidedAt: null, decisionNote: null,
  };
}

/** Inserts a line under its key; if the key exists (a repeat, or another statement has it), answers that line. */
async function insertLine(line: Partial<LineDoc> & { _id: string }): Promise<{ line: LineDoc; isNew: boolean }> {
  try {
    await LineModel.create(line);
    return { line: line as LineDoc, isNew: true };
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const existing = await LineModel.findById(line._id).lean();
    if (!existing) throw error;
    return { line: completeLine(existing as LineDoc), isNew: false };
  }
}

/**
 * Many lines in one command; answers which keys it wrote. The lines are complete documents (every
 * field the schema has, typed so), written as `storedLine` shapes them: building a mongoose document
 * per line to apply defaults cost more than the insert itself.
 */
async function insertLines(lines: LineDoc[]): Promise<{ inserted: Set<string> }> {
  const { taken } = await insertDocs(LineModel.collection, lines.map(storedLine));
  const takenIds = new Set(taken.map((doc) => doc._id));
  return { inserted: new Set(lines.filter((line) => !takenIds.has(line._id)).map((line) => line._id)) };
}

/** Periods are Asia/Shanghai months; a run for a month that has not begun yet makes no sense. */
export function assertPeriodRunnable(period: string, now: Date, timeZone: string): void {
  if (period > businessMonth(now, timeZone)) throw new DomainError('VALIDATION_FAILED', [{ path: 'period', message: `${period} 尚未开始` }]);
}

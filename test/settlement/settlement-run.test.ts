import { expect } from 'chai';
import mongoose from 'mongoose';
import request from 'supertest';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { ContractModel } from '../../src/organisation/contracts.model.ts';
import { runSettlement, settlementFaults } from '../../src/settlement/index.ts';
import { HeldBackModel, LineModel, RunProgressModel, SampleCheckModel, StatementModel, VisitClaimModel, completeLine, type LineDoc } from '../../src/settlement/settlement.model.ts';
import { transitionSenior } from '../../src/seniors/index.ts';
import { createTestApp, testConfig } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { settlementWorld, shanghai, type SettlementWorld } from './settlement.fixtures.ts';
import { settlementSnapshot } from './settlement-snapshot.ts';

type Totals = { grossFen: number; subsidyFen: number; selfPayFen: number; penaltyFen: number; adjustmentFen: number; payableFen: number; cityFen: number; districtFen: number; carryForwardFen: number };
type Statement = { id: string; providerId: string; status: string; totals: Totals; lineCount: number; penaltyCount: number; heldBackCount: number; fundingSplit: { cityPct: number } };
type Line = { orderId: string; priceFen: number; subsidyFen: number; selfPayFen: number; carriedOver: boolean };

describe('settlement run: statements, re-runs, carry-over, held-back visits and crash resumption', function () {
  this.timeout(180_000);
  useTestDatabase();
  const { app, config } = createTestApp({ env: { SETTLEMENT_SAMPLE_PCT: '0' } });
  let w: SettlementWorld;

  beforeEach(async () => {
    await clearCollections();
    w = await settlementWorld(config);
    await w.issue('2026-09', '2026-10', '2026-11');
  });
  afterEach(() => {
    settlementFaults.afterBatch = null;
    settlementFaults.afterWrite = null;
    settlementFaults.afterReads = null;
    settlementFaults.beforeWrite = null;
  });

  /** Holds the first batch's writes until the second batch's reads are done: those reads cannot see them. */
  function readSecondBatchBeforeFirstIsWritten(): void {
    let secondRead!: () => void;
    const secondReadDone = new Promise<void>((resolve) => { secondRead = resolve; });
    settlementFaults.afterReads = (batchNumber) => { if (batchNumber === 2) secondRead(); };
    settlementFaults.beforeWrite = async (batchNumber) => { if (batchNumber === 1) await secondReadDone; };
  }

  const run = (period: string) => request(app).post('/api/v1/settlements').set('Authorization', w.finance.authorization).send({ period });
  const detail = async (id: string) => (await request(app).get(`/api/v1/settlements/statements/${id}`).set('Authorization', w.finance.authorization)).body;
  const approve = (id: string) => request(app).post(`/api/v1/settlements/statements/${id}/approve`).set('Authorization', w.finance.authorization).send({});
  const statementOf = (statements: Statement[], providerId: string) => statements.find((s) => s.providerId === providerId) as Statement;

  /** Totals equal the sum of the lines; the split adds up exactly, the city's share rounded down. */
  function expectConsistent(statement: Statement & { lines: Line[]; penalties: { amountFen: number }[]; adjustments: { amountFen: number }[] }) {
    const sum = (key: 'priceFen' | 'subsidyFen' | 'selfPayFen') => statement.lines.reduce((total, line) => total + (line[key] as number), 0);
    expect(statement.totals.grossFen).to.equal(sum('priceFen'));
    expect(statement.totals.subsidyFen).to.equal(sum('subsidyFen'));
    expect(statement.totals.selfPayFen).to.equal(sum('selfPayFen'));
    expect(statement.totals.penaltyFen).to.equal(statement.penalties.reduce((t, p) => t + p.amountFen, 0));
    expect(statement.totals.adjustmentFen).to.equal(statement.adjustments.reduce((t, a) => t + a.amountFen, 0));
    const net = statement.totals.subsidyFen + statement.totals.adjustmentFen - statement.totals.penaltyFen;
    expect(statement.totals.payableFen).to.equal(Math.max(0, net));
    expect(statement.totals.carryForwardFen).to.equal(Math.max(0, -net));
    expect(statement.totals.cityFen + statement.totals.districtFen).to.equal(statement.totals.payableFen);
    expect(statement.totals.cityFen).to.equal(Math.floor((statement.totals.payableFen * statement.fundingSplit.cityPct) / 100));
    expect(statement.lineCount).to.equal(statement.lines.length);
  }

  it('makes one statement per provider whose totals are the sum of its lines, split city/district exactly', async () => {
    const poor = await w.senior('north', ['three_nos']);
    const alone = await w.senior('north', ['living_alone']);
    const nest = await w.senior('south', ['empty_nest']);
    const visits = [
      await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00') }),
      await w.visit({ seniorId: alone, side: 'north', service: 'meal', quantity: 3, at: shanghai('2026-10-06 11:00') }),
      await w.visit({ seniorId: nest, side: 'south', at: shanghai('2026-10-07 09:00'), confirm: 'callback', satisfaction: 4 }),
      await w.visit({ seniorId: nest, side: 'south', service: 'meal', at: shanghai('2026-10-08 11:00') }),
    ];
    // Confirmed in September, never settled (September was not run): carried over into October.
    const september = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-09-20 09:00') });
    visits.push(september);
    await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-11-02 09:00') }); // a later period: not in October

    const res = await run('2026-10');

    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.period).to.equal('2026-10');
    expect(res.body.ordersSettled).to.equal(5);
    expect(res.body.statements).to.have.length(2);
    const orders = await OrderModel.find({ _id: { $in: visits } }).lean();
    for (const provider of [w.providerA, w.providerB]) {
      const statement = await detail(statementOf(res.body.statements, provider.id).id);
      expect(statement.status).to.equal('draft');
      expect(statement.fundingSplit).to.deep.equal({ cityPct: 60, districtPct: 40 });
      expectConsistent(statement);
      for (const line of statement.lines as Line[]) {
        const order = orders.find((o) => String(o._id) === line.orderId)!;
        expect(order.providerId).to.equal(provider.id);
        expect([line.priceFen, line.subsidyFen, line.selfPayFen]).to.deep.equal([order.priceFen, order.subsidyFen, order.selfPayFen]);
        expect(line.carriedOver).to.equal(line.orderId === september);
      }
      expect(statement.lines).to.have.length(provider === w.providerA ? 3 : 2);
    }
    // Two categories at different rates on A, 30% on B: the figures are not round, the split still adds up.
    const a = statementOf(res.body.statements, w.providerA.id);
    expect(a.totals.grossFen).to.equal(4_000 + 3 * 1_333 + 4_000);
    expect(res.body.payableFen).to.equal(res.body.statements.reduce((t: number, s: Statement) => t + s.totals.payableFen, 0));
    // A run writes no order (a visit's line is keyed by its order); approval names the statement on them.
    expect(await OrderModel.countDocuments({ statementId: { $ne: null } })).to.equal(0);
    expect(await LineModel.countDocuments({ _id: { $in: visits }, kind: 'service' })).to.equal(5);
  });

  it('answers the same statements on a re-run and adds nothing', async () => {
    const poor = await w.senior('north', ['three_nos']);
    const nest = await w.senior('south', ['empty_nest']);
    await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00') });
    await w.visit({ seniorId: nest, side: 'south', at: shanghai('2026-10-07 09:00') });
    const first = await run('2026-10');
    const before = await settlementSnapshot();

    const again = await run('2026-10');

    expect(again.status).to.equal(200);
    expect(again.body.counts.linesAdded).to.equal(0);
    expect(again.body.statements.map((s: Statement) => [s.id, s.totals, s.lineCount])).to.deep.equal(first.body.statements.map((s: Statement) => [s.id, s.totals, s.lineCount]));
    expect(await settlementSnapshot()).to.deep.equal(before);
  });

  it('puts a visit confirmed after a run into the same draft, and one confirmed after approval into the next period as carried over', async () => {
    const poor = await w.senior('north', ['three_nos']);
    await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00') });
    const early = await run('2026-10');
    const statementId = statementOf(early.body.statements, w.providerA.id).id;

    const later = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-20 09:00') });
    await run('2026-10');
    expect((await detail(statementId)).lines.map((l: Line) => l.orderId)).to.include(later);

    expect((await approve(statementId)).status).to.equal(200);
    const afterApproval = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-28 09:00') });
    const rerun = await run('2026-10');
    expect(statementOf(rerun.body.statements, w.providerA.id).lineCount).to.equal(2);
    const november = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-11-02 09:00') });

    const next = await run('2026-11');

    const nov = await detail(statementOf(next.body.statements, w.providerA.id).id);
    expect(nov.period).to.equal('2026-11');
    const carried = Object.fromEntries((nov.lines as Line[]).map((l) => [l.orderId, l.carriedOver]));
    expect(carried).to.deep.equal({ [afterApproval]: true, [november]: false });
    expectConsistent(nov);
    expect((await OrderModel.findById(afterApproval).lean())!.statementId).to.equal(null);
    expect((await approve(nov.id)).status).to.equal(200);
    expect(await OrderModel.findById(afterApproval).lean()).to.include({ statementId: nov.id, status: 'settled' });
  });

  it('never changes an approved statement: approving again, a re-run and a dispute leave it as it was', async () => {
    const poor = await w.senior('north', ['three_nos']);
    const orderId = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00') });
    await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-06 09:00') });
    const statementId = statementOf((await run('2026-10')).body.statements, w.providerA.id).id;
    const approved = await approve(statementId);
    expect(approved.body.status).to.equal('approved');
    expect(approved.body.approvedBy).to.equal(w.finance.actor.id);
    expect((await OrderModel.findById(orderId).lean())!.status).to.equal('settled');
    const frozen = await detail(statementId);

    const twice = await approve(statementId);
    await run('2026-10');
    const disputed = await request(app).post(`/api/v1/service-orders/${orderId}/dispute`).set('Authorization', w.finance.authorization).send({ reason: '家属投诉未上门' });

    expect(twice.status).to.equal(409);
    expect(twice.body.error.code).to.equal('STATEMENT_LOCKED');
    expect(disputed.status).to.equal(200);
    const after = await detail(statementId);
    expect({ ...after, updatedAt: null }).to.deep.equal({ ...frozen, updatedAt: null });
  });

  it('recovers a visit rejected after approval as an adjustment line in the provider\'s next statement', async () => {
    const poor = await w.senior('north', ['three_nos']);
    const orderId = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00') });
    await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-06 09:00') });
    const october = statementOf((await run('2026-10')).body.statements, w.providerA.id);
    await approve(october.id);
    const paidSubsidy = (await LineModel.findById(orderId).lean())!.subsidyFen;
    const auth = w.finance.authorization;
    await request(app).post(`/api/v1/service-orders/${orderId}/dispute`).set('Authorization', auth).send({ reason: '回访核实未服务' });
    expect((await request(app).post(`/api/v1/service-orders/${orderId}/resolve-dispute`).set('Authorization', auth).send({ outcome: 'invalid', note: '确认未上门' })).status).to.equal(200);
    await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-11-03 09:00') });

    const november = await detail(statementOf((await run('2026-11')).body.statements, w.providerA.id).id);

    expect(november.adjustments).to.have.length(1);
    expect(november.adjustments[0]).to.include({ id: `adjust:${orderId}`, reason: 'visit_rejected', amountFen: -paidSubsidy, orderId });
    expectConsistent(november);
    expect((await OrderModel.findById(orderId).lean())!.adjustmentStatementId).to.equal(november.id);
    expect((await run('2026-11')).body.counts.adjustmentsAdded).to.equal(0);
  });

  it('recovers a visit disputed between its statement\'s approval and the marking of its orders, once rejected', async () => {
    const poor = await w.senior('north', ['three_nos']);
    const orderId = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00') });
    const october = statementOf((await run('2026-10')).body.statements, w.providerA.id);
    await approve(october.id);
    // As if approval had stopped right after the status changed: its orders not yet settled nor naming it.
    await OrderModel.updateOne({ _id: orderId }, { $set: { status: 'confirmed', statementId: null } });
    await StatementModel.updateOne({ _id: october.id }, { $set: { ordersSettledAt: null } });
    const auth = w.finance.authorization;

    expect((await request(app).post(`/api/v1/service-orders/${orderId}/dispute`).set('Authorization', auth).send({ reason: '回访核实未服务' })).status).to.equal(200);
    expect((await OrderModel.findById(orderId).lean())!.statementId).to.equal(october.id); // the dispute hook named the statement that paid it
    expect((await request(app).post(`/api/v1/service-orders/${orderId}/resolve-dispute`).set('Authorization', auth).send({ outcome: 'invalid', note: '确认未上门' })).status).to.equal(200);
    await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-11-03 09:00') });
    const november = await detail(statementOf((await run('2026-11')).body.statements, w.providerA.id).id);

    expect(november.adjustments.map((a: { id: string; amountFen: number }) => [a.id, a.amountFen])).to.deep.equal([[`adjust:${orderId}`, -(await LineModel.findById(orderId).lean())!.subsidyFen]]);
    expect(await OrderModel.findById(orderId).lean()).to.include({ status: 'rejected', statementId: october.id, adjustmentStatementId: november.id });
    expect((await StatementModel.findById(october.id).lean())!.ordersSettledAt).to.not.equal(null); // the run finished the approval
  });

  it('holds back visits that fail a check with a reason code, and takes them in once the check passes', async () => {
    const poor = await w.senior('north', ['three_nos']);
    const nest = await w.senior('south', ['empty_nest']);
    const leaving = await w.senior('north', ['living_alone']);
    const dying = await w.senior('north', ['living_alone']);
    const fine = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00') });
    const duplicate = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:30'), secondCaregiver: true });
    const uncontracted = await w.visit({ seniorId: nest, side: 'south', at: shanghai('2026-10-07 09:00') });
    const afterDeparture = await w.visit({ seniorId: leaving, side: 'north', at: shanghai('2026-10-09 09:00') });
    const unconfirmed = await w.visit({ seniorId: poor, side: 'north', service: 'meal', at: shanghai('2026-10-10 11:00') });
    const afterDeath = await w.visit({ seniorId: dying, side: 'north', at: shanghai('2026-10-11 09:00') });
    await OrderModel.updateOne({ _id: unconfirmed }, { $set: { confirmation: null } });
    // The move away is reported on the 12th, effective the 8th: the visit of the 9th is not payable.
    await transitionSenior(leaving, { action: 'deactivate', reason: 'moved_out', effectiveDate: '2026-10-08' }, w.seniorCtx(w.admin, shanghai('2026-10-12 10:00')));
    // A death on the 11th, reported on the 14th: the visit recorded that morning is not payable either, under its own code.
    await transitionSenior(dying, { action: 'deactivate', reason: 'deceased', effectiveDate: '2026-10-11' }, w.seniorCtx(w.admin, shanghai('2026-10-14 10:00')));
    await ContractModel.updateOne({ _id: w.contractB.id }, { $set: { validTo: '2026-09-30' } });

    const res = await run('2026-10');

    const a = await detail(statementOf(res.body.statements, w.providerA.id).id);
    const b = await detail(statementOf(res.body.statements, w.providerB.id).id);
    expect(a.lines.map((l: Line) => l.orderId)).to.deep.equal([fine]);
    const reasons = (statement: { heldBack: { orderId: string; reasonCode: string }[] }) => Object.fromEntries(statement.heldBack.map((h) => [h.orderId, h.reasonCode]));
    expect(reasons(a)).to.deep.equal({ [duplicate]: 'DUPLICATE_VISIT', [afterDeparture]: 'SENIOR_INACTIVE', [afterDeath]: 'SENIOR_DECEASED', [unconfirmed]: 'NO_CONFIRMATION' });
    expect(a.heldBack.find((h: { orderId: string }) => h.orderId === afterDeath).detail).to.equal('2026-10-11 老人已去世（2026-10-11 起注销）');
    expect(a.heldBack.find((h: { orderId: string }) => h.orderId === afterDeparture).detail).to.equal('2026-10-09 老人状态为已注销');
    expect(reasons(b)).to.deep.equal({ [uncontracted]: 'NO_VALID_CONTRACT' });
    // What finance reads beside each code is plain Chinese.
    for (const row of [...a.heldBack, ...b.heldBack] as { detail: string }[]) {
      expect(row.detail).to.match(/[\u4e00-\u9fff]/);
      expect(row.detail).to.not.match(/\b[a-z]{3,}\b/i); // no English word (an order id may appear)
    }
    expect(b.lineCount).to.equal(0);
    expect(b.heldBackCount).to.equal(1);
    expect(b.totals.payableFen).to.equal(0);

    await ContractModel.updateOne({ _id: w.contractB.id }, { $set: { validTo: '2099-12-31' } });
    const rerun = await run('2026-10');

    const b2 = await detail(statementOf(rerun.body.statements, w.providerB.id).id);
    expect(b2.lines.map((l: Line) => l.orderId)).to.deep.equal([uncontracted]);
    expect(b2.heldBack).to.deep.equal([]);
    expect(reasons(await detail(a.id))).to.have.keys(duplicate, afterDeparture, afterDeath, unconfirmed);
  });

  it('holds back a visit overlapping one paid on a line written before lines carried their span (the legacy claim)', async () => {
    const poor = await w.senior('north', ['three_nos']);
    const paid = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00') });
    expect((await run('2026-10')).status).to.equal(200);
    const line = await LineModel.findById(paid).lean();
    // As a line of the earlier layout: no span of its own, the span in the claim document.
    await LineModel.updateOne({ _id: paid }, { $set: { visitStartMs: null, visitEndMs: null } });
    await VisitClaimModel.create({ _id: line!.claimKey as string, visits: { [paid]: [line!.visitStartMs, line!.visitEndMs] } });
    const overlapping = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:30'), secondCaregiver: true });
    const sameDayLater = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 15:00'), secondCaregiver: true });

    const rerun = await run('2026-10');

    const statement = await detail(statementOf(rerun.body.statements, w.providerA.id).id);
    expect(statement.lines.map((l: Line) => l.orderId).sort()).to.deep.equal([paid, sameDayLater].sort());
    expect(statement.heldBack.map((h: { orderId: string; reasonCode: string }) => [h.orderId, h.reasonCode])).to.deep.equal([[overlapping, 'DUPLICATE_VISIT']]);
    // The new line is its own claim: the key and the span the duplicate check reads.
    const later = await LineModel.findById(sameDayLater).lean();
    expect(later!.claimKey).to.equal(line!.claimKey);
    expect(later!.visitEndMs! - later!.visitStartMs!).to.be.greaterThan(0);
  });

  it('holds back a duplicate in the next batch although that batch was read before the first visit\'s line was written', async () => {
    const poor = await w.senior('north', ['three_nos']);
    const first = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00') });
    const duplicate = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:30'), secondCaregiver: true });
    readSecondBatchBeforeFirstIsWritten();

    const counts = await runSettlement('2026-10', { by: 'test', runId: 'pipelined', config, batchSize: 1 });

    expect(counts).to.include({ batches: 2, linesAdded: 1, heldBack: 1 });
    expect((await LineModel.find({ kind: 'service' }).lean()).map((line) => line._id)).to.deep.equal([first]);
    expect((await HeldBackModel.find({}).lean()).map((row) => [row.orderId, row.reasonCode])).to.deep.equal([[duplicate, 'DUPLICATE_VISIT']]);
  });

  it('pays a visit in the next batch that overlaps one whose line this batch took out (a dispute whose hook never ran)', async () => {
    const poor = await w.senior('north', ['three_nos']);
    const disputed = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00') });
    expect((await run('2026-10')).status).to.equal(200);
    expect(await LineModel.exists({ _id: disputed })).to.not.equal(null);
    // Disputed as the dispute would, but the hook that takes the line out at once did not run (a crash).
    await OrderModel.updateOne({ _id: disputed }, { $set: { status: 'disputed' } });
    const real = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:30'), secondCaregiver: true });
    readSecondBatchBeforeFirstIsWritten();

    const counts = await runSettlement('2026-10', { by: 'test', runId: 'pipelined', config, batchSize: 1 });

    expect(counts).to.include({ linesTakenOut: 1, linesAdded: 1, heldBack: 0 });
    expect((await LineModel.find({ kind: 'service' }).lean()).map((line) => line._id)).to.deep.equal([real]);
    expect(await HeldBackModel.countDocuments({})).to.equal(0);
  });

  it('ends an interrupted run, resumed, with exactly the statements of an uninterrupted run', async () => {
    const runConfig = testConfig({ SETTLEMENT_SAMPLE_PCT: '20' });
    const poor = await w.senior('north', ['three_nos']);
    const alone = await w.senior('north', ['living_alone']);
    const nest = await w.senior('south', ['empty_nest']);
    await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-09-28 09:00') }); // carried over from September
    for (let day = 1; day <= 6; day += 1) await w.visit({ seniorId: alone, side: 'north', service: day % 2 ? 'clean' : 'meal', at: shanghai(`2026-10-0${day} 09:00`), lateMinutes: day === 3 ? 45 : 0 });
    for (let day = 1; day <= 5; day += 1) await w.visit({ seniorId: nest, side: 'south', at: shanghai(`2026-10-1${day} 09:00`) });
    await w.visit({ seniorId: alone, side: 'north', at: shanghai('2026-10-01 09:20'), secondCaregiver: true }); // a duplicate
    await w.cancelledByProvider({ seniorId: nest, side: 'south', at: shanghai('2026-10-20 09:00') });

    settlementFaults.afterBatch = (batch) => {
      if (batch === 3) throw new Error('injected crash after batch 3');
    };
    let crashed: unknown;
    await runSettlement('2026-10', { by: 'test', runId: 'run-1', config: runConfig, batchSize: 2 }).catch((error: unknown) => { crashed = error; });
    expect(String(crashed)).to.contain('injected crash');
    expect((await RunProgressModel.findById('2026-10').lean())).to.include({ status: 'running', batches: 3 });
    settlementFaults.afterBatch = null;
    const resumed = await runSettlement('2026-10', { by: 'test', runId: 'run-2', config: runConfig, batchSize: 2 });
    expect(resumed.resumed).to.equal(1);
    const afterCrash = await settlementSnapshot();

    // The same month settled from nothing, in one go.
    for (const model of [StatementModel, LineModel, HeldBackModel, SampleCheckModel, VisitClaimModel, RunProgressModel] as const) await (model as typeof StatementModel).deleteMany({});
    await OrderModel.updateMany({}, { $set: { statementId: null, penaltyStatementId: null, adjustmentStatementId: null } });
    const clean = await runSettlement('2026-10', { by: 'test', runId: 'run-3', config: runConfig, batchSize: 500 });
    expect(clean.resumed).to.equal(0);

    const uninterrupted = await settlementSnapshot();
    expect(afterCrash).to.deep.equal(uninterrupted);
    expect(uninterrupted.statements).to.have.length(2);
    expect(uninterrupted.lines.filter((l) => l.kind === 'service')).to.have.length(12);
    expect(uninterrupted.lines.filter((l) => l.kind === 'penalty').map((l) => l.reason).sort()).to.deep.equal(['late_arrival', 'provider_cancellation']);
    expect(uninterrupted.heldBack.map((h) => h.reasonCode)).to.deep.equal(['DUPLICATE_VISIT']);
    expect(uninterrupted.sampleChecks).to.have.length(Math.ceil(7 * 0.2) + Math.ceil(5 * 0.2));
    expect(uninterrupted.lines.find((l) => l.carriedOver)).to.not.equal(undefined);
  });

  it('ends a run that died between the writes of a batch with exactly the statements of an uninterrupted run', async () => {
    const poor = await w.senior('south', ['three_nos']);
    const alone = await w.senior('north', ['living_alone']);
    for (let day = 1; day <= 6; day += 1) await w.visit({ seniorId: alone, side: 'north', service: day % 2 ? 'clean' : 'meal', at: shanghai(`2026-10-0${day} 09:00`), lateMinutes: day % 3 === 0 ? 45 : 0 });
    for (let day = 1; day <= 3; day += 1) await w.visit({ seniorId: poor, side: 'south', at: shanghai(`2026-10-1${day} 09:00`), lateMinutes: 40 });
    await w.visit({ seniorId: alone, side: 'north', at: shanghai('2026-10-01 09:20'), secondCaregiver: true }); // a duplicate
    const resetSettlement = async () => {
      for (const model of [StatementModel, LineModel, HeldBackModel, SampleCheckModel, VisitClaimModel, RunProgressModel] as const) await (model as typeof StatementModel).deleteMany({});
      await OrderModel.updateMany({}, { $set: { statementId: null, penaltyStatementId: null, adjustmentStatementId: null } });
    };
    await runSettlement('2026-10', { by: 'test', runId: 'clean', config, batchSize: 4 });
    const uninterrupted = await settlementSnapshot();

    for (const step of ['lines', 'penalties'] as const) {
      await resetSettlement();
      let crashes = 0;
      settlementFaults.afterWrite = (at) => {
        if (at === step && crashes === 0) {
          crashes += 1;
          throw new Error(`injected crash after the ${at} of a batch`);
        }
      };
      const crashed = await runSettlement('2026-10', { by: 'test', runId: `crash-${step}`, config, batchSize: 4 }).then(() => null, (error: unknown) => error);
      expect(String(crashed)).to.contain(`after the ${step}`);
      await runSettlement('2026-10', { by: 'test', runId: `resume-${step}`, config, batchSize: 4 });
      expect(await settlementSnapshot(), step).to.deep.equal(uninterrupted);
    }
    settlementFaults.afterWrite = null;
    expect(uninterrupted.lines.filter((l) => l.kind === 'service')).to.have.length(9);
    expect(uninterrupted.lines.filter((l) => l.reason === 'late_arrival')).to.have.length(5);
    expect(uninterrupted.heldBack.map((h) => h.reasonCode)).to.deep.equal(['DUPLICATE_VISIT']);
    // Lines are written as plain documents (no mongoose document per line). A charge line has every
    // field of the schema; a service line leaves out what its statement and its _id already say, and
    // read back it has every field again, with the values it was written from.
    const repeats = [
      'period', 'providerId', 'orderId', 'streetId', 'amountFen', 'reason', 'note', 'carriedOver',
      'correctsPeriod', 'cityFen', 'adjustmentStatus', 'reference', 'enteredBy', 'decidedBy', 'decidedAt', 'decisionNote',
    ];
    const schemaFields = Object.keys(LineModel.schema.paths).sort();
    for (const raw of await LineModel.collection.find({}).toArray()) {
      const stored = Object.keys(raw).sort();
      if (raw.kind !== 'service') expect(stored, String(raw._id)).to.deep.equal(schemaFields);
      else {
        expect(stored, String(raw._id)).to.deep.equal(schemaFields.filter((field) => !repeats.includes(field) || (field === 'carriedOver' && raw.carriedOver === true)));
        const line = completeLine(raw as never as LineDoc);
        expect(Object.keys(line).sort()).to.deep.equal(schemaFields);
        expect([line.orderId, line.period, line.providerId, line.amountFen, line.reason]).to.deep.equal([raw._id, '2026-10', String(raw.statementId).slice(8), 0, null]);
      }
    }
  });

  it('lets one of two runs started together do the work; the other answers that it is running', async () => {
    const poor = await w.senior('north', ['three_nos']);
    for (let day = 1; day <= 3; day += 1) await w.visit({ seniorId: poor, side: 'north', at: shanghai(`2026-10-0${day} 09:00`) });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let reachedGate!: () => void;
    const atGate = new Promise<void>((resolve) => { reachedGate = resolve; });
    settlementFaults.afterBatch = async () => {
      reachedGate();
      await gate;
    };

    const first = run('2026-10').then((res) => res);
    await atGate;
    const second = await run('2026-10');
    release();
    const done = await first;

    expect(second.status).to.equal(409);
    expect(second.body.error.code).to.equal('JOB_RUNNING');
    expect(done.status).to.equal(200);
    expect(done.body.ordersSettled).to.equal(3);
    expect(await LineModel.countDocuments({})).to.equal(3);
    expect(await StatementModel.countDocuments({})).to.equal(1);
  });

  it('refuses a month that has not begun and a month without a voucher policy', async () => {
    const future = await run('2099-01');
    const noPolicy = await run('2019-12');
    const malformed = await run('2026-13');

    expect(future.status).to.equal(400);
    expect(future.body.error.details[0].path).to.equal('period');
    expect(noPolicy.status).to.equal(422);
    expect(noPolicy.body.error.code).to.equal('RULE_VIOLATION');
    expect(malformed.status).to.equal(400);
    expect(await StatementModel.countDocuments({})).to.equal(0);
    expect(mongoose.connection.readyState).to.equal(1);
  });
});

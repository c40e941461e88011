import { expect } from 'chai';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { runSettlement, settlementFaults } from '../../src/settlement/index.ts';
import { LineModel, SampleCheckModel, StatementModel } from '../../src/settlement/settlement.model.ts';
import { authFor, createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { settlementWorld, shanghai, type SettlementWorld } from './settlement.fixtures.ts';

type Totals = { grossFen: number; subsidyFen: number; selfPayFen: number; penaltyFen: number; adjustmentFen: number; payableFen: number; cityFen: number; districtFen: number; carryForwardFen: number };
type Statement = { id: string; providerId: string; status: string; totals: Totals; lines: { orderId: string; subsidyFen: number }[]; penalties: { id: string; reason: string; amountFen: number }[]; sampleChecks: { id: string; status: string }[] };

describe('settlement review: penalties, disputes, review callbacks, approval and payment', function () {
  this.timeout(180_000);
  useTestDatabase();
  const { app, config } = createTestApp({ env: { SETTLEMENT_SAMPLE_PCT: '40' } });
  let w: SettlementWorld;

  beforeEach(async () => {
    await clearCollections();
    w = await settlementWorld(config);
    await w.issue('2026-09', '2026-10', '2026-11');
  });

  const auth = () => w.finance.authorization;
  const run = async (period: string) => {
    const res = await request(app).post('/api/v1/settlements').set('Authorization', auth()).send({ period });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as { statements: Statement[] };
  };
  const detail = async (id: string): Promise<Statement> => (await request(app).get(`/api/v1/settlements/statements/${id}`).set('Authorization', auth())).body;
  const statementIdOf = async (period: string, providerId: string) => (await run(period)).statements.find((s) => s.providerId === providerId)!.id;
  const approve = (id: string, body: object = {}) => request(app).post(`/api/v1/settlements/statements/${id}/approve`).set('Authorization', auth()).send(body);
  const staffToken = async () => (await authFor(config, 'community_staff', { communityIds: [w.north.id, w.south.id] })).authorization;

  it('charges a late arrival and a provider\'s cancellation after acceptance as penalty lines', async () => {
    const poor = await w.senior('north', ['three_nos']);
    const onTime = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00'), lateMinutes: 30 });
    const late = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-06 09:00'), lateMinutes: 45 });
    const cancelled = await w.cancelledByProvider({ seniorId: poor, side: 'north', at: shanghai('2026-10-07 09:00') });

    const statement = await detail(await statementIdOf('2026-10', w.providerA.id));

    const price = (await OrderModel.findById(onTime).lean())!.priceFen;
    expect(statement.penalties.map((p) => [p.id, p.reason, p.amountFen]).sort()).to.deep.equal([
      [`penalty:cancel:${cancelled}`, 'provider_cancellation', Math.floor(((await OrderModel.findById(cancelled).lean())!.priceFen * 20) / 100)],
      [`penalty:late:${late}`, 'late_arrival', Math.floor((price * 10) / 100)],
    ].sort());
    expect(statement.totals.penaltyFen).to.equal(statement.penalties.reduce((t, p) => t + p.amountFen, 0));
    expect(statement.totals.payableFen).to.equal(statement.totals.subsidyFen - statement.totals.penaltyFen);
    expect((await OrderModel.findById(cancelled).lean())!.penaltyStatementId).to.equal(statement.id);
  });

  it('never lets the payable go below zero: the excess penalty is charged in the provider\'s next statement', async () => {
    const nest = await w.senior('south', ['empty_nest']); // 30% subsidy: small
    await w.visit({ seniorId: nest, side: 'south', service: 'meal', at: shanghai('2026-10-05 11:00') });
    for (let day = 6; day <= 8; day += 1) await w.cancelledByProvider({ seniorId: nest, side: 'south', at: shanghai(`2026-10-0${day} 09:00`) });
    const octoberId = await statementIdOf('2026-10', w.providerB.id);
    const october = await detail(octoberId);
    expect(october.totals.payableFen).to.equal(0);
    const excess = october.totals.penaltyFen - october.totals.subsidyFen;
    expect(october.totals.carryForwardFen).to.equal(excess);
    expect(october.totals.cityFen + october.totals.districtFen).to.equal(0);
    await SampleCheckModel.updateMany({}, { $set: { status: 'done', outcome: 'visit_happened' } });
    expect((await approve(octoberId)).status).to.equal(200);
    await w.visit({ seniorId: nest, side: 'south', at: shanghai('2026-11-03 09:00') });

    const november = await detail(await statementIdOf('2026-11', w.providerB.id));

    const carried = november.penalties.find((p) => p.reason === 'carried_penalty')!;
    expect(carried).to.include({ id: `penalty:carry:${octoberId}`, amountFen: excess });
    expect(november.totals.payableFen).to.equal(Math.max(0, november.totals.subsidyFen - november.totals.penaltyFen));
  });

  it('takes a disputed visit\'s line out of the draft and recomputes the totals', async () => {
    const poor = await w.senior('north', ['three_nos']);
    const kept = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00') });
    const disputed = await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-06 09:00'), lateMinutes: 50 });
    const statementId = await statementIdOf('2026-10', w.providerA.id);
    const before = await detail(statementId);
    expect(before.lines).to.have.length(2);

    const res = await request(app).post(`/api/v1/service-orders/${disputed}/dispute`).set('Authorization', auth()).send({ reason: '老人反映服务时间不足' });

    expect(res.status).to.equal(200);
    const after = await detail(statementId);
    expect(after.lines.map((l) => l.orderId)).to.deep.equal([kept]);
    expect(after.penalties).to.deep.equal([]); // its late-arrival penalty went with it
    expect(after.totals.subsidyFen).to.equal(after.lines[0]!.subsidyFen);
    expect(after.totals.payableFen).to.equal(after.totals.subsidyFen);
    expect((await OrderModel.findById(disputed).lean())!.statementId).to.equal(null);
    expect(await LineModel.exists({ _id: disputed })).to.equal(null);
  });

  it('recomputes from its lines a draft the run is writing when a dispute takes a line out meanwhile, and samples only lines it still has', async () => {
    const poor = await w.senior('north', ['three_nos']);
    const visits: string[] = [];
    for (let day = 1; day <= 6; day += 1) visits.push(await w.visit({ seniorId: poor, side: 'north', at: shanghai(`2026-10-0${day} 09:00`) }));
    let disputed = '';
    settlementFaults.afterBatch = async (batchNumber) => {
      if (batchNumber !== 1) return;
      disputed = String((await LineModel.findOne({ kind: 'service' }).lean())!._id);
      const res = await request(app).post(`/api/v1/service-orders/${disputed}/dispute`).set('Authorization', auth()).send({ reason: '老人反映当天无人上门' });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
    };
    try {
      await runSettlement('2026-10', { by: 'test', runId: 'dispute-during-run', config, batchSize: 2 });
    } finally {
      settlementFaults.afterBatch = null;
    }

    const statement = await detail(`2026-10-${w.providerA.id}`);
    expect(disputed).to.be.oneOf(visits);
    expect(statement.lines.map((l) => l.orderId).sort()).to.deep.equal(visits.filter((id) => id !== disputed).sort());
    expect(statement.totals.subsidyFen).to.equal(statement.lines.reduce((total, line) => total + line.subsidyFen, 0));
    expect(statement.sampleChecks.filter((c) => c.status === 'open')).to.have.length(2); // ceil(5 × 40%)
    expect(statement.sampleChecks.filter((c) => c.status === 'open').map((c) => c.id)).to.not.include(disputed);
  });

  it('refuses approval while review callbacks are open, and accepts an audited override', async () => {
    const poor = await w.senior('north', ['three_nos']);
    for (let day = 1; day <= 5; day += 1) await w.visit({ seniorId: poor, side: 'north', at: shanghai(`2026-10-0${day} 09:00`) });
    const statementId = await statementIdOf('2026-10', w.providerA.id);
    const statement = await detail(statementId);
    expect(statement.sampleChecks).to.have.length(2); // ceil(5 × 40%)
    expect(statement.sampleChecks.every((c) => c.status === 'open')).to.equal(true);

    const refused = await approve(statementId);
    const overridden = await approve(statementId, { overrideReason: '年底集中核实，先行审核' });

    expect(refused.status).to.equal(422);
    expect(refused.body.error.code).to.equal('RULE_VIOLATION');
    expect(overridden.status).to.equal(200);
    expect(overridden.body).to.include({ status: 'approved', approvalOverrideReason: '年底集中核实，先行审核' });
    const audit = await AuditEntryModel.findOne({ action: 'statement.approve_override', entityId: statementId }).lean();
    expect(audit?.after).to.deep.include({ overrideReason: '年底集中核实，先行审核', openChecks: 2 });
  });

  it('opens a dispute when a review callback says the visit did not happen, and approves once every callback is recorded', async () => {
    const poor = await w.senior('north', ['three_nos']);
    for (let day = 1; day <= 5; day += 1) await w.visit({ seniorId: poor, side: 'north', at: shanghai(`2026-10-0${day} 09:00`) });
    const statementId = await statementIdOf('2026-10', w.providerA.id);
    const staff = await staffToken();
    const tasks = (await request(app).get('/api/v1/settlements/sample-checks?status=open').set('Authorization', staff)).body.items as { id: string }[];
    expect(tasks).to.have.length(2);
    const [happened, notHappened] = tasks as [{ id: string }, { id: string }];

    const first = await request(app).post(`/api/v1/settlements/sample-checks/${happened.id}/record`).set('Authorization', staff).send({ outcome: 'visit_happened' });
    const second = await request(app).post(`/api/v1/settlements/sample-checks/${notHappened.id}/record`).set('Authorization', staff).send({ outcome: 'visit_did_not_happen', note: '老人说当天没人来' });
    const again = await request(app).post(`/api/v1/settlements/sample-checks/${happened.id}/record`).set('Authorization', staff).send({ outcome: 'visit_happened' });

    expect([first.status, second.status, again.status]).to.deep.equal([200, 200, 409]);
    expect((await OrderModel.findById(notHappened.id).lean())!.status).to.equal('disputed');
    const after = await detail(statementId);
    expect(after.lines.map((l) => l.orderId)).to.not.include(notHappened.id);
    expect(after.lines).to.have.length(4);
    const approved = await approve(statementId);
    expect(approved.status).to.equal(200);
    expect(approved.body.lineCount).to.equal(4);
    expect(await OrderModel.countDocuments({ status: 'settled' })).to.equal(4);
  });

  it('records payment of an approved statement once, with its reference and day', async () => {
    const poor = await w.senior('north', ['three_nos']);
    await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00') });
    const statementId = await statementIdOf('2026-10', w.providerA.id);
    const pay = (body: object) => request(app).post(`/api/v1/settlements/statements/${statementId}/pay`).set('Authorization', auth()).send(body);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

    const beforeApproval = await pay({ paymentRef: 'HF-2026-1101', paidAt: today });
    await SampleCheckModel.updateMany({}, { $set: { status: 'done', outcome: 'visit_happened' } });
    await approve(statementId);
    const future = await pay({ paymentRef: 'HF-2026-1101', paidAt: '2099-01-01' });
    const badRef = await pay({ paymentRef: '', paidAt: today });
    const paid = await pay({ paymentRef: 'HF-2026-1101', paidAt: today });
    const twice = await pay({ paymentRef: 'HF-2026-1102', paidAt: today });

    expect(beforeApproval.status).to.equal(409);
    expect(beforeApproval.body.error.code).to.equal('INVALID_TRANSITION');
    expect(future.status).to.equal(400);
    expect(badRef.status).to.equal(400);
    expect(paid.status).to.equal(200);
    expect(paid.body).to.include({ status: 'paid', paymentRef: 'HF-2026-1101', paymentOverdue: false });
    expect(twice.status).to.equal(409);
    expect(twice.body.error.code).to.equal('STATEMENT_LOCKED');
    expect((await StatementModel.findById(statementId).lean())!.paymentRef).to.equal('HF-2026-1101');
  });

  it('flags an approved statement unpaid after the due days as overdue', async () => {
    const poor = await w.senior('north', ['three_nos']);
    await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00') });
    const statementId = await statementIdOf('2026-10', w.providerA.id);
    await SampleCheckModel.updateMany({}, { $set: { status: 'done', outcome: 'visit_happened' } });
    await approve(statementId);
    await StatementModel.updateOne({ _id: statementId }, { $set: { approvedAt: new Date(Date.now() - 31 * 86_400_000) } });

    const list = await request(app).get('/api/v1/settlements?period=2026-10').set('Authorization', auth());

    expect(list.status).to.equal(200);
    expect(list.body.items.find((s: { id: string }) => s.id === statementId)).to.include({ status: 'approved', paymentOverdue: true });
  });

  it('shows a provider its own statements only', async () => {
    const poor = await w.senior('north', ['three_nos']);
    const nest = await w.senior('south', ['empty_nest']);
    await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00') });
    await w.visit({ seniorId: nest, side: 'south', at: shanghai('2026-10-05 09:00') });
    const { statements } = await run('2026-10');
    const providerA = (await authFor(config, 'provider_admin', { providerId: w.providerA.id })).authorization;
    const own = statements.find((s) => s.providerId === w.providerA.id)!;
    const other = statements.find((s) => s.providerId === w.providerB.id)!;

    const mine = await request(app).get(`/api/v1/settlements/statements/${own.id}`).set('Authorization', providerA);
    const theirs = await request(app).get(`/api/v1/settlements/statements/${other.id}`).set('Authorization', providerA);

    expect(mine.status).to.equal(200);
    expect(theirs.status).to.equal(404);
  });
});

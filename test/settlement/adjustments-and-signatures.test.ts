import { expect } from 'chai';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { LineModel, SampleCheckModel, StatementModel } from '../../src/settlement/settlement.model.ts';
import { cityPartOf } from '../../src/settlement/statement-totals.ts';
import { createVoucherPolicy } from '../../src/vouchers/index.ts';
import { authFor, createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { settlementWorld, shanghai, type SettlementWorld } from './settlement.fixtures.ts';

type Totals = { subsidyFen: number; penaltyFen: number; adjustmentFen: number; payableFen: number; cityFen: number; districtFen: number };
type Charge = { id: string; reason: string; amountFen: number; correctsPeriod: string | null; cityFen: number | null; districtFen: number | null; adjustmentStatus: string | null; enteredByName: string | null; decidedByName: string | null };
type Statement = {
  id: string; providerId: string; status: string; totals: Totals; adjustments: Charge[];
  approvals: { by: string; byName: string | null }[]; secondApprovalRequired: boolean; awaitingSecondSignature: boolean; approvalStep?: string;
};

describe('month-end: a finance officer\'s adjustments, split by the month they correct, and two signatures above the threshold', function () {
  this.timeout(180_000);
  useTestDatabase();
  // ¥10: every statement of provider A in these tests is above it, one meal of provider B's below.
  const { app, config } = createTestApp({ env: { SECOND_APPROVAL_ABOVE_FEN: '1000' } });
  let w: SettlementWorld;
  let second: Awaited<ReturnType<typeof authFor>>;
  let third: Awaited<ReturnType<typeof authFor>>;

  beforeEach(async () => {
    await clearCollections();
    w = await settlementWorld(config);
    // The world's policy (from 2020-01) splits 60/40; from November on the city pays 33%.
    await createVoucherPolicy({ actor: w.admin, requestId: null, lang: 'zh' } as never, {
      name: '十一月起的政策', effectiveFrom: '2026-11', combine: 'max',
      categories: [{ category: 'three_nos', monthlyAmountFen: 80_000, subsidyRatePct: 100 }, { category: 'empty_nest', monthlyAmountFen: 20_000, subsidyRatePct: 30 }],
      careLevelSupplementFen: [0, 0, 0, 0, 0, 0], defaultSubsidyRatePct: 0, fundingSplit: { cityPct: 33, districtPct: 67 }, expiry: { mode: 'rollover', rolloverMonths: 6 },
    } as never);
    await w.issue('2026-10', '2026-11');
    second = await authFor(config, 'finance_officer', { displayName: '第二会计' } as never);
    third = await authFor(config, 'finance_officer', { displayName: '第三会计' } as never);
  });

  const run = async (period: string, as = w.finance.authorization) => {
    const res = await request(app).post('/api/v1/settlements').set('Authorization', as).send({ period });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    await SampleCheckModel.updateMany({}, { $set: { status: 'done', outcome: 'visit_happened' } });
    return res.body as { statements: Statement[] };
  };
  const detail = async (id: string): Promise<Statement> => (await request(app).get(`/api/v1/settlements/statements/${id}`).set('Authorization', w.finance.authorization)).body;
  const adjust = (id: string, body: object, as = w.finance.authorization, key?: string) => {
    const req = request(app).post(`/api/v1/settlements/statements/${id}/adjustments`).set('Authorization', as);
    return (key ? req.set('Idempotency-Key', key) : req).send(body);
  };
  const decide = (id: string, adjustmentId: string, verdict: 'approve' | 'reject', as: string, body: object = {}) =>
    request(app).post(`/api/v1/settlements/statements/${id}/adjustments/${adjustmentId}/${verdict}`).set('Authorization', as).send(body);
  const approve = (id: string, as: string) => request(app).post(`/api/v1/settlements/statements/${id}/approve`).set('Authorization', as).send({});

  async function novemberOfProviderA(): Promise<string> {
    const senior = await w.senior('north', ['three_nos']);
    await w.visit({ seniorId: senior, side: 'north', at: shanghai('2026-11-05 09:00') });
    await w.visit({ seniorId: senior, side: 'north', at: shanghai('2026-11-06 09:00'), service: 'meal' });
    return (await run('2026-11')).statements.find((s) => s.providerId === w.providerA.id)!.id;
  }

  it('splits an adjustment by the policy of the month it corrects, exact to the fen, and counts it only once another officer approved it', async () => {
    const id = await novemberOfProviderA();
    const before = await detail(id);

    const october = await adjust(id, { amountFen: -1_001, reason: '十月重复结算一次助餐', correctsPeriod: '2026-10', reference: '审计发现 2026-07 号' });
    expect(october.status, JSON.stringify(october.body)).to.equal(201);
    // October's policy: 60% city. −1,001 × 60% = −600.6 → the city −600, the rounding fen to the district (−401).
    expect(october.body).to.include({ reason: 'manual', amountFen: -1_001, correctsPeriod: '2026-10', cityFen: -600, districtFen: -401, adjustmentStatus: 'pending' });
    const november = await adjust(id, { amountFen: 999, reason: '十一月少付一次保洁差价', correctsPeriod: '2026-11' });
    // November's: 33%. 999 × 33% = 329.67 → 329 and 670.
    expect(november.body).to.include({ cityFen: 329, districtFen: 670, adjustmentStatus: 'pending' });

    // Pending: not counted, and the statement cannot be approved past them.
    expect((await detail(id)).totals).to.deep.equal(before.totals);
    const refused = await approve(id, second.authorization);
    expect(refused.status).to.equal(422);
    expect(refused.body.error.code).to.equal('RULE_VIOLATION');
    expect((await StatementModel.findById(id).lean())!.status).to.equal('draft');

    // The officer who entered it cannot approve it.
    const self = await decide(id, october.body.id, 'approve', w.finance.authorization);
    expect(self.status).to.equal(422);
    expect(self.body.error.code).to.equal('SELF_APPROVAL');
    expect((await LineModel.findById(october.body.id).lean())!.adjustmentStatus).to.equal('pending');

    expect((await decide(id, october.body.id, 'approve', second.authorization)).status).to.equal(200);
    const rejected = await decide(id, november.body.id, 'reject', second.authorization, { note: '差价已在合同中约定' });
    expect(rejected.status).to.equal(200);
    expect(rejected.body).to.include({ adjustmentStatus: 'rejected', enteredByName: '测试finance_officer', decidedByName: '第二会计' });
    expect((await decide(id, october.body.id, 'approve', third.authorization)).status, 'decided once').to.equal(409);

    const after = await detail(id);
    const ownNet = before.totals.subsidyFen - before.totals.penaltyFen;
    expect(after.totals.adjustmentFen).to.equal(-1_001);
    expect(after.totals.payableFen).to.equal(ownNet - 1_001);
    // The month's own net at November's 33%, plus October's correction at October's 60%.
    expect(after.totals.cityFen).to.equal(cityPartOf(ownNet, 33) - 600);
    expect(after.totals.cityFen + after.totals.districtFen).to.equal(after.totals.payableFen);
    expect(after.adjustments.map((line) => [line.amountFen, line.adjustmentStatus]).sort()).to.deep.equal([[-1_001, 'approved'], [999, 'rejected']]);
    const actions = (await AuditEntryModel.find({ entityId: id }).lean()).map((entry) => entry.action).sort();
    expect(actions).to.include.members(['statement.adjustment_add', 'statement.adjustment_approve', 'statement.adjustment_reject']);
  });

  it('refuses an adjustment to an approved statement (409) and a bad one (400, 422), changing nothing; a retried request adds one line', async () => {
    const id = await novemberOfProviderA();
    const key = 'retry-key-0001';
    const first = await adjust(id, { amountFen: 500, reason: '补付十一月差价', correctsPeriod: '2026-11' }, w.finance.authorization, key);
    const again = await adjust(id, { amountFen: 500, reason: '补付十一月差价', correctsPeriod: '2026-11' }, w.finance.authorization, key);
    expect([first.status, again.status]).to.deep.equal([201, 201]);
    expect(again.body.id).to.equal(first.body.id);
    expect(await LineModel.countDocuments({ statementId: id, reason: 'manual' })).to.equal(1);

    for (const body of [
      { amountFen: 0, reason: '零元调整', correctsPeriod: '2026-11' },
      { amountFen: 100, reason: '调整', correctsPeriod: '2026-12' },
      { amountFen: 100, reason: '调整到下个月', correctsPeriod: '2026-12' },
      { amountFen: 1.5, reason: '半分钱的调整', correctsPeriod: '2026-11' },
    ]) {
      const res = await adjust(id, body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
    }
    const noPolicy = await adjust(id, { amountFen: 100, reason: '更正很久以前的月份', correctsPeriod: '2019-06' });
    expect(noPolicy.status).to.equal(422);
    expect(await LineModel.countDocuments({ statementId: id, reason: 'manual' })).to.equal(1);

    await decide(id, first.body.id, 'approve', second.authorization);
    expect((await approve(id, w.finance.authorization)).body.approvalStep).to.equal('first_signature');
    expect((await approve(id, second.authorization)).status).to.equal(200);
    const locked = await adjust(id, { amountFen: 100, reason: '审核后才发现的差错', correctsPeriod: '2026-11' });
    expect(locked.status).to.equal(409);
    expect(locked.body.error.code).to.equal('STATEMENT_LOCKED');
    expect(await LineModel.countDocuments({ statementId: id, reason: 'manual' })).to.equal(1);
  });

  it('needs a second finance officer above the threshold — never the first signer again, never the run\'s starter — and one below it', async () => {
    const id = await novemberOfProviderA();
    const nest = await w.senior('south', ['empty_nest']);
    await w.visit({ seniorId: nest, side: 'south', service: 'meal', at: shanghai('2026-11-07 11:00') });
    const statements = (await run('2026-11')).statements;
    const small = statements.find((s) => s.providerId === w.providerB.id)!;
    expect(small.totals.payableFen).to.be.at.most(1_000);
    expect(small.secondApprovalRequired).to.equal(false);
    // Below the threshold one signature approves, as before.
    const single = await approve(small.id, w.finance.authorization);
    expect(single.body).to.include({ status: 'approved', approvalStep: 'approved' });
    expect(single.body.approvals).to.have.length(1);

    // Above: the second officer signs first; the run's starter may not give the second signature.
    const firstSignature = await approve(id, second.authorization);
    expect(firstSignature.status).to.equal(200);
    expect(firstSignature.body).to.include({ status: 'draft', approvalStep: 'first_signature', secondApprovalRequired: true, awaitingSecondSignature: true });
    expect(firstSignature.body.approvals.map((a: { byName: string }) => a.byName)).to.deep.equal(['第二会计']);
    const sameAgain = await approve(id, second.authorization);
    expect(sameAgain.status).to.equal(422);
    expect(sameAgain.body.error.code).to.equal('SELF_APPROVAL');
    const starter = await approve(id, w.finance.authorization);
    expect(starter.status).to.equal(422);
    expect(starter.body.error.code).to.equal('SELF_APPROVAL');
    expect(starter.body.error.details[0].message).to.contain('发起了本期结算');
    expect((await StatementModel.findById(id).lean())!.status).to.equal('draft');

    const done = await approve(id, third.authorization);
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(done.body).to.include({ status: 'approved', approvalStep: 'approved', awaitingSecondSignature: false });
    expect(done.body.approvals.map((a: { byName: string }) => a.byName)).to.deep.equal(['第二会计', '第三会计']);
    const stored = (await StatementModel.findById(id).lean())!;
    expect(stored.approvals.map((a) => a.by)).to.deep.equal([second.actor.id, third.actor.id]);
    expect(stored.approvedBy).to.equal(third.actor.id);
    const audit = (await AuditEntryModel.find({ entityId: id }).sort({ _id: 1 }).lean()).map((entry) => entry.action);
    expect(audit).to.include.ordered.members(['statement.first_signature', 'statement.approve']);
  });

  it('lets a first signature lapse when the statement changes after it: the next signature is a first one again', async () => {
    const id = await novemberOfProviderA();
    expect((await approve(id, w.finance.authorization)).body.approvalStep).to.equal('first_signature');
    const line = await adjust(id, { amountFen: 300, reason: '补付十一月差价', correctsPeriod: '2026-11' }, second.authorization);
    expect((await detail(id)).awaitingSecondSignature, 'an added line voids the signature').to.equal(false);
    await decide(id, line.body.id, 'approve', third.authorization);
    // The first signer may sign again now: the figures he signed are not the statement's any more.
    const again = await approve(id, second.authorization);
    expect(again.body).to.include({ status: 'draft', approvalStep: 'first_signature' });
    expect(again.body.approvals.map((a: { by: string }) => a.by)).to.deep.equal([second.actor.id]);
    expect((await approve(id, third.authorization)).body.status).to.equal('approved');
  });
});

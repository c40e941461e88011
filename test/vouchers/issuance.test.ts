import { expect } from 'chai';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { JobRunModel } from '../../src/jobs/job.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { issueMonth } from '../../src/vouchers/index.ts';
import { ledgerFaults } from '../../src/vouchers/ledger.ts';
import { AccountModel, EntryModel } from '../../src/vouchers/ledger.model.ts';
import { authFor, createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { makeCommunity, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody, idNumberBornOn } from '../seniors/senior.fixtures.ts';

const POLICY = {
  name: '2026年居家养老服务券', combine: 'max',
  categories: [
    { category: 'living_alone', monthlyAmountFen: 30_000, subsidyRatePct: 50 },
    { category: 'three_nos', monthlyAmountFen: 60_000, subsidyRatePct: 100 },
    { category: 'advanced_age', monthlyAmountFen: 20_000, subsidyRatePct: 60 },
  ],
  careLevelSupplementFen: [0, 5_000, 10_000, 15_000, 20_000, 30_000],
  defaultSubsidyRatePct: 50,
  fundingSplit: { cityPct: 50, districtPct: 50 },
  expiry: { mode: 'end_of_month' },
};

describe('voucher issuance and accounts over HTTP', function () {
  this.timeout(60_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  let admin: string;
  let finance: { authorization: string; actor: { id: string } };
  let staff: string;
  let community: { id: string };
  const currentMonth = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()).slice(0, 7);

  beforeEach(async () => {
    await clearCollections();
    const street = await makeStreet();
    community = await makeCommunity(street);
    admin = await tokenFor(config, 'admin');
    finance = await authFor(config, 'finance_officer');
    staff = await tokenFor(config, 'community_staff', { communityIds: [community.id] });
    const policy = await request(app).post('/api/v1/voucher-policies').set('Authorization', admin).send({ ...POLICY, effectiveFrom: '2026-01' });
    expect(policy.status, JSON.stringify(policy.body)).to.equal(201);
  });

  async function activeSenior(overrides: Record<string, unknown> = {}) {
    const created = await request(app).post('/api/v1/seniors').set('Authorization', staff).send(enrolmentBody(community.id, { careLevel: 2, categories: ['living_alone'], ...overrides }));
    await SeniorModel.updateOne({ _id: created.body.id }, { $set: { status: 'active' } });
    return created.body.id as string;
  }
  const issue = (month: string) => request(app).post('/api/v1/vouchers/issuance').set('Authorization', finance.authorization).send({ month });

  it('issues a month once: a re-run credits nothing new and reports the same total', async () => {
    const livingAlone = await activeSenior();
    const threeNos = await activeSenior({ categories: ['three_nos', 'living_alone'], careLevel: 5 });

    const first = await issue('2026-10');
    const second = await issue('2026-10');

    expect(first.status).to.equal(200);
    expect(first.body).to.include({ month: '2026-10', issued: 2, skipped: 0, totalFen: 40_000 + 90_000 });
    expect(second.body).to.include({ issued: 0, skipped: 2, totalFen: 130_000 });
    expect(await AccountModel.findById(livingAlone).lean()).to.include({ balanceFen: 40_000 });
    expect(await AccountModel.findById(threeNos).lean()).to.include({ balanceFen: 90_000 });
    expect(await EntryModel.countDocuments({ type: 'issue' })).to.equal(2);
    expect(await AuditEntryModel.countDocuments({ action: 'voucher.issue_month' })).to.equal(2);
  });

  it('credits suspended seniors too, and neither pending nor deactivated ones', async () => {
    const suspended = await activeSenior();
    await SeniorModel.updateOne({ _id: suspended }, { $set: { status: 'suspended' } });
    const pending = (await request(app).post('/api/v1/seniors').set('Authorization', staff).send(enrolmentBody(community.id))).body.id;

    const res = await issue('2026-10');

    expect(res.body.issued).to.equal(1);
    expect(await AccountModel.findById(suspended).lean()).to.include({ balanceFen: 40_000 });
    expect(await AccountModel.findById(pending).lean()).to.equal(null);
  });

  it('lapses last month\'s unspent vouchers (end_of_month) before crediting the new month', async () => {
    const senior = await activeSenior();
    await issue('2026-09');

    const res = await issue('2026-10');

    expect(res.body.expiredFen).to.equal(40_000);
    const entries = await request(app).get(`/api/v1/seniors/${senior}/voucher-account/entries`).set('Authorization', staff);
    expect(entries.body.items.map((e: { type: string; balanceDeltaFen: number }) => [e.type, e.balanceDeltaFen])).to.deep.equal([['issue', 40_000], ['expire', -40_000], ['issue', 40_000]]);
    const account = await request(app).get(`/api/v1/seniors/${senior}/voucher-account`).set('Authorization', staff);
    const { caps, ...figures } = account.body;
    expect(figures).to.deep.equal({ seniorId: senior, balanceFen: 40_000, heldFen: 0, availableFen: 40_000 });
    expect(caps).to.deep.equal({ month: currentMonth, monthlyFen: null, usedFen: 0, perService: [] });
  });

  it('leaves no movement parked: the credit takes over from the expiry, and an expiry with nothing credited after it is cleared', async () => {
    const credited = await activeSenior();
    const nothingToCredit = await activeSenior();
    await issue('2026-09');
    // No category the policy lists and no care level: an entitlement of 0 for October.
    await SeniorModel.updateOne({ _id: nothingToCredit }, { $set: { voucherBasis: { categories: ['empty_nest'], careLevel: 0, assessedAt: '2026-09-01' } } });

    const res = await issue('2026-10');

    expect(res.body).to.include({ issued: 1, expiredFen: 80_000 });
    expect(await AccountModel.countDocuments({ pending: { $ne: null } })).to.equal(0);
    expect(await AccountModel.findById(credited).lean()).to.include({ balanceFen: 40_000, availableFen: 40_000, debitedFen: 40_000 });
    expect(await AccountModel.findById(nothingToCredit).lean()).to.include({ balanceFen: 0, availableFen: 0, debitedFen: 40_000 });
    const reconciled = await request(app).post('/api/v1/jobs/voucher-reconciliation/run?wait=true').set('Authorization', admin).send({});
    expect(reconciled.body.run.counts).to.include({ accounts: 2, mismatches: 0, pendingCompleted: 0 });
  });

  it('ends a month cut between the expiry and the credit with each account lapsed once and credited once', async () => {
    const seniors = [await activeSenior(), await activeSenior(), await activeSenior()];
    await issue('2026-09');
    let credits = 0;
    ledgerFaults.afterAccountUpdate = (movement) => {
      if (movement.type === 'issue' && (credits += 1) === 2) throw new Error('process killed');
    };
    const crashed = await issueMonth('2026-10', 'test').then(() => null, (error: unknown) => error);
    ledgerFaults.afterAccountUpdate = null;
    expect(String(crashed)).to.contain('process killed');
    // Every expiry is written and still parked; the first credit took its account over, the second was cut after step 1.
    expect(await EntryModel.countDocuments({ type: 'expire' })).to.equal(3);
    expect((await AccountModel.find({ pending: { $ne: null } }).lean()).map((account) => String(account.pending!.key).split(':')[0]).sort()).to.deep.equal(['expire', 'issue', 'issue']);

    const resumed = await issue('2026-10');

    expect(resumed.status).to.equal(200);
    expect(await EntryModel.countDocuments({ type: 'issue', month: '2026-10' })).to.equal(3);
    for (const id of seniors) expect(await AccountModel.findById(id).lean()).to.include({ balanceFen: 40_000, availableFen: 40_000, debitedFen: 40_000 });
    const reconciled = await request(app).post('/api/v1/jobs/voucher-reconciliation/run?wait=true').set('Authorization', admin).send({});
    expect(reconciled.body.run.counts).to.include({ accounts: 3, mismatches: 0 });
    expect(await AccountModel.countDocuments({ pending: { $ne: null } })).to.equal(0);
  });

  it('refuses a month without a policy with 422 and issues nothing', async () => {
    await activeSenior();

    const res = await issue('2025-12');

    expect(res.status).to.equal(422);
    expect(await EntryModel.countDocuments()).to.equal(0);
  });

  it('credits a senior approved mid-month at approval, once, and the monthly run then skips them', async () => {
    const id = (await request(app).post('/api/v1/seniors').set('Authorization', staff).send(enrolmentBody(community.id, { categories: ['living_alone'], careLevel: 2 }))).body.id;

    const approved = await request(app).post(`/api/v1/seniors/${id}/approve`).set('Authorization', admin);
    const run = await issue(currentMonth);

    expect(approved.status).to.equal(200);
    expect(await EntryModel.countDocuments({ _id: `issue:${id}:${currentMonth}` })).to.equal(1);
    expect(run.body).to.include({ issued: 0, skipped: 1 });
    expect(await AccountModel.findById(id).lean()).to.include({ balanceFen: 40_000 });
  });

  it('expires the available balance when a senior is deactivated', async () => {
    const id = (await request(app).post('/api/v1/seniors').set('Authorization', staff).send(enrolmentBody(community.id))).body.id;
    await request(app).post(`/api/v1/seniors/${id}/approve`).set('Authorization', admin);

    await request(app).post(`/api/v1/seniors/${id}/deactivate`).set('Authorization', staff).send({ reason: 'deceased', effectiveDate: '2026-01-01' });

    expect(await AccountModel.findById(id).lean()).to.include({ balanceFen: 0, availableFen: 0 });
    expect(await EntryModel.findById(`expire:${id}:deactivation`).lean()).to.include({ balanceDeltaFen: -40_000 });
  });

  it('counts category changes from the next month', async () => {
    const id = await activeSenior();
    await issue('2026-10');
    await request(app).patch(`/api/v1/seniors/${id}`).set('Authorization', staff).send({ categories: ['three_nos'] });
    const basis = (await SeniorModel.findById(id).lean())!.voucherBasisNext!;

    expect(basis.categories).to.deep.equal(['three_nos']);
    expect(String(basis.fromMonth) > currentMonth).to.equal(true);
    await issue(basis.fromMonth as string);
    expect((await EntryModel.findById(`issue:${id}:${basis.fromMonth}`).lean())!.balanceDeltaFen).to.equal(70_000);
  });

  it('adjusts with a reason (audited), retries safely with an Idempotency-Key, refuses going below zero', async () => {
    const id = await activeSenior();
    await issue('2026-10');
    const adjust = (body: object, key?: string) => {
      const req = request(app).post(`/api/v1/seniors/${id}/voucher-account/adjustments`).set('Authorization', finance.authorization);
      return (key ? req.set('Idempotency-Key', key) : req).send(body);
    };

    const added = await adjust({ amountFen: 5_000, reason: '补发十月护理券' }, 'adj-2026-10-0001');
    const retried = await adjust({ amountFen: 5_000, reason: '补发十月护理券' }, 'adj-2026-10-0001');
    const tooMuch = await adjust({ amountFen: -50_000, reason: '冲回' });
    const zero = await adjust({ amountFen: 0, reason: '无' });

    expect(added.status).to.equal(201);
    expect(added.body).to.include({ type: 'adjust', balanceDeltaFen: 5_000, reason: '补发十月护理券', createdBy: finance.actor.id });
    expect(retried.body.id).to.equal(added.body.id);
    expect(tooMuch.status).to.equal(422);
    expect(tooMuch.body.error.code).to.equal('INSUFFICIENT_BALANCE');
    expect(zero.status).to.equal(400);
    expect(await AccountModel.findById(id).lean()).to.include({ balanceFen: 45_000 });
    expect(await AuditEntryModel.countDocuments({ action: 'voucher.adjust', entityId: id })).to.equal(1);
  });

  it('shows accounts only within scope (another community\'s senior: 404)', async () => {
    const id = await activeSenior();
    const other = await tokenFor(config, 'community_staff', { communityIds: [(await makeCommunity(await makeStreet())).id] });

    expect((await request(app).get(`/api/v1/seniors/${id}/voucher-account`).set('Authorization', other)).status).to.equal(404);
  });

  it('reconciliation reports an account edited behind the ledger\'s back, without fixing it', async () => {
    const id = await activeSenior({ idNumber: idNumberBornOn('1950-05-05') });
    await issue('2026-10');
    await AccountModel.updateOne({ _id: id }, { $inc: { balanceFen: 999, availableFen: 999 } });

    const run = await request(app).post('/api/v1/jobs/voucher-reconciliation/run?wait=true').set('Authorization', admin).send({});

    expect(run.status).to.equal(200);
    expect(run.body.run.counts).to.include({ accounts: 1, mismatches: 1 });
    expect((await AccountModel.findById(id).lean())!.balanceFen).to.equal(40_999);
    expect(await JobRunModel.countDocuments({ name: 'voucher-reconciliation', status: 'succeeded' })).to.equal(1);
  });
});

import { expect } from 'chai';
import request from 'supertest';
import { authFor, createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { CATEGORIES } from '../../src/seniors/senior.model.ts';
import { markMonthIssued } from '../../src/vouchers/issued-months.ts';
import { VOUCHER_CATEGORIES, VoucherPolicyModel } from '../../src/vouchers/policy.model.ts';
import { policyForMonth } from '../../src/vouchers/policy.service.ts';

const paths = (res: request.Response) => res.body.error.details.map((d: { path: string }) => d.path);

function policyBody(effectiveFrom: string, overrides: Record<string, unknown> = {}) {
  return {
    name: `${effectiveFrom} 养老服务券政策`,
    effectiveFrom,
    combine: 'max',
    categories: [
      { category: 'three_nos', monthlyAmountFen: 80_000, subsidyRatePct: 100 },
      { category: 'empty_nest', monthlyAmountFen: 30_000, subsidyRatePct: 50 },
      { category: 'advanced_age', monthlyAmountFen: 20_000, subsidyRatePct: 60 },
    ],
    careLevelSupplementFen: [0, 5_000, 10_000, 20_000, 30_000, 40_000],
    defaultSubsidyRatePct: 30,
    fundingSplit: { cityPct: 50, districtPct: 50 },
    expiry: { mode: 'end_of_month' },
    ...overrides,
  };
}

describe('voucher policies', () => {
  useTestDatabase();
  const { app, config } = createTestApp();
  let admin: string;
  const create = (body: object) => request(app).post('/api/v1/voucher-policies').set('Authorization', admin).send(body);
  beforeEach(async () => {
    await clearCollections();
    admin = await tokenFor(config, 'admin');
  });

  describe('POST /voucher-policies', () => {
    it('lets an admin add a policy keyed by its month, and audits it', async () => {
      const { authorization, actor } = await authFor(config, 'admin');
      const body = policyBody('2026-01', { expiry: { mode: 'rollover', rolloverMonths: 6 } });

      const res = await request(app).post('/api/v1/voucher-policies').set('Authorization', authorization).send(body);

      expect(res.status).to.equal(201);
      const { name, effectiveFrom, combine, categories, careLevelSupplementFen, defaultSubsidyRatePct, fundingSplit, expiry } = res.body;
      expect({ name, effectiveFrom, combine, categories, careLevelSupplementFen, defaultSubsidyRatePct, fundingSplit, expiry }).to.deep.equal(body);
      expect(res.body).to.include({ id: '2026-01', createdBy: actor.id });
      expect(new Date(res.body.createdAt).toISOString()).to.equal(res.body.createdAt);
      const stored = await VoucherPolicyModel.findById('2026-01').lean();
      expect(stored?.categories).to.have.length(3);
      const audit = await AuditEntryModel.findOne({ action: 'voucher_policy.create' }).lean();
      expect(audit).to.include({ entityType: 'voucher_policy', entityId: '2026-01', actorId: actor.id });
    });

    it('answers an end_of_month policy without rolloverMonths', async () => {
      const res = await create(policyBody('2026-02'));

      expect(res.status).to.equal(201);
      expect(res.body.expiry).to.deep.equal({ mode: 'end_of_month' });
    });

    it('rejects unknown and repeated categories, bad amounts and bad rates, naming each field', async () => {
      const res = await create(policyBody('2026-01', {
        categories: [
          { category: 'veteran', monthlyAmountFen: 100, subsidyRatePct: 50 },
          { category: 'empty_nest', monthlyAmountFen: -1, subsidyRatePct: 101 },
          { category: 'low_income', monthlyAmountFen: 12.5, subsidyRatePct: -1 },
          { category: 'disabled', monthlyAmountFen: 2 ** 53, subsidyRatePct: 33.3 },
        ],
        defaultSubsidyRatePct: 150,
      }));

      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
      expect(paths(res)).to.have.members([
        'categories.0.category', 'categories.1.monthlyAmountFen', 'categories.1.subsidyRatePct',
        'categories.2.monthlyAmountFen', 'categories.2.subsidyRatePct', 'categories.3.monthlyAmountFen',
        'categories.3.subsidyRatePct', 'defaultSubsidyRatePct',
      ]);
      expect(await VoucherPolicyModel.countDocuments()).to.equal(0);
    });

    it('rejects a category listed twice at its second place', async () => {
      const res = await create(policyBody('2026-01', {
        categories: [
          { category: 'empty_nest', monthlyAmountFen: 100, subsidyRatePct: 50 },
          { category: 'disabled', monthlyAmountFen: 100, subsidyRatePct: 50 },
          { category: 'empty_nest', monthlyAmountFen: 200, subsidyRatePct: 50 },
        ],
      }));

      expect(res.status).to.equal(400);
      expect(paths(res)).to.deep.equal(['categories.2.category']);
    });

    it('rejects a policy without categories', async () => {
      const res = await create(policyBody('2026-01', { categories: [] }));

      expect(res.status).to.equal(400);
      expect(paths(res)).to.deep.equal(['categories']);
    });

    it('requires exactly six non-negative integer supplements', async () => {
      const five = await create(policyBody('2026-01', { careLevelSupplementFen: [0, 1, 2, 3, 4] }));
      const seven = await create(policyBody('2026-01', { careLevelSupplementFen: [0, 1, 2, 3, 4, 5, 6] }));
      const bad = await create(policyBody('2026-01', { careLevelSupplementFen: [0, -1, 2, 3.5, 4, 5] }));

      expect([five.status, seven.status, bad.status]).to.deep.equal([400, 400, 400]);
      expect(paths(five)).to.deep.equal(['careLevelSupplementFen']);
      expect(paths(seven)).to.deep.equal(['careLevelSupplementFen']);
      expect(paths(bad)).to.have.members(['careLevelSupplementFen.1', 'careLevelSupplementFen.3']);
      expect(await VoucherPolicyModel.countDocuments()).to.equal(0);
    });

    it('requires the funding split to be integer percents adding up to 100', async () => {
      const sum = await create(policyBody('2026-01', { fundingSplit: { cityPct: 60, districtPct: 50 } }));
      const fraction = await create(policyBody('2026-01', { fundingSplit: { cityPct: 50.5, districtPct: 49.5 } }));
      const negative = await create(policyBody('2026-01', { fundingSplit: { cityPct: 110, districtPct: -10 } }));
      const accepted = await create(policyBody('2026-01', { fundingSplit: { cityPct: 100, districtPct: 0 } }));

      expect(sum.status).to.equal(400);
      expect(paths(sum)).to.deep.equal(['fundingSplit']);
      expect(paths(fraction)).to.have.members(['fundingSplit.cityPct', 'fundingSplit.districtPct']);
      expect(paths(negative)).to.have.members(['fundingSplit.cityPct', 'fundingSplit.districtPct']);
      expect(accepted.status).to.equal(201);
    });

    it('requires rolloverMonths 1-24 for rollover and refuses it for end_of_month', async () => {
      const missing = await create(policyBody('2026-01', { expiry: { mode: 'rollover' } }));
      const zero = await create(policyBody('2026-01', { expiry: { mode: 'rollover', rolloverMonths: 0 } }));
      const tooMany = await create(policyBody('2026-01', { expiry: { mode: 'rollover', rolloverMonths: 25 } }));
      const fraction = await create(policyBody('2026-01', { expiry: { mode: 'rollover', rolloverMonths: 1.5 } }));
      const forbidden = await create(policyBody('2026-01', { expiry: { mode: 'end_of_month', rolloverMonths: 3 } }));
      const unknownMode = await create(policyBody('2026-01', { expiry: { mode: 'never' } }));

      for (const res of [missing, zero, tooMany, fraction, forbidden]) {
        expect(res.status).to.equal(400);
        expect(paths(res)).to.deep.equal(['expiry.rolloverMonths']);
      }
      expect(paths(unknownMode)).to.deep.equal(['expiry.mode']);
      expect((await create(policyBody('2026-01', { expiry: { mode: 'rollover', rolloverMonths: 24 } }))).status).to.equal(201);
    });

    it('rejects a malformed month, an unknown combine mode, a blank name and missing fields', async () => {
      const { fundingSplit: _f, ...withoutSplit } = policyBody('2026-13', { combine: 'min', name: '  ' });

      const res = await create(withoutSplit);

      expect(res.status).to.equal(400);
      expect(paths(res)).to.have.members(['effectiveFrom', 'combine', 'name', 'fundingSplit']);
      for (const month of ['2026-1', '202601', '2026-00', '2026-01-01']) {
        expect(paths(await create(policyBody(month))), month).to.deep.equal(['effectiveFrom']);
      }
    });

    it('rejects unknown fields at every level', async () => {
      const res = await create(policyBody('2026-01', {
        cap: 80_000,
        categories: [{ category: 'empty_nest', monthlyAmountFen: 100, subsidyRatePct: 50, note: 'x' }],
        fundingSplit: { cityPct: 50, districtPct: 50, provincePct: 0 },
        expiry: { mode: 'end_of_month', graceDays: 3 },
      }));

      expect(res.status).to.equal(400);
      expect(paths(res)).to.have.members(['cap', 'categories.0.note', 'fundingSplit.provincePct', 'expiry.graceDays']);
      expect(await VoucherPolicyModel.countDocuments()).to.equal(0);
    });

    it('answers 409 DUPLICATE for a second policy in the same month', async () => {
      await create(policyBody('2026-03'));

      const res = await create(policyBody('2026-03', { name: '另一个政策' }));

      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal('DUPLICATE');
      expect(paths(res)).to.deep.equal(['effectiveFrom']);
      expect(await VoucherPolicyModel.countDocuments()).to.equal(1);
      expect((await VoucherPolicyModel.findById('2026-03').lean())?.name).to.equal('2026-03 养老服务券政策');
    });

    it('refuses a policy for a month whose vouchers were issued, or an earlier one, and accepts the next month', async () => {
      await markMonthIssued('2026-05');

      const same = await create(policyBody('2026-05'));
      const earlier = await create(policyBody('2026-02'));
      const later = await create(policyBody('2026-06'));

      expect(same.status).to.equal(409);
      expect(same.body.error).to.include({ code: 'DUPLICATE', latestIssuedMonth: '2026-05' });
      expect(same.body.error.details).to.deep.equal([{ path: 'effectiveFrom', message: '2026-05 的服务券已经发放，新政策须从之后的月份开始' }]);
      expect(earlier.status).to.equal(409);
      expect(later.status).to.equal(201);
      expect(await VoucherPolicyModel.find({}).distinct('_id')).to.deep.equal(['2026-06']);
    });

    it('explains the refusal in English when asked', async () => {
      await markMonthIssued('2026-05');

      const res = await request(app).post('/api/v1/voucher-policies').set('Authorization', admin).set('Accept-Language', 'en').send(policyBody('2026-04'));

      expect(res.status).to.equal(409);
      expect(res.body.error.message).to.equal('vouchers were already issued for 2026-05; a new policy must start later');
    });

    it('is for admins only', async () => {
      const res = await request(app).post('/api/v1/voucher-policies').set('Authorization', await tokenFor(config, 'finance_officer')).send(policyBody('2026-01'));

      expect(res.status).to.equal(403);
      expect(await VoucherPolicyModel.countDocuments()).to.equal(0);
    });
  });

  describe('GET /voucher-policies', () => {
    it('lists policies newest first to staff, a page at a time', async () => {
      for (const month of ['2026-03', '2025-01', '2026-01']) await create(policyBody(month));
      const auditor = await tokenFor(config, 'auditor');

      const first = await request(app).get('/api/v1/voucher-policies?pageSize=2').set('Authorization', auditor);
      const second = await request(app).get('/api/v1/voucher-policies?pageSize=2&page=2').set('Authorization', auditor);

      expect(first.status).to.equal(200);
      expect(first.body).to.include({ total: 3, page: 1, pageSize: 2 });
      expect(first.body.items.map((p: { id: string }) => p.id)).to.deep.equal(['2026-03', '2026-01']);
      expect(second.body.items.map((p: { id: string }) => p.id)).to.deep.equal(['2025-01']);
    });

    it('is closed to providers and caregivers', async () => {
      const provider = await request(app).get('/api/v1/voucher-policies').set('Authorization', await tokenFor(config, 'provider_admin'));
      const caregiver = await request(app).get('/api/v1/voucher-policies/effective?month=2026-01').set('Authorization', await tokenFor(config, 'caregiver'));

      expect([provider.status, caregiver.status]).to.deep.equal([403, 403]);
    });
  });

  describe('the policy in force in a month', () => {
    beforeEach(async () => {
      for (const month of ['2025-07', '2026-01', '2026-04']) await create(policyBody(month));
    });

    it('is the newest policy starting no later than the month', async () => {
      expect(await policyForMonth('2025-06')).to.equal(null);
      expect((await policyForMonth('2025-07'))?.id).to.equal('2025-07');
      expect((await policyForMonth('2025-12'))?.id).to.equal('2025-07');
      expect((await policyForMonth('2026-01'))?.id).to.equal('2026-01');
      expect((await policyForMonth('2026-03'))?.id).to.equal('2026-01');
      expect((await policyForMonth('2026-04'))?.id).to.equal('2026-04');
      expect((await policyForMonth('2030-12'))?.id).to.equal('2026-04');
    });

    it('answers GET /voucher-policies/effective, and 404 before the first policy', async () => {
      const officer = await tokenFor(config, 'street_officer');

      const between = await request(app).get('/api/v1/voucher-policies/effective?month=2026-02').set('Authorization', officer);
      const before = await request(app).get('/api/v1/voucher-policies/effective?month=2025-06').set('Authorization', officer);

      expect(between.status).to.equal(200);
      expect(between.body).to.include({ id: '2026-01', effectiveFrom: '2026-01', combine: 'max', defaultSubsidyRatePct: 30 });
      expect(before.status).to.equal(404);
      expect(before.body.error.code).to.equal('NOT_FOUND');
    });

    it('requires a well-formed month', async () => {
      const community = await tokenFor(config, 'community_staff');

      const missing = await request(app).get('/api/v1/voucher-policies/effective').set('Authorization', community);
      const malformed = await request(app).get('/api/v1/voucher-policies/effective?month=2026-1').set('Authorization', community);

      expect([missing.status, malformed.status]).to.deep.equal([400, 400]);
      expect(paths(malformed)).to.deep.equal(['month']);
    });
  });

  it('prices exactly the categories a senior can have', () => {
    expect([...VOUCHER_CATEGORIES]).to.have.members([...CATEGORIES]);
  });
});

import { expect } from 'chai';
import request from 'supertest';
import { openAccount } from '../../src/vouchers/account.service.ts';
import { expiryCutoffOn, isAnchorLapseDay, type ExpiryRule } from '../../src/vouchers/expiry-cutoff.ts';
import { applyMovement } from '../../src/vouchers/ledger.ts';
import { AccountModel, EntryModel } from '../../src/vouchers/ledger.model.ts';
import { VoucherPolicyModel } from '../../src/vouchers/policy.model.ts';
import { voucherExpiryJob } from '../../src/vouchers/vouchers.jobs.ts';
import { logger } from '../../src/shared/logger.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';

const relief: ExpiryRule = { mode: 'anchor_date', lapsesOn: '06-30', lapsesAfterYears: 1 };
const yearEnd: ExpiryRule = { mode: 'anchor_date', lapsesOn: '12-31', lapsesAfterYears: 0 };
const leapDay: ExpiryRule = { mode: 'anchor_date', lapsesOn: '02-29', lapsesAfterYears: 0 };

/** Whether an amount credited in `creditMonth` has lapsed by the start of `day`. */
const lapsedBy = (rule: ExpiryRule, creditMonth: string, day: string) => {
  const cutoff = expiryCutoffOn(rule, day);
  return cutoff !== null && creditMonth <= cutoff;
};

describe('voucher expiry by anchor date', () => {
  describe('the cutoff', () => {
    it('30 June of the following year: December\'s credit lapses at the end of next 30 June, January\'s a year after', () => {
      expect(lapsedBy(relief, '2025-12', '2026-06-30')).to.equal(false);
      expect(lapsedBy(relief, '2025-12', '2026-07-01')).to.equal(true);
      expect(lapsedBy(relief, '2026-01', '2026-07-01')).to.equal(false);
      expect(lapsedBy(relief, '2026-01', '2027-06-30')).to.equal(false);
      expect(lapsedBy(relief, '2026-01', '2027-07-01')).to.equal(true);
      expect(expiryCutoffOn(relief, '2027-01-01')).to.equal('2025-12');
      // In a leap year the same: 29 February changes nothing for 30 June or 31 December.
      expect(lapsedBy(relief, '2027-12', '2028-06-30')).to.equal(false);
      expect(lapsedBy(relief, '2027-12', '2028-07-01')).to.equal(true);
      expect(isAnchorLapseDay(relief, '2028-07-01')).to.equal(true);
      expect(lapsedBy(yearEnd, '2028-02', '2028-12-31')).to.equal(false);
      expect(lapsedBy(yearEnd, '2028-02', '2029-01-01')).to.equal(true);
    });

    it('31 December of the same year: January and December of a year lapse together at its end', () => {
      expect(lapsedBy(yearEnd, '2026-12', '2026-12-31')).to.equal(false);
      expect(lapsedBy(yearEnd, '2026-01', '2026-12-31')).to.equal(false);
      expect(lapsedBy(yearEnd, '2026-01', '2027-01-01')).to.equal(true);
      expect(lapsedBy(yearEnd, '2026-12', '2027-01-01')).to.equal(true);
      expect(lapsedBy(yearEnd, '2027-01', '2027-01-01')).to.equal(false);
    });

    it('never lapses an amount before the anchor after its own month: 30 June of the same year keeps July\'s credit a year', () => {
      const sameYear: ExpiryRule = { mode: 'anchor_date', lapsesOn: '06-30', lapsesAfterYears: 0 };
      expect(expiryCutoffOn(sameYear, '2026-07-01')).to.equal('2026-06');
      expect(lapsedBy(sameYear, '2026-07', '2026-07-01')).to.equal(false);
      expect(lapsedBy(sameYear, '2026-07', '2027-06-30')).to.equal(false);
      expect(lapsedBy(sameYear, '2026-07', '2027-07-01')).to.equal(true);
    });

    it('reads 02-29 as the last day of February: 28 February in 2027, 29 February in 2028', () => {
      expect(lapsedBy(leapDay, '2027-01', '2027-02-28')).to.equal(false);
      expect(lapsedBy(leapDay, '2027-01', '2027-03-01')).to.equal(true);
      expect(isAnchorLapseDay(leapDay, '2027-03-01')).to.equal(true);
      expect(lapsedBy(leapDay, '2028-02', '2028-02-29')).to.equal(false);
      expect(isAnchorLapseDay(leapDay, '2028-02-29')).to.equal(false);
      expect(isAnchorLapseDay(leapDay, '2028-03-01')).to.equal(true);
      expect(lapsedBy(leapDay, '2028-02', '2028-03-01')).to.equal(true);
    });

    it('keeps the monthly lapse and the N-month rollover as they were', () => {
      expect(expiryCutoffOn({ mode: 'end_of_month' }, '2027-01-01')).to.equal('2026-12');
      expect(expiryCutoffOn({ mode: 'rollover', rolloverMonths: 3 }, '2027-01-01')).to.equal('2026-09');
    });
  });

  describe('the daily expiry run', () => {
    useTestDatabase();
    const { config } = createTestApp();
    const SENIOR = 'senior-anchor-1';
    const run = (day: string) => voucherExpiryJob.run({ month: day.slice(0, 7), day }, { runId: 'test', config, logger, signal: new AbortController().signal });
    const credit = (month: string, amountFen: number) =>
      applyMovement({ key: `issue:${SENIOR}:${month}`, seniorId: SENIOR, type: 'issue', balanceDeltaFen: amountFen, heldDeltaFen: 0, month, createdBy: 'system', creditMonth: month });

    beforeEach(async () => {
      await clearCollections();
      await openAccount(SENIOR, 'community-1');
      await VoucherPolicyModel.create({
        _id: '2025-01', name: '护理补助', combine: 'max', categories: [{ category: 'living_alone', monthlyAmountFen: 10_000, subsidyRatePct: 50 }],
        careLevelSupplementFen: [0, 0, 0, 0, 0, 0], defaultSubsidyRatePct: 50, fundingSplit: { cityPct: 50, districtPct: 50 },
        expiry: { mode: 'anchor_date', lapsesOn: '06-30', lapsesAfterYears: 1 }, createdBy: 'admin',
      });
    });

    it('lapses 2025\'s credits on 1 July 2026, once, and keeps 2026\'s', async () => {
      await credit('2025-01', 10_000);
      await credit('2025-12', 10_000);
      await credit('2026-01', 10_000);

      expect(await run('2026-06-30')).to.deep.equal({ accounts: 0, expired: 0, expiredFen: 0 });
      expect(await run('2026-06-01')).to.include({ expired: 0 });
      const first = await run('2026-07-01');
      const again = await run('2026-07-01');
      const laterMonth = await run('2026-08-01');

      expect(first).to.deep.equal({ accounts: 1, expired: 1, expiredFen: 20_000 });
      expect(again).to.include({ expired: 0, expiredFen: 0 });
      expect(laterMonth).to.include({ expired: 0, expiredFen: 0 });
      expect(await EntryModel.findById(`expire:${SENIOR}:2025-12`).lean()).to.include({ balanceDeltaFen: -20_000, reason: 'anchor_date' });
      expect(await AccountModel.findById(SENIOR).lean()).to.include({ balanceFen: 10_000, availableFen: 10_000 });
    });
  });

  describe('POST /voucher-policies', () => {
    useTestDatabase();
    const { app, config } = createTestApp();
    const body = (expiry: object) => ({
      name: '长护补助', effectiveFrom: '2031-01', combine: 'max', categories: [{ category: 'living_alone', monthlyAmountFen: 10_000, subsidyRatePct: 50 }],
      careLevelSupplementFen: [0, 0, 0, 0, 0, 0], defaultSubsidyRatePct: 50, fundingSplit: { cityPct: 50, districtPct: 50 }, expiry,
    });
    let admin: string;
    beforeEach(async () => {
      await clearCollections();
      admin = await tokenFor(config, 'admin');
    });

    it('stores an anchor_date expiry and answers it', async () => {
      const res = await request(app).post('/api/v1/voucher-policies').set('Authorization', admin).send(body(relief));

      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.expiry).to.deep.equal(relief);
      expect((await VoucherPolicyModel.findById('2031-01').lean())?.expiry).to.include({ mode: 'anchor_date', lapsesOn: '06-30', lapsesAfterYears: 1 });
    });

    it('refuses an anchor without its day, a day no month has and an anchor on another mode, in Chinese', async () => {
      const missing = await request(app).post('/api/v1/voucher-policies').set('Authorization', admin).send(body({ mode: 'anchor_date', lapsesAfterYears: 1 }));
      const noSuchDay = await request(app).post('/api/v1/voucher-policies').set('Authorization', admin).send(body({ mode: 'anchor_date', lapsesOn: '02-30', lapsesAfterYears: 0 }));
      const otherMode = await request(app).post('/api/v1/voucher-policies').set('Authorization', admin).send(body({ mode: 'end_of_month', lapsesOn: '06-30' }));

      expect([missing.status, noSuchDay.status, otherMode.status]).to.deep.equal([400, 400, 400]);
      expect(missing.body.error.details).to.deep.include({ path: 'expiry.lapsesOn', message: '固定日期失效模式须给出失效日期（MM-DD）和间隔年数（0-10）' });
      expect(noSuchDay.body.error.details).to.deep.include({ path: 'expiry.lapsesOn', message: '失效日期不存在（该月没有这一天）' });
      expect(otherMode.body.error.details).to.deep.include({ path: 'expiry.lapsesOn', message: '只有固定日期失效模式可以设置失效日期和间隔年数' });
    });
  });
});

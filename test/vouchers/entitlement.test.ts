import { expect } from 'chai';
import { computeEntitlement, subsidyFor } from '../../src/vouchers/entitlement.ts';
import type { VoucherPolicy } from '../../src/vouchers/policy.service.ts';

function policy(overrides: Partial<VoucherPolicy> = {}): VoucherPolicy {
  return {
    id: '2026-01',
    name: '测试政策',
    effectiveFrom: '2026-01',
    combine: 'max',
    categories: [
      { category: 'three_nos', monthlyAmountFen: 80_000, subsidyRatePct: 100 },
      { category: 'empty_nest', monthlyAmountFen: 30_000, subsidyRatePct: 50 },
      { category: 'living_alone', monthlyAmountFen: 40_000, subsidyRatePct: 40 },
      { category: 'advanced_age', monthlyAmountFen: 20_000, subsidyRatePct: 60 },
    ],
    careLevelSupplementFen: [0, 5_000, 10_000, 20_000, 30_000, 40_000],
    defaultSubsidyRatePct: 30,
    fundingSplit: { cityPct: 50, districtPct: 50 },
    expiry: { mode: 'end_of_month' },
    caps: { perService: [] },
    createdBy: 'admin',
    createdAt: new Date('2025-12-01T00:00:00Z'),
    ...overrides,
  };
}

/** A 70-year-old in 2026 with a fresh assessment, unless overridden. */
const senior = (overrides: Partial<Parameters<typeof computeEntitlement>[1]> = {}) => ({
  categories: ['empty_nest'],
  birthDate: '1956-03-10',
  careLevel: 0,
  assessedAt: '2026-01-05',
  ...overrides,
});

describe('computeEntitlement', () => {
  it('takes the largest category amount when the policy combines by max', () => {
    const result = computeEntitlement(policy(), senior({ categories: ['empty_nest', 'living_alone'] }), '2026-03');

    expect(result).to.deep.equal({ amountFen: 40_000, subsidyRatePct: 50, categories: ['empty_nest', 'living_alone'], supplementFen: 0 });
  });

  it('adds the category amounts when the policy combines by sum', () => {
    const result = computeEntitlement(policy({ combine: 'sum' }), senior({ categories: ['empty_nest', 'living_alone'] }), '2026-03');

    expect(result.amountFen).to.equal(70_000);
  });

  it('counts nothing for categories the policy does not list', () => {
    const sum = computeEntitlement(policy({ combine: 'sum' }), senior({ categories: ['empty_nest', 'low_income', 'disabled'] }), '2026-03');

    expect(sum.amountFen).to.equal(30_000);
    expect(sum.categories).to.deep.equal(['empty_nest']);
  });

  it('gives only the supplement and the default rate when no category of the senior is listed', () => {
    const result = computeEntitlement(policy(), senior({ categories: ['low_income'], careLevel: 2 }), '2026-03');

    expect(result).to.deep.equal({ amountFen: 10_000, subsidyRatePct: 30, categories: [], supplementFen: 10_000 });
  });

  it('uses the highest subsidy rate among the listed categories, whichever amount wins', () => {
    const result = computeEntitlement(policy(), senior({ categories: ['living_alone', 'empty_nest', 'three_nos'] }), '2026-03');

    expect(result.subsidyRatePct).to.equal(100);
    expect(result.amountFen).to.equal(80_000);
  });

  it('adds the supplement of the senior\'s care level while the assessment is valid', () => {
    const maxed = computeEntitlement(policy(), senior({ categories: ['empty_nest'], careLevel: 4 }), '2026-03');
    const summed = computeEntitlement(policy({ combine: 'sum' }), senior({ categories: ['empty_nest', 'living_alone'], careLevel: 5 }), '2026-03');

    expect(maxed).to.include({ amountFen: 60_000, supplementFen: 30_000 });
    expect(summed).to.include({ amountFen: 110_000, supplementFen: 40_000 });
  });

  it('pays the supplement through the month the assessment lapses in and drops it from the next', () => {
    const basis = senior({ careLevel: 3, assessedAt: '2025-03-15' });

    expect(computeEntitlement(policy(), basis, '2026-03')).to.include({ supplementFen: 20_000, amountFen: 50_000 });
    expect(computeEntitlement(policy(), basis, '2026-04')).to.include({ supplementFen: 0, amountFen: 30_000 });
  });

  it('still pays the supplement when the assessment lapses on the 1st itself', () => {
    const basis = senior({ careLevel: 1, assessedAt: '2025-04-01' });

    expect(computeEntitlement(policy(), basis, '2026-04').supplementFen).to.equal(5_000);
    expect(computeEntitlement(policy(), basis, '2026-05').supplementFen).to.equal(0);
  });

  it('derives advanced_age on the 1st: a senior turning 80 mid-month counts from the next month', () => {
    const basis = senior({ categories: [], birthDate: '1946-03-15' });

    const march = computeEntitlement(policy(), basis, '2026-03');
    const april = computeEntitlement(policy(), basis, '2026-04');

    expect(march).to.deep.equal({ amountFen: 0, subsidyRatePct: 30, categories: [], supplementFen: 0 });
    expect(april).to.deep.equal({ amountFen: 20_000, subsidyRatePct: 60, categories: ['advanced_age'], supplementFen: 0 });
  });

  it('counts a senior who turns 80 on the 1st in that very month', () => {
    const result = computeEntitlement(policy(), senior({ categories: [], birthDate: '1946-04-01' }), '2026-04');

    expect(result.categories).to.deep.equal(['advanced_age']);
  });

  it('combines advanced_age with entered categories and ignores it when the policy does not list it', () => {
    const elder = senior({ categories: ['empty_nest'], birthDate: '1940-01-01' });
    const withoutAge = policy({ categories: policy().categories.filter((entry) => entry.category !== 'advanced_age') });

    expect(computeEntitlement(policy({ combine: 'sum' }), elder, '2026-03')).to.include({ amountFen: 50_000, subsidyRatePct: 60 });
    expect(computeEntitlement(withoutAge, elder, '2026-03')).to.deep.include({ amountFen: 30_000, subsidyRatePct: 50, categories: ['empty_nest'] });
  });

  it('counts advanced_age once even if it was also entered', () => {
    const result = computeEntitlement(policy({ combine: 'sum' }), senior({ categories: ['advanced_age'], birthDate: '1940-01-01' }), '2026-03');

    expect(result).to.deep.include({ amountFen: 20_000, categories: ['advanced_age'] });
  });
});

describe('subsidyFor', () => {
  it('rounds the subsidy down, leaving the odd fen to the senior\'s self-pay', () => {
    expect(subsidyFor(3_999, 50)).to.equal(1_999);
    expect(subsidyFor(101, 33)).to.equal(33);
    expect(subsidyFor(199, 1)).to.equal(1);
    expect(subsidyFor(99, 1)).to.equal(0);
  });

  it('pays the whole price at 100% and nothing at 0%', () => {
    expect(subsidyFor(4_567, 100)).to.equal(4_567);
    expect(subsidyFor(4_567, 0)).to.equal(0);
    expect(subsidyFor(0, 80)).to.equal(0);
  });

  it('stays exact for prices where floating point would not', () => {
    // (2^53 − 1) × 99 is past a double's exact integers; 9007199254740991 × 99 / 100 = 8917127262193581.09.
    expect(subsidyFor(Number.MAX_SAFE_INTEGER, 99)).to.equal(8_917_127_262_193_581);
  });

  it('refuses negative or fractional prices and rates outside 0-100', () => {
    expect(() => subsidyFor(-1, 50)).to.throw(RangeError);
    expect(() => subsidyFor(10.5, 50)).to.throw(RangeError);
    expect(() => subsidyFor(100, 101)).to.throw(RangeError);
    expect(() => subsidyFor(100, 12.5)).to.throw(RangeError);
  });
});

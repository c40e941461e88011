import { expect } from 'chai';
import { budgetRunRate, type StatementFigures } from '../../src/reports/budget-run-rate.ts';

const statement = (period: string, status: 'draft' | 'approved' | 'paid', cityFen: number, districtFen: number): StatementFigures => ({ period, status, totals: { cityFen, districtFen } });

describe('budgetRunRate', () => {
  it('projects the year end from the settled months, exact to the fen, with drafts shown apart', () => {
    const statements = [
      statement('2026-01', 'paid', 100_001, 50_000), statement('2026-01', 'approved', 0, 1),
      statement('2026-02', 'paid', 100_000, 50_000),
      statement('2026-03', 'approved', 100_000, 50_000),
      statement('2026-04', 'approved', 70_000, 1), statement('2026-04', 'draft', 33_333, 2),
      statement('2025-12', 'paid', 9_999_999, 9_999_999), statement('2026-05', 'approved', 9_999_999, 9_999_999),
    ];

    const rate = budgetRunRate('2026-04', statements, { city: 1_300_000, district: null });

    expect(rate).to.deep.include({ year: '2026', throughPeriod: '2026-04', settledMonths: 3, remainingMonths: 9, warningThresholdPct: 90 });
    expect(rate.months).to.deep.equal([
      { period: '2026-01', settled: true, statements: 2, cityFen: 100_001, districtFen: 50_001 },
      { period: '2026-02', settled: true, statements: 1, cityFen: 100_000, districtFen: 50_000 },
      { period: '2026-03', settled: true, statements: 1, cityFen: 100_000, districtFen: 50_000 },
      { period: '2026-04', settled: false, statements: 2, cityFen: 103_333, districtFen: 3 },
    ]);
    // City: 300,001 fen in 3 months; 300,001 × 9 / 3 = 900,003 more → 1,200,004.
    expect(rate.sources[0]).to.deep.equal({
      source: 'city', settledFen: 300_001, pendingFen: 103_333, runRateFen: 100_000, projectedYearEndFen: 1_200_004,
      annualBudgetFen: 1_300_000, projectedShareOfBudget: 0.9231, projectedOverBudgetFen: 0, warning: true,
    });
    // District: 150,001 in 3 months → 150,001 + 450,003 = 600,004; no budget, no warning.
    expect(rate.sources[1]).to.deep.equal({
      source: 'district', settledFen: 150_001, pendingFen: 3, runRateFen: 50_000, projectedYearEndFen: 600_004,
      annualBudgetFen: null, projectedShareOfBudget: null, projectedOverBudgetFen: null, warning: false,
    });
  });

  it('rounds the projection once, half a fen up, from the exact average', () => {
    // 7 fen over 2 months: 3.5 a month; 7 + 7 × 10 / 2 = 42 exactly (a rounded rate of 4 would say 47).
    const even = budgetRunRate('2026-02', [statement('2026-01', 'paid', 3, 0), statement('2026-02', 'paid', 4, 0)], { city: null, district: null });
    expect(even.sources[0]).to.include({ runRateFen: 4, projectedYearEndFen: 42 });
    // 10 fen over 3 months: 10 + 10 × 9 / 3 = 40; 11 fen: 11 + 33 = 44; 1 fen over 7 months: 1 + 5/7 → 2.
    expect(budgetRunRate('2026-03', ['01', '02', '03'].map((m, i) => statement(`2026-${m}`, 'paid', i === 0 ? 10 : 0, 0)), { city: null, district: null }).sources[0]).to.include({ runRateFen: 3, projectedYearEndFen: 40 });
    const seven = ['01', '02', '03', '04', '05', '06', '07'].map((m, i) => statement(`2026-${m}`, 'approved', i === 0 ? 1 : 0, 0));
    expect(budgetRunRate('2026-07', seven, { city: null, district: null }).sources[0]).to.include({ runRateFen: 0, projectedYearEndFen: 2 });
  });

  it('warns at exactly 90% of the budget and not a fen below', () => {
    // One settled month of 75,000 fen → 900,000 projected.
    const months = [statement('2026-01', 'paid', 75_000, 75_000)];
    const atMark = budgetRunRate('2026-01', months, { city: 1_000_000, district: 1_000_001 });
    expect(atMark.sources[0]).to.include({ projectedYearEndFen: 900_000, projectedShareOfBudget: 0.9, warning: true });
    // 900,000 / 1,000,001 is 89.99991 %: rounded to 0.9 on screen, but below the mark in fen.
    expect(atMark.sources[1]).to.include({ projectedYearEndFen: 900_000, projectedShareOfBudget: 0.9, warning: false });
  });

  it('says how far the projection passes the budget', () => {
    const rate = budgetRunRate('2026-06', ['01', '02', '03', '04', '05', '06'].map((m) => statement(`2026-${m}`, 'paid', 96_000, 0)), { city: 1_000_000, district: null });
    expect(rate.sources[0]).to.include({ projectedYearEndFen: 1_152_000, projectedShareOfBudget: 1.152, projectedOverBudgetFen: 152_000, warning: true });
  });

  it('projects nothing and warns of nothing before a month is settled, or without a budget', () => {
    const drafts = budgetRunRate('2026-03', [statement('2026-02', 'draft', 900_000, 900_000)], { city: 1, district: 1 });
    expect(drafts).to.deep.include({ settledMonths: 0, remainingMonths: 12 });
    expect(drafts.sources[0]).to.deep.equal({
      source: 'city', settledFen: 0, pendingFen: 900_000, runRateFen: null, projectedYearEndFen: null, annualBudgetFen: 1, projectedShareOfBudget: null, projectedOverBudgetFen: null, warning: false,
    });
    const noBudget = budgetRunRate('2026-03', [statement('2026-02', 'paid', 900_000, 900_000)], { city: null, district: null });
    // February settled, January without statements (nothing spent): 900,000 + 10 months × 900,000.
    expect(noBudget.sources.map((s) => [s.projectedYearEndFen, s.warning])).to.deep.equal([[9_900_000, false], [9_900_000, false]]);
    expect(budgetRunRate('2026-03', [], { city: 5, district: 5 }).sources.every((s) => !s.warning && s.projectedYearEndFen === null)).to.equal(true);
  });

  it('projects a district that went live in September from its own months, not as if it had spent since January', () => {
    // September and October settled, November pending, through November: 2 settled months at
    // 500,000 a month; still to spend November and December → 1,000,000 + 1,000,000.
    const rate = budgetRunRate('2026-11', [
      statement('2026-09', 'paid', 500_000, 0), statement('2026-10', 'approved', 500_000, 0), statement('2026-11', 'draft', 123, 0),
    ], { city: 2_100_000, district: null });
    expect(rate).to.deep.include({ settledMonths: 2, remainingMonths: 2 });
    expect(rate.sources[0]).to.include({ runRateFen: 500_000, projectedYearEndFen: 2_000_000, pendingFen: 123, warning: true });
    // A pending month before the last settled one is still to spend: February pending, March settled.
    const gap = budgetRunRate('2026-03', [statement('2026-01', 'paid', 100, 0), statement('2026-02', 'draft', 100, 0), statement('2026-03', 'paid', 100, 0)], { city: null, district: null });
    expect(gap).to.deep.include({ settledMonths: 2, remainingMonths: 10 });
    expect(gap.sources[0]).to.include({ projectedYearEndFen: 200 + 1_000 });
  });
});

import { expect } from 'chai';
import { isoWeekday, occurrenceDays, zonedInstant } from '../../src/care-plans/care-plan.schedule.ts';

describe('care-plan schedule', () => {
  it('numbers weekdays the ISO way, Monday 1 to Sunday 7', () => {
    expect(['2026-11-23', '2026-11-25', '2026-11-29'].map(isoWeekday)).to.deep.equal([1, 3, 7]);
  });

  it('turns a Shanghai wall-clock time into UTC, across midnight and a month end', () => {
    expect(zonedInstant('2026-11-23', '11:00', 'Asia/Shanghai').toISOString()).to.equal('2026-11-23T03:00:00.000Z');
    expect(zonedInstant('2026-12-01', '07:30', 'Asia/Shanghai').toISOString()).to.equal('2026-11-30T23:30:00.000Z');
  });

  it('lists the plan days of the horizon within its dates', () => {
    const plan = { weekdays: [1, 3, 5], startDate: '2026-11-25', endDate: '2026-12-02' };

    expect(occurrenceDays(plan, '2026-11-23', 7)).to.deep.equal(['2026-11-25', '2026-11-27']);
    expect(occurrenceDays(plan, '2026-11-30', 7)).to.deep.equal(['2026-11-30', '2026-12-02']);
  });
});

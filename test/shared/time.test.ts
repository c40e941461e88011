import { expect } from 'chai';
import { businessMonthBounds, startOfBusinessDay } from '../../src/shared/time.ts';

describe('business time', () => {
  it('finds the UTC instants a month of Asia/Shanghai begins and ends', () => {
    expect(businessMonthBounds('2026-09', 'Asia/Shanghai')).to.deep.equal({ start: new Date('2026-08-31T16:00:00Z'), end: new Date('2026-09-30T16:00:00Z') });
    expect(businessMonthBounds('2026-12', 'Asia/Shanghai').end).to.deep.equal(new Date('2026-12-31T16:00:00Z'));
  });

  it('follows a zone whose offset changes within the month', () => {
    expect(businessMonthBounds('2026-03', 'America/New_York')).to.deep.equal({ start: new Date('2026-03-01T05:00:00Z'), end: new Date('2026-04-01T04:00:00Z') });
    expect(startOfBusinessDay('2026-11-01', 'America/New_York')).to.deep.equal(new Date('2026-11-01T04:00:00Z'));
  });
});

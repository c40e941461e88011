import { expect } from 'chai';
import { caregiverOverlaps, type TimedVisit } from '../../src/reports/caregiver-overlaps.ts';

const t = (time: string) => new Date(`2026-09-16T${time}:00+08:00`);
function visit(orderId: string, caregiverId: string, from: string, to: string): TimedVisit {
  return { orderId, orderNumber: null, caregiverId, providerId: 'p', communityId: 'c', checkInAt: t(from), checkOutAt: t(to), endsAt: t(to) };
}
const pairs = (visits: TimedVisit[]) => caregiverOverlaps(visits).map((o) => [o.first.orderId, o.second.orderId, o.overlapMs / 60_000]);

describe('caregiver overlaps', () => {
  it('pairs two visits of one caregiver whose intervals overlap, with the minutes they share', () => {
    expect(pairs([visit('b', 'g', '10:30', '11:30'), visit('a', 'g', '10:00', '11:00')])).to.deep.equal([['a', 'b', 30]]);
  });

  it('does not pair visits that only touch, or visits of different caregivers', () => {
    expect(pairs([visit('a', 'g', '09:00', '10:00'), visit('b', 'g', '10:00', '11:00'), visit('c', 'h', '09:30', '10:30')])).to.deep.equal([]);
  });

  it('finds every pair when one long visit covers several others', () => {
    const found = pairs([visit('long', 'g', '08:00', '12:00'), visit('x', 'g', '09:00', '09:30'), visit('y', 'g', '10:00', '10:45'), visit('z', 'g', '13:00', '14:00')]);

    expect(found).to.deep.equal([['long', 'x', 30], ['long', 'y', 45]]);
  });

  it('counts a visit inside another by its own length', () => {
    expect(pairs([visit('outer', 'g', '09:00', '12:00'), visit('inner', 'g', '10:00', '10:20')])).to.deep.equal([['outer', 'inner', 20]]);
  });
});

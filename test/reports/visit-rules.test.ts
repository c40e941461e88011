import { expect } from 'chai';
import { binomialUpperTail, flagRateTest, isCallbackOnlyProvider } from '../../src/reports/provider-rules.ts';
import { orderedReasons, SUSPECT_THRESHOLD, suspectScore } from '../../src/reports/suspect-score.ts';
import { durationPattern, impossibleTravel, isExactDuration, longCaregiverDays, repeatedCoordinates, type RuleVisit } from '../../src/reports/visit-rules.ts';

const HOME = { lng: 117.254_137, lat: 31.845_721 };
/** About `metresEast` east of HOME (1° of longitude is ~94.6 km at this latitude). */
const east = (metresEast: number) => ({ lng: HOME.lng + metresEast / 94_600, lat: HOME.lat });
const at = (day: number, time: string) => new Date(`2026-09-${String(day).padStart(2, '0')}T${time}:00+08:00`);

let sequence = 0;
function visit(overrides: Partial<RuleVisit> & { day?: number; from?: string; to?: string } = {}): RuleVisit {
  sequence += 1;
  const { day = 10, from = '09:00', to = '10:00', ...rest } = overrides;
  const checkInAt = at(day, from);
  const checkOutAt = at(day, to);
  return {
    orderId: `o${sequence}`, caregiverId: 'g', providerId: 'p', seniorId: `s${sequence}`, checkInAt, checkOutAt, checkInDay: `2026-09-${String(day).padStart(2, '0')}`,
    checkInPoint: east(sequence * 0.37), checkOutPoint: east(sequence * 0.37 + 0.21),
    durationMinutes: Math.round((checkOutAt.getTime() - checkInAt.getTime()) / 60_000) + 1, expectedMinutes: 60, unitMinutes: 60,
    ...rest,
  };
}
const ids = (found: Set<string>) => [...found].sort();

describe('visit rules', () => {
  describe('impossible_travel', () => {
    it('names both visits when 5 km lie between a check-out and the next check-in 3 minutes later (100 km/h)', () => {
      const first = visit({ from: '09:00', to: '10:00', checkOutPoint: east(0) });
      const second = visit({ from: '10:03', to: '11:00', checkInPoint: east(5_000) });

      expect(ids(impossibleTravel([second, first]))).to.deep.equal(ids(new Set([first.orderId, second.orderId])));
    });

    it('names a next visit that began before the last ended, a kilometre away', () => {
      const first = visit({ from: '09:00', to: '10:00', checkOutPoint: east(0) });
      const second = visit({ from: '09:50', to: '11:00', checkInPoint: east(1_000) });

      expect(impossibleTravel([first, second]).size).to.equal(2);
    });

    it('leaves alone 5 km in 10 minutes (30 km/h), a short jump with no gap, and two caregivers far apart at once', () => {
      const drive = [visit({ from: '09:00', to: '10:00', checkOutPoint: east(0) }), visit({ from: '10:10', to: '11:00', checkInPoint: east(5_000) })];
      const neighbours = [visit({ caregiverId: 'h', from: '09:00', to: '10:00', checkOutPoint: east(0) }), visit({ caregiverId: 'h', from: '10:00', to: '11:00', checkInPoint: east(400) })];
      const twoPeople = [visit({ caregiverId: 'x', checkInPoint: east(0) }), visit({ caregiverId: 'y', checkInPoint: east(8_000) })];

      expect(impossibleTravel([...drive, ...neighbours, ...twoPeople]).size).to.equal(0);
    });
  });

  describe('repeated_coordinates', () => {
    it('names visits to two homes that report the same check-in point to 6 decimals', () => {
      const spoofed = { lng: 117.261_234_4, lat: 31.840_987_6 };
      const a = visit({ seniorId: 'sa', checkInPoint: spoofed });
      const b = visit({ seniorId: 'sb', day: 11, checkOutPoint: { lng: 117.261_234_1, lat: 31.840_987_9 } });

      expect(ids(repeatedCoordinates([a, b, visit()]))).to.deep.equal(ids(new Set([a.orderId, b.orderId])));
    });

    it('names one home reporting the same point on two days', () => {
      const a = visit({ seniorId: 's', day: 10, checkInPoint: HOME });
      const b = visit({ seniorId: 's', day: 12, checkInPoint: HOME });

      expect(repeatedCoordinates([a, b]).size).to.equal(2);
    });

    it('leaves alone points a metre apart, and one home on one day (a visit\'s own check-in and check-out, two visits)', () => {
      const jitter = [visit({ seniorId: 'sa', checkInPoint: HOME }), visit({ seniorId: 'sb', checkInPoint: { lng: HOME.lng + 0.000_01, lat: HOME.lat } })];
      const sameVisit = visit({ seniorId: 'sc', checkInPoint: east(900), checkOutPoint: east(900) });
      const sameDay = [visit({ seniorId: 'sd', day: 14, checkInPoint: east(1_500) }), visit({ seniorId: 'sd', day: 14, from: '15:00', to: '16:00', checkInPoint: east(1_500) })];

      expect(repeatedCoordinates([...jitter, sameVisit, ...sameDay]).size).to.equal(0);
    });
  });

  describe('duration_pattern', () => {
    it('counts as exact the expected minutes and whole units of a long enough unit, not a 5-minute unit', () => {
      expect(isExactDuration({ durationMinutes: 60, expectedMinutes: 60, unitMinutes: 60 })).to.equal(true);
      expect(isExactDuration({ durationMinutes: 120, expectedMinutes: 60, unitMinutes: 60 })).to.equal(true);
      expect(isExactDuration({ durationMinutes: 45, expectedMinutes: 60, unitMinutes: 15 })).to.equal(true);
      expect(isExactDuration({ durationMinutes: 61, expectedMinutes: 60, unitMinutes: 60 })).to.equal(false);
      expect(isExactDuration({ durationMinutes: 55, expectedMinutes: 60, unitMinutes: 5 })).to.equal(false);
      expect(isExactDuration({ durationMinutes: 0, expectedMinutes: 60, unitMinutes: 60 })).to.equal(false);
    });

    it('names the exact visits of a caregiver whose visits are 4 in 5 exactly an hour', () => {
      const visits = [60, 60, 120, 60, 53].map((minutes, i) => visit({ caregiverId: 'g1', providerId: `p${i}`, day: 10 + i, durationMinutes: minutes }));

      expect(ids(durationPattern(visits))).to.deep.equal(ids(new Set(visits.slice(0, 4).map((v) => v.orderId))));
    });

    it('names the exact visits of a provider whose caregivers each log one or two, mostly exact', () => {
      const visits = [60, 60, 60, 60, 60, 71].map((minutes, i) => visit({ caregiverId: `g${i}`, providerId: 'records-inc', durationMinutes: minutes }));

      expect(durationPattern(visits).size).to.equal(5);
    });

    it('leaves alone honest durations (expected ± 20%, to the minute) with their odd exact one, and 4 exact of only 4 visits', () => {
      const honest = [52, 60, 67, 71, 49, 58, 63].map((minutes, i) => visit({ caregiverId: 'honest', providerId: 'ph', day: 1 + i, durationMinutes: minutes }));
      const few = [60, 60, 60, 60].map((minutes, i) => visit({ caregiverId: 'few', providerId: 'pf', day: 1 + i, durationMinutes: minutes }));

      expect(durationPattern([...honest, ...few]).size).to.equal(0);
    });
  });

  describe('long_caregiver_day', () => {
    it('names every visit of a day with more than 12 hours of visits', () => {
      const day = ['06:00', '08:40', '11:20', '14:00', '16:40'].map((from) => visit({ caregiverId: 'long', from, to: from, durationMinutes: 150 }));

      expect(longCaregiverDays([...day, visit({ caregiverId: 'long', day: 11, durationMinutes: 150 })]).size).to.equal(5);
    });

    it('leaves alone exactly 12 hours, and 12 hours spread over two days', () => {
      const twelve = ['06:00', '09:00', '12:00', '15:00'].map((from) => visit({ caregiverId: 'a', from, to: from, durationMinutes: 180 }));
      const twoDays = [visit({ caregiverId: 'b', day: 10, durationMinutes: 400 }), visit({ caregiverId: 'b', day: 11, durationMinutes: 400 })];

      expect(longCaregiverDays([...twelve, ...twoDays]).size).to.equal(0);
    });
  });

  describe('provider_flag_rate', () => {
    it('computes the exact binomial upper tail', () => {
      expect(binomialUpperTail(0, 10, 0.3)).to.equal(1);
      expect(binomialUpperTail(11, 10, 0.3)).to.equal(0);
      expect(binomialUpperTail(10, 10, 0.5)).to.be.closeTo(1 / 1024, 1e-12);
      expect(binomialUpperTail(8, 10, 0.5)).to.be.closeTo(56 / 1024, 1e-12);
      // P(X ≥ 30 | 1000, 0.02) = 0.0206965186732 (the exact sum in integers: Python's math.comb).
      expect(binomialUpperTail(30, 1_000, 0.02)).to.be.closeTo(0.020_696_518_673, 1e-10);
    });

    it('names a provider far above the district with enough visits, not one flagged out of one', () => {
      expect(flagRateTest({ visitsCheckedIn: 25, flaggedVisits: 10 }, 0.1)).to.include({ isOutlier: true });
      expect(flagRateTest({ visitsCheckedIn: 25, flaggedVisits: 10 }, 0.1).pValue).to.be.below(0.001);
      expect(flagRateTest({ visitsCheckedIn: 1, flaggedVisits: 1 }, 0.1)).to.include({ isOutlier: false });
      expect(flagRateTest({ visitsCheckedIn: 19, flaggedVisits: 19 }, 0.1)).to.include({ isOutlier: false });
    });

    it('does not name a provider above the district within chance (2× the rate on 20 visits)', () => {
      const test = flagRateTest({ visitsCheckedIn: 20, flaggedVisits: 4 }, 0.1);

      expect(test.isOutlier).to.equal(false);
      expect(test.pValue).to.be.above(0.1);
    });
  });

  describe('callback_only_provider', () => {
    it('names a provider with 20 visits of which 2 were confirmed at the door, in a district at 70%', () => {
      expect(isCallbackOnlyProvider({ finishedVisits: 20, doorConfirmed: 2 }, 0.7)).to.equal(true);
    });

    it('leaves alone 3 at the door in 20, 1 in 19, and any provider of a district that hardly confirms at the door', () => {
      expect(isCallbackOnlyProvider({ finishedVisits: 20, doorConfirmed: 3 }, 0.7)).to.equal(false);
      expect(isCallbackOnlyProvider({ finishedVisits: 19, doorConfirmed: 1 }, 0.7)).to.equal(false);
      expect(isCallbackOnlyProvider({ finishedVisits: 50, doorConfirmed: 0 }, 0.3)).to.equal(false);
    });
  });

  describe('score', () => {
    it('reaches the threshold with one strong or medium reason, never with the weak ones alone', () => {
      expect(suspectScore(['geofence'])).to.be.at.least(SUSPECT_THRESHOLD);
      expect(suspectScore(['long_caregiver_day'])).to.be.at.least(SUSPECT_THRESHOLD);
      expect(suspectScore(['late_sync'])).to.be.below(SUSPECT_THRESHOLD);
      expect(suspectScore(['late_sync', 'clock_drift'])).to.be.below(SUSPECT_THRESHOLD);
    });

    it('adds the distinct reasons\' weights, capped at 100, and orders them strongest first', () => {
      expect(suspectScore(['short_visit', 'late_sync', 'late_sync'])).to.equal(50);
      expect(suspectScore(['geofence', 'impossible_travel', 'late_sync'])).to.equal(100);
      expect(orderedReasons(['late_sync', 'short_visit', 'geofence'])).to.deep.equal(['geofence', 'short_visit', 'late_sync']);
    });
  });
});

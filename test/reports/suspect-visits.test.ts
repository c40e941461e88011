import { expect } from 'chai';
import request from 'supertest';
import { enrolSenior, transitionSenior } from '../../src/seniors/index.ts';
import { createTestApp, createTestUser, tokenFor } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { makeCommunity, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody } from '../seniors/senior.fixtures.ts';
import { at, insertVisit, insertVisits, newId, spot, type VisitSpec } from './visits.fixtures.ts';

interface Suspect { orderId: string; reasons: string[]; score: number; [field: string]: unknown }

/** About `metres` east of a point (1° of longitude is ~94.6 km here), with 7 decimals. */
const eastOf = (point: { lng: number; lat: number }, metres: number) => ({ lng: Number((point.lng + metres / 94_600).toFixed(7)), lat: point.lat });

/*
 * Each rule on a month of its own (the rules compare a month's visits): the case it is for, and
 * beside it the honest near miss it must leave alone.
 */
describe('GET /reports/anomalies: suspectVisits', function () {
  this.timeout(120_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  let admin: string;

  before(async () => {
    admin = await tokenFor(config, 'admin');
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON answer
  async function reportOf(month: string): Promise<Record<string, any>> {
    const res = await request(app).get(`/api/v1/reports/anomalies?month=${month}`).set('Authorization', admin);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  }
  async function suspectsOf(month: string): Promise<Map<string, Suspect>> {
    const suspects = (await reportOf(month)).suspectVisits as Suspect[];
    expect(new Set(suspects.map((s) => s.orderId)).size, 'each visit once').to.equal(suspects.length);
    return new Map(suspects.map((suspect) => [suspect.orderId, suspect]));
  }
  const reasonsOf = (suspects: Map<string, Suspect>, orderId: string) => suspects.get(orderId)?.reasons ?? null;

  it('lists a visit flagged beyond the geofence with its row, and not a visit 250 m from the home', async () => {
    const [providerId, caregiverId] = [newId(), newId()];
    const outside = await insertVisit({ caregiverId, providerId, checkInAt: at('2025-01', 6, '09:00'), flags: ['geofence_check_out'], status: 'completed', method: null });
    const near = await insertVisit({ caregiverId, providerId, checkInAt: at('2025-01', 7, '09:00'), distanceM: 250 });

    const suspects = await suspectsOf('2025-01');

    expect(suspects.get(outside)).to.deep.equal({
      orderId: outside, orderNumber: null, reasons: ['geofence'], score: 60, scheduledStart: at('2025-01', 6, '09:00').toISOString(),
      providerId, providerName: providerId, caregiverId, caregiverName: null, communityId: 'community-r', serviceTypeCode: 'clean_r', status: 'completed', review: null,
    });
    expect(suspects.has(near)).to.equal(false);
  });

  it('lists a short visit, and not one 20% short', async () => {
    const [providerId, caregiverId] = [newId(), newId()];
    const short = await insertVisit({ caregiverId, providerId, checkInAt: at('2025-02', 3, '09:00'), durationMinutes: 25, flags: ['short_visit'] });
    const honest = await insertVisit({ caregiverId, providerId, checkInAt: at('2025-02', 4, '09:00'), durationMinutes: 48 });

    const suspects = await suspectsOf('2025-02');

    expect(suspects.get(short)).to.include({ score: 40 });
    expect(reasonsOf(suspects, short)).to.deep.equal(['short_visit']);
    expect(suspects.has(honest)).to.equal(false);
  });

  it('does not list a visit whose only reasons are weak (a late sync, a drifting clock), but adds them to a stronger one', async () => {
    const [providerId, caregiverId] = [newId(), newId()];
    const [late, lateAndDrift, lateAndShort] = await insertVisits([
      { caregiverId, providerId, checkInAt: at('2025-03', 3, '09:00'), flags: ['late_sync'] },
      { caregiverId, providerId, checkInAt: at('2025-03', 4, '09:00'), flags: ['late_sync', 'clock_drift'] },
      { caregiverId, providerId, checkInAt: at('2025-03', 5, '09:00'), durationMinutes: 20, flags: ['late_sync', 'short_visit'] },
    ]) as [string, string, string];

    const body = await reportOf('2025-03');
    const suspects = new Map((body.suspectVisits as Suspect[]).map((s) => [s.orderId, s]));

    expect(body.flaggedVisits.map((v: { orderId: string }) => v.orderId)).to.deep.equal([late, lateAndDrift, lateAndShort]);
    expect([...suspects.keys()]).to.deep.equal([lateAndShort]);
    expect(suspects.get(lateAndShort)).to.deep.include({ reasons: ['short_visit', 'late_sync'], score: 50 });
  });

  it('names both visits of a journey too fast to be real (5 km in 3 minutes), and not 5 km in 10 minutes', async () => {
    const providerId = newId();
    const [g, h] = [newId(), newId()];
    const [a, b] = [{ lng: 117.230_412_7, lat: 31.830_558_1 }, { lng: 117.240_871_3, lat: 31.820_332_9 }];
    const [first, second, third, fourth] = await insertVisits([
      { caregiverId: g, providerId, checkInAt: at('2025-04', 8, '09:00'), checkOutAt: at('2025-04', 8, '09:57'), durationMinutes: 57, checkOutPoint: a },
      { caregiverId: g, providerId, checkInAt: at('2025-04', 8, '10:00'), checkInPoint: eastOf(a, 5_000) },
      { caregiverId: h, providerId, checkInAt: at('2025-04', 8, '09:00'), checkOutAt: at('2025-04', 8, '09:57'), durationMinutes: 57, checkOutPoint: b },
      { caregiverId: h, providerId, checkInAt: at('2025-04', 8, '10:07'), checkInPoint: eastOf(b, 5_000) },
    ]) as [string, string, string, string];

    const suspects = await suspectsOf('2025-04');

    expect(reasonsOf(suspects, first)).to.deep.equal(['impossible_travel']);
    expect(reasonsOf(suspects, second)).to.deep.equal(['impossible_travel']);
    expect(suspects.has(third) || suspects.has(fourth)).to.equal(false);
  });

  it('names both visits of a caregiver in two homes at once (the overlap sweep), not visits that only touch', async () => {
    const providerId = newId();
    const [g, h] = [newId(), newId()];
    const [a, b, c, d] = await insertVisits([
      { caregiverId: g, providerId, checkInAt: at('2025-05', 9, '10:00'), durationMinutes: 61 },
      { caregiverId: g, providerId, checkInAt: at('2025-05', 9, '10:30'), durationMinutes: 61 },
      { caregiverId: h, providerId, checkInAt: at('2025-05', 9, '13:00'), checkOutAt: at('2025-05', 9, '14:00'), durationMinutes: 60 },
      { caregiverId: h, providerId, checkInAt: at('2025-05', 9, '14:00'), checkOutAt: at('2025-05', 9, '14:59'), durationMinutes: 59 },
    ]) as [string, string, string, string];

    const suspects = await suspectsOf('2025-05');

    expect(reasonsOf(suspects, a)).to.deep.equal(['caregiver_overlap']);
    expect(reasonsOf(suspects, b)).to.deep.equal(['caregiver_overlap']);
    expect(suspects.has(c) || suspects.has(d)).to.equal(false);
  });

  it('names visits to different homes reporting the same coordinates to 6 decimals, not a home whose fixes differ by a metre', async () => {
    const providerId = newId();
    const spoofed = { lng: 117.215_873_4, lat: 31.862_214_8 };
    const jittered = spot();
    const [one, other, monday, tuesday] = await insertVisits([
      { caregiverId: newId(), providerId, checkInAt: at('2025-06', 3, '09:00'), checkInPoint: spoofed },
      { caregiverId: newId(), providerId, checkInAt: at('2025-06', 4, '09:00'), checkOutPoint: { lng: 117.215_873_1, lat: 31.862_215_2 } },
      { caregiverId: newId(), providerId, seniorId: 'one-home', checkInAt: at('2025-06', 9, '09:00'), checkInPoint: jittered },
      { caregiverId: newId(), providerId, seniorId: 'one-home', checkInAt: at('2025-06', 10, '09:00'), checkInPoint: { lng: jittered.lng + 0.000_01, lat: jittered.lat } },
    ]) as [string, string, string, string];

    const suspects = await suspectsOf('2025-06');

    expect(reasonsOf(suspects, one)).to.deep.equal(['repeated_coordinates']);
    expect(reasonsOf(suspects, other)).to.deep.equal(['repeated_coordinates']);
    expect(suspects.has(monday) || suspects.has(tuesday)).to.equal(false);
  });

  it('names the exact-hour visits of a caregiver whose durations are 4 in 5 a billable amount, not an honest caregiver\'s odd exact hour', async () => {
    const [g, h] = [newId(), newId()];
    const inflated = await insertVisits([60, 60, 60, 120, 57].map((durationMinutes, i) => ({ caregiverId: g, providerId: 'p-inflated', checkInAt: at('2025-07', 1 + i, '09:00'), durationMinutes })));
    const honest = await insertVisits([60, 52, 66, 71, 49, 63].map((durationMinutes, i) => ({ caregiverId: h, providerId: 'p-honest', checkInAt: at('2025-07', 1 + i, '09:00'), durationMinutes })));

    const suspects = await suspectsOf('2025-07');

    for (const id of inflated.slice(0, 4)) expect(reasonsOf(suspects, id)).to.deep.equal(['duration_pattern']);
    expect(suspects.has(inflated[4] as string)).to.equal(false);
    expect(honest.filter((id) => suspects.has(id))).to.deep.equal([]);
  });

  it('names every visit of a caregiver\'s day of more than 12 hours, not a day of 11 h 56 min', async () => {
    const [g, h] = [newId(), newId()];
    const longDay = await insertVisits(['06:00', '08:35', '11:10', '13:45', '16:20'].map((time) => ({ caregiverId: g, providerId: newId(), checkInAt: at('2025-08', 2, time), durationMinutes: 150 })));
    const fullDay = await insertVisits(['06:00', '09:05', '12:10', '15:15'].map((time) => ({ caregiverId: h, providerId: newId(), checkInAt: at('2025-08', 3, time), durationMinutes: 179 })));

    const suspects = await suspectsOf('2025-08');

    for (const id of longDay) expect(reasonsOf(suspects, id)).to.deep.equal(['long_caregiver_day']);
    expect(fullDay.filter((id) => suspects.has(id))).to.deep.equal([]);
  });

  it('names a visit while the senior was suspended, and from the effective day of a back-dated death; not the days before', async () => {
    const street = await makeStreet('甲街道');
    const community = await makeCommunity(street, '甲社区');
    const [registrar, approver] = [await createTestUser('admin'), await createTestUser('admin')];
    const ctx = (actor: typeof registrar, now: Date) => ({ actor, config, requestId: null, lang: 'zh' as const, now });
    const enrol = async () => {
      const senior = await enrolSenior(enrolmentBody(community.id), ctx(registrar, at('2025-09', 1, '08:00')));
      await transitionSenior(senior.id, { action: 'approve' }, ctx(approver, at('2025-09', 1, '09:00')));
      return senior.id;
    };
    const [suspended, deceased] = [await enrol(), await enrol()];
    await transitionSenior(suspended, { action: 'suspend', reason: '住院' }, ctx(registrar, at('2025-10', 10, '12:00')));
    await transitionSenior(deceased, { action: 'deactivate', reason: 'deceased', effectiveDate: '2025-10-15' }, ctx(registrar, at('2025-10', 20, '09:00')));
    const [providerId, caregiverId] = [newId(), newId()];
    const visit = (seniorId: string, day: number): VisitSpec => ({ caregiverId, providerId, seniorId, communityId: community.id, streetId: street.id, checkInAt: at('2025-10', day, '09:00') });
    const [beforeSuspension, whileSuspended, dayBeforeDeath, dayOfDeath] = await insertVisits([visit(suspended, 9), visit(suspended, 12), visit(deceased, 14), visit(deceased, 15)]) as [string, string, string, string];

    const suspects = await suspectsOf('2025-10');

    expect(reasonsOf(suspects, whileSuspended)).to.deep.equal(['senior_suspended']);
    expect(reasonsOf(suspects, dayOfDeath)).to.deep.equal(['senior_deactivated']);
    expect(suspects.has(beforeSuspension) || suspects.has(dayBeforeDeath)).to.equal(false);
  });

  it('names the visits not confirmed at the door of a provider that (almost) never is, not a provider at 15%', async () => {
    const [callbackOnly, sometimes, doors] = ['p-callback', 'p-sometimes', 'p-doors'];
    const series = (providerId: string, caregiverId: string, methods: VisitSpec['method'][]) => methods.map((method, i): VisitSpec => ({
      caregiverId, providerId, checkInAt: at('2025-11', 1 + i, '09:00'), method, status: method ? 'confirmed' : 'completed',
    }));
    const repeat = (count: number, method: VisitSpec['method']) => Array.from({ length: count }, () => method);
    const calledBack = await insertVisits(series(callbackOnly, newId(), ['visit_code', ...repeat(16, 'callback'), ...repeat(3, null)]));
    const partly = await insertVisits(series(sometimes, newId(), [...repeat(3, 'senior_pin'), ...repeat(17, 'callback')]));
    const atDoors = await insertVisits([...series(doors, newId(), repeat(20, 'visit_code')), ...series(doors, newId(), repeat(20, 'visit_code'))]);

    const suspects = await suspectsOf('2025-11');

    // The district: 44 of 80 finished visits confirmed at the door (55%); the provider: 1 of 20.
    for (const id of calledBack.slice(1)) expect(reasonsOf(suspects, id)).to.deep.equal(['callback_only_provider']);
    expect(suspects.has(calledBack[0] as string)).to.equal(false);
    expect([...partly, ...atDoors].filter((id) => suspects.has(id))).to.deep.equal([]);
  });

  it('judges a provider\'s flag rate with the binomial test and a minimum of 20 visits, naming its flagged visits', async () => {
    // Flagged (late sync) of checked-in: P 12/25, S 12/19, T 6/30, Q 2/100 — district 32/174 (0.1839).
    const month = '2025-12';
    const series = (providerId: string, caregivers: number, visits: number, flagged: number): VisitSpec[] => {
      const ids = Array.from({ length: caregivers }, () => newId());
      return Array.from({ length: visits }, (_, i) => ({
        caregiverId: ids[i % caregivers] as string, providerId, checkInAt: at(month, 1 + Math.floor(i / caregivers), '09:00'), flags: i < flagged ? ['late_sync'] : [],
      }));
    };
    const [p, s, t, q] = [newId(), newId(), newId(), newId()];
    const pVisits = await insertVisits(series(p, 2, 25, 12));
    const others = await insertVisits([...series(s, 1, 19, 12), ...series(t, 2, 30, 6), ...series(q, 5, 100, 2)]);

    const body = await reportOf(month);
    const suspects = new Map((body.suspectVisits as Suspect[]).map((suspect) => [suspect.orderId, suspect]));

    expect(body.flagRateOutliers.districtFlagRate).to.equal(0.1839);
    expect(body.flagRateOutliers.providers).to.have.length(1);
    expect(body.flagRateOutliers.providers[0]).to.include({ providerId: p, visitsCheckedIn: 25, flaggedVisits: 12, flagRate: 0.48, districtFlagRate: 0.1839 });
    // P(X ≥ 12) for X ~ Binomial(25, 32/174) = 0.000708 (the exact sum).
    expect(body.flagRateOutliers.providers[0].pValue).to.equal(0.000708);
    for (const id of pVisits.slice(0, 12)) expect(suspects.get(id)).to.deep.include({ reasons: ['provider_flag_rate', 'late_sync'], score: 50 });
    expect(pVisits.slice(12).filter((id) => suspects.has(id))).to.deep.equal([]);
    // S's rate is higher still, but 19 visits are too few to judge; T is above the district within chance.
    expect(others.filter((id) => suspects.has(id))).to.deep.equal([]);
  });

  it('lists every suspect visit once with all its reasons, by score and then by time', async () => {
    const month = '2024-12';
    const a = { lng: 117.225_190_3, lat: 31.848_866_1 };
    const [g, h, k] = [newId(), newId(), newId()];
    const [worst, partner, earlier, short] = await insertVisits([
      { caregiverId: g, providerId: 'p1', checkInAt: at(month, 5, '09:00'), checkOutAt: at(month, 5, '09:58'), durationMinutes: 58, checkOutPoint: a, flags: ['geofence_check_in', 'geofence_check_out', 'late_sync'] },
      { caregiverId: g, providerId: 'p1', checkInAt: at(month, 5, '10:00'), checkInPoint: eastOf(a, 6_000) },
      { caregiverId: h, providerId: 'p2', checkInAt: at(month, 3, '09:00'), flags: ['geofence_check_out'] },
      { caregiverId: k, providerId: 'p3', checkInAt: at(month, 1, '09:00'), durationMinutes: 20, flags: ['short_visit'] },
    ]) as [string, string, string, string];

    const suspects = (await reportOf(month)).suspectVisits as Suspect[];

    expect(suspects.map((s) => [s.orderId, s.reasons, s.score])).to.deep.equal([
      [worst, ['geofence', 'impossible_travel', 'late_sync'], 100],
      [earlier, ['geofence'], 60],
      [partner, ['impossible_travel'], 60],
      [short, ['short_visit'], 40],
    ]);
  });
});

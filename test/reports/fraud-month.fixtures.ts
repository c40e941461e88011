import type { Express } from 'express';
import request from 'supertest';
import type { Config } from '../../src/config/env.ts';
import { acceptOffer, assignCaregiver, checkIn, checkOut, confirmByCallback, createOrder } from '../../src/dispatch/index.ts';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { upsertCommunity, upsertServiceType } from '../../src/organisation/index.ts';
import { enrolSenior, transitionSenior } from '../../src/seniors/index.ts';
import type { Actor } from '../../src/shared/roles.ts';
import { addMonths, businessInstant, businessMonth, businessDateTime } from '../../src/shared/time.ts';
import { createVoucherPolicy, issueMonth } from '../../src/vouchers/index.ts';
import { authFor, createTestUser } from '../support/app.ts';
import { makeCaregiver, makeContract, makeProvider, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody, idNumberBornOn } from '../seniors/senior.fixtures.ts';
import { mulberry32, offsetPoint } from '../../seed/visit-noise.ts';

/*
 * A generated month of one district's visits, uploaded by its providers as their own records, with
 * fraud of every kind issue 18 names injected among honest work — and the truth kept beside it, so
 * the anomaly report can be scored. Deterministic (a seeded generator).
 *
 * Honest work: three providers, four communities a few kilometres apart, caregivers who visit the
 * seniors of their own community two to four times a working day, each senior about four times a
 * month; GPS jitter of 10–50 m at each check-in and check-out, durations of the expected ±20%, most
 * visits confirmed with the senior's PIN at the door and the rest by a community callback.
 *
 * Fraud, each kind by its own caregiver (every visit of hers is fraudulent) or on its own seniors:
 *   gps_spoof         check-in/out 1.5–4 km from the home
 *   fixed_coordinates one spoofed point, to the last digit, for every visit at different homes
 *   impossible_travel consecutive visits 10+ km apart with five minutes between them
 *   two_homes         a second visit begun half-way through the first, at another home
 *   padded_duration   two hours billed for every visit, check-out exactly two hours after check-in
 *   long_day          fourteen hours of back-to-back two-hour visits in a day
 *   deceased          visits after the senior's death (reported weeks later, back-dated)
 *   hospitalised      visits while the senior was in hospital (suspended; reported later)
 *   callback_only     a provider whose visits are never confirmed at the door, only by phone
 * Beside the uploads, a few honest visits arrive late from phones without signal (late_sync).
 */

export const FRAUD_KINDS = ['gps_spoof', 'fixed_coordinates', 'impossible_travel', 'two_homes', 'padded_duration', 'long_day', 'deceased', 'hospitalised', 'callback_only'] as const;
export type FraudKind = (typeof FRAUD_KINDS)[number];

const TZ = 'Asia/Shanghai';
const SERVICE = 'clean_fraud';
const PRICE_FEN = 4_000;
const HEADER = 'seniorIdNumber,serviceTypeCode,quantity,caregiverPhone,checkInAt,checkInLng,checkInLat,checkOutAt,checkOutLng,checkOutLat,coordSystem,externalId,seniorPin';
const CENTRES = [{ lng: 117.22, lat: 31.82 }, { lng: 117.25, lat: 31.86 }, { lng: 117.30, lat: 31.84 }, { lng: 117.34, lat: 31.89 }];
const SENIORS_PER_COMMUNITY = 30;
/** Honest visits sent late from a phone without signal (through the live API, not the upload). */
const LATE_SYNCED_VISITS = 16;

type Point = { lng: number; lat: number };

interface Senior { id: string; idNumber: string; pin: string; home: Point; community: number; visits: number }
interface Caregiver { id: string; phone: string; providerIndex: number; community: number }
interface Visit {
  providerIndex: number;
  externalId: string;
  senior: Senior;
  caregiver: Caregiver;
  quantity: number;
  start: Date;
  end: Date;
  checkIn: Point;
  checkOut: Point;
  withPin: boolean;
  fraud: FraudKind | null;
}

export interface FraudMonth {
  month: string;
  /** Every uploaded visit's order id, with the fraud it carries (null: honest). */
  truth: Map<string, FraudKind | null>;
  /** Rows the upload refused (there should be none: the month is made of checkable rows). */
  refused: { externalId: string; errors: unknown }[];
  admin: { authorization: string; actor: Actor };
}

/**
 * Builds the district, generates the month before the current one (always within the upload's
 * 62-day window), uploads each provider's records through POST /service-records/imports, then lets
 * the news arrive late (deaths and hospital stays recorded back-dated) and the callbacks happen.
 */
export async function buildFraudMonth(app: Express, config: Config): Promise<FraudMonth> {
  const random = mulberry32(20_261_206); // the month is the same in every run
  const month = addMonths(businessMonth(new Date(), TZ), -1);
  const at = (day: number, minutes: number) => businessInstant(`${month}-${String(day).padStart(2, '0')}`, `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`, TZ);

  const street = await makeStreet('欺诈测试街道');
  const communities = await Promise.all(CENTRES.map((location, index) => upsertCommunity({ name: `测试社区${index + 1}`, code: `${street.code}${String(900 + index)}`, streetId: street.id, location })));
  await upsertServiceType({ code: SERVICE, name: '助洁（测）', unit: 'hour', minutesPerUnit: 60, emergency: false, onSite: false });
  const communityIds = communities.map((community) => community.id);
  const providers = await Promise.all(['甲', '乙', '丙', '丁'].map((name) => makeProvider(communityIds, { name: `${name}家政服务` })));
  for (const provider of providers) await makeContract(provider.id, communityIds, [{ serviceTypeCode: SERVICE, unitPriceFen: PRICE_FEN }], '2020-01-01', '2099-12-31');
  const providerAdmins = await Promise.all(providers.map((provider) => authFor(config, 'provider_admin', { providerId: provider.id })));
  const admin = await authFor(config, 'admin');
  const approver = await createTestUser('admin');
  const staff = await createTestUser('community_staff', { communityIds });

  await createVoucherPolicy({ actor: admin.actor, requestId: null, lang: 'zh' }, {
    name: '欺诈测试', effectiveFrom: '2020-01', combine: 'max', categories: [{ category: 'living_alone', monthlyAmountFen: 40_000, subsidyRatePct: 50 }],
    careLevelSupplementFen: [0, 0, 0, 0, 0, 0], defaultSubsidyRatePct: 50, fundingSplit: { cityPct: 60, districtPct: 40 }, expiry: { mode: 'end_of_month' },
  });
  const enrolledAt = at(1, 8 * 60);
  enrolledAt.setUTCDate(enrolledAt.getUTCDate() - 10);
  const seniors: Senior[][] = [];
  let born = 0;
  for (const [index, community] of communities.entries()) {
    const list: Senior[] = [];
    for (let n = 0; n < SENIORS_PER_COMMUNITY; n += 1) {
      born += 1;
      const idNumber = idNumberBornOn(`19${40 + (born % 20)}-${String(1 + (born % 12)).padStart(2, '0')}-${String(1 + (born % 28)).padStart(2, '0')}`, born % 2 ? 'female' : 'male');
      const home = offsetPoint(CENTRES[index]!, 100 + random() * 700, random() * 2 * Math.PI);
      // Each senior prefers one of the three honest providers (dispatch offers a live order there first).
      const enrolled = await enrolSenior(enrolmentBody(community.id, { idNumber, categories: ['living_alone'], location: home, preferredProviderId: providers[born % 3]!.id }), { actor: admin.actor, config, requestId: null, lang: 'zh', now: enrolledAt });
      await transitionSenior(enrolled.id, { action: 'approve' }, { actor: approver, config, requestId: null, lang: 'zh', now: new Date(enrolledAt.getTime() + 60_000) });
      list.push({ id: enrolled.id, idNumber, pin: enrolled.confirmationPin as string, home, community: index, visits: 0 });
    }
    seniors.push(list);
  }
  await issueMonth(month, 'fraud-month');

  let phone = 0;
  const caregiver = async (providerIndex: number, community: number): Promise<Caregiver> => {
    phone += 1;
    const number = `137${String(phone).padStart(8, '0')}`;
    const made = await makeCaregiver(config.pii, providers[providerIndex]!.id, [SERVICE], number);
    return { id: made.id, phone: number, providerIndex, community };
  };

  const visits: Visit[] = [];
  let external = 0;
  const jitter = (home: Point) => offsetPoint(home, 10 + random() * 40, random() * 2 * Math.PI);
  const add = (v: Omit<Visit, 'externalId' | 'checkIn' | 'checkOut' | 'withPin'> & Partial<Pick<Visit, 'checkIn' | 'checkOut' | 'withPin'>>) => {
    external += 1;
    v.senior.visits += 1;
    visits.push({ checkIn: jitter(v.senior.home), checkOut: jitter(v.senior.home), withPin: random() < 0.85, externalId: `EXT-${String(external).padStart(5, '0')}`, ...v });
  };
  // The senior of a community with the fewest visits so far (then the first such): spreads the vouchers.
  const nextSenior = (community: number, exclude: Set<Senior> = new Set()) => {
    const pool = seniors[community]!.filter((senior) => !exclude.has(senior) && !special.has(senior));
    return pool.reduce((best, senior) => (senior.visits < best.visits ? senior : best), pool[0]!);
  };
  // Seniors who die on the 10th, and who are in hospital from the 5th to the 21st: only the visits
  // written for them below (honest before, fraudulent after), none of the month's regular work.
  const deceased = [seniors[2]![0]!, seniors[3]![0]!];
  const hospitalised = [seniors[1]![0]!, seniors[0]![0]!];
  const special = new Set<Senior>([...deceased, ...hospitalised]);
  const honestMinutes = (expected: number) => Math.round(expected * (0.8 + 0.4 * random()));
  const workingDays = Array.from({ length: 28 }, (_, i) => i + 1).filter((day) => at(day, 12 * 60).getUTCDay() !== 0);

  // Honest work: three caregivers per community across the three honest providers.
  for (let community = 0; community < CENTRES.length; community += 1) {
    for (let providerIndex = 0; providerIndex < 3; providerIndex += 1) {
      const worker = await caregiver(providerIndex, community);
      for (const day of workingDays) {
        if (random() < 0.35) continue;
        const slots = [8 * 60 + 30, 10 * 60 + 30, 13 * 60 + 30, 15 * 60 + 30].filter(() => random() < 0.7);
        for (const slot of slots) {
          const senior = nextSenior(community);
          if (senior.visits >= 6) continue;
          const start = at(day, slot + Math.round((random() - 0.5) * 30));
          add({ providerIndex, senior, caregiver: worker, quantity: 1, start, end: new Date(start.getTime() + honestMinutes(60) * 60_000), fraud: null });
        }
      }
    }
  }

  // A dishonest caregiver's month: `count` visits on separate working days, at seniors of her community.
  const dishonest = async (providerIndex: number, community: number, kind: FraudKind, count: number, visit: (senior: Senior, day: number) => Partial<Visit> & { start: Date; end: Date }) => {
    const worker = await caregiver(providerIndex, community);
    const used = new Set<Senior>();
    for (let n = 0; n < count; n += 1) {
      const senior = nextSenior(community, used);
      used.add(senior);
      const day = workingDays[(n * 2 + 1) % workingDays.length]!;
      add({ providerIndex, senior, caregiver: worker, quantity: 1, fraud: kind, ...visit(senior, day) });
    }
    return worker;
  };
  const hourAt = (day: number, minutes: number) => {
    const start = at(day, minutes);
    return { start, end: new Date(start.getTime() + honestMinutes(60) * 60_000) };
  };

  await dishonest(0, 0, 'gps_spoof', 10, (senior, day) => ({ ...hourAt(day, 9 * 60 + 10), checkIn: offsetPoint(senior.home, 1_500 + random() * 2_500, random() * 2 * Math.PI), checkOut: offsetPoint(senior.home, 1_500 + random() * 2_500, random() * 2 * Math.PI) }));
  const spoofedPoint = offsetPoint(CENTRES[1]!, 120, 1);
  await dishonest(1, 1, 'fixed_coordinates', 10, (_senior, day) => ({ ...hourAt(day, 14 * 60), checkIn: spoofedPoint, checkOut: spoofedPoint }));
  await dishonest(1, 2, 'padded_duration', 10, (_senior, day) => {
    const start = at(day, 9 * 60 + Math.round(random() * 60));
    return { start, end: new Date(start.getTime() + 120 * 60_000), quantity: 2 };
  });

  // Impossible travel: a visit in community 1, then five minutes later one in community 4 (~13 km).
  const jumper = await caregiver(2, 0);
  for (let n = 0; n < 5; n += 1) {
    const day = workingDays[n * 3 + 2]!;
    const first = { start: at(day, 9 * 60), end: at(day, 9 * 60 + 58) };
    add({ providerIndex: 2, senior: nextSenior(0), caregiver: jumper, quantity: 1, ...first, fraud: 'impossible_travel' });
    add({ providerIndex: 2, senior: nextSenior(3), caregiver: jumper, quantity: 1, start: at(day, 9 * 60 + 63), end: at(day, 10 * 60 + 60), fraud: 'impossible_travel' });
  }
  // Two homes at once: a second visit begun half-way through the first, a few hundred metres away.
  const twoHomes = await caregiver(0, 2);
  for (let n = 0; n < 5; n += 1) {
    const day = workingDays[n * 4 + 1]!;
    const first = nextSenior(2);
    add({ providerIndex: 0, senior: first, caregiver: twoHomes, quantity: 1, start: at(day, 10 * 60), end: at(day, 11 * 60 + 2), fraud: 'two_homes' });
    add({ providerIndex: 0, senior: nextSenior(2, new Set([first])), caregiver: twoHomes, quantity: 1, start: at(day, 10 * 60 + 31), end: at(day, 11 * 60 + 29), fraud: 'two_homes' });
  }
  // The long day: seven two-hour visits back to back, 06:00 to 20:40, twice in the month.
  const longDay = await caregiver(2, 3);
  for (const day of [workingDays[5]!, workingDays[15]!]) {
    let minutes = 6 * 60;
    for (let n = 0; n < 7; n += 1) {
      const length = 115 + Math.round(random() * 10);
      add({ providerIndex: 2, senior: nextSenior(3), caregiver: longDay, quantity: 2, start: at(day, minutes), end: at(day, minutes + length), fraud: 'long_day' });
      minutes += length + 12;
    }
  }
  // The seniors who died or were in hospital, visited by honest caregivers who bill on regardless.
  const regular = (community: number) => visits.find((v) => v.fraud === null && v.caregiver.community === community)!.caregiver;
  for (const senior of deceased) {
    for (const day of [3, 7, 12, 15, 18, 22, 25]) {
      const worker = regular(senior.community);
      add({ providerIndex: worker.providerIndex, senior, caregiver: worker, quantity: 1, ...hourAt(day, 17 * 60 + 30), fraud: day >= 10 ? 'deceased' : null });
    }
  }
  for (const senior of hospitalised) {
    for (const day of [2, 7, 10, 13, 16, 19, 24, 27]) {
      const worker = regular(senior.community);
      add({ providerIndex: worker.providerIndex, senior, caregiver: worker, quantity: 1, ...hourAt(day, 18 * 60), fraud: day >= 5 && day < 21 ? 'hospitalised' : null });
    }
  }
  // The provider whose visits nobody confirms at the door: evidence that looks honest, no PIN, ever.
  for (const community of [1, 2, 3]) {
    const worker = await caregiver(3, community);
    for (let n = 0; n < 8; n += 1) {
      const day = workingDays[n * 3]!;
      add({ providerIndex: 3, senior: nextSenior(community), caregiver: worker, quantity: 1, ...hourAt(day, 11 * 60), withPin: false, fraud: 'callback_only' });
    }
  }

  // Upload, one file per provider, as each provider's staff would.
  const truth = new Map<string, FraudKind | null>();
  const refused: FraudMonth['refused'] = [];
  const uploaded = new Map<string, Visit>();
  const local = (instant: Date) => businessDateTime(instant, TZ).slice(0, 16);
  for (const [providerIndex, auth] of providerAdmins.entries()) {
    const own = visits.filter((v) => v.providerIndex === providerIndex);
    const lines = own.map((v) => [v.senior.idNumber, SERVICE, v.quantity, v.caregiver.phone, local(v.start), v.checkIn.lng, v.checkIn.lat, local(v.end), v.checkOut.lng, v.checkOut.lat, 'wgs84', v.externalId, v.withPin ? v.senior.pin : ''].join(','));
    const res = await request(app).post('/api/v1/service-records/imports').set('Authorization', auth.authorization).attach('file', Buffer.from(`${HEADER}\n${lines.join('\n')}\n`), `records-${providerIndex}.csv`);
    if (res.status !== 200) throw new Error(`upload ${providerIndex}: ${res.status} ${JSON.stringify(res.body)}`);
    for (const [n, row] of (res.body.rows as { status: string; orderId?: string; errors?: unknown }[]).entries()) {
      const visit = own[n]!;
      if (row.status === 'created' && row.orderId) {
        truth.set(row.orderId, visit.fraud);
        uploaded.set(row.orderId, visit);
      }
      else refused.push({ externalId: visit.externalId, errors: row.errors ?? row.status });
    }
  }

  // Occasional late sync: honest visits recorded on a caregiver's phone without signal and sent hours
  // later through the live API (flagged late_sync, a weak signal that alone must not make a suspect).
  const providerAdminActors = providerAdmins.map((auth) => auth.actor);
  for (let n = 0; n < LATE_SYNCED_VISITS; n += 1) {
    const community = n % CENTRES.length;
    const senior = nextSenior(community);
    senior.visits += 1;
    const day = workingDays[(n * 5 + 3) % workingDays.length]!;
    const call = (actor: Actor, now: Date) => ({ actor, config, requestId: null, now });
    const { order } = await createOrder({ seniorId: senior.id, serviceTypeCode: SERVICE, quantity: 1, scheduledStart: at(day, 19 * 60).toISOString(), source: 'staff' }, call(staff, at(day, 7 * 60)));
    const providerIndex = providers.findIndex((provider) => provider.id === order.offer?.providerId);
    if (providerIndex < 0) throw new Error(`the live order was not offered: ${order.status}`);
    const orderId = String(order._id);
    // The order was made on the generated day: mongoose stamps createdAt with the machine's clock,
    // which the phone's record times are checked against (nothing recorded before the order).
    await OrderModel.collection.updateOne({ _id: order._id }, { $set: { createdAt: at(day, 7 * 60) } });
    await acceptOffer(orderId, providerAdminActors[providerIndex]!, { requestId: null, now: at(day, 7 * 60 + 5) });
    const worker = await caregiver(providerIndex, community);
    const phoneUser = await createTestUser('caregiver', { providerId: providers[providerIndex]!.id, caregiverId: worker.id });
    await assignCaregiver(orderId, worker.id, call(providerAdminActors[providerIndex]!, at(day, 7 * 60 + 10)));
    const [inAt, outAt] = [at(day, 19 * 60 + 3), at(day, 19 * 60 + 3 + honestMinutes(60))];
    // Sent when the phone found a network again, two to five hours later.
    const sentAt = new Date(outAt.getTime() + (2 + 3 * random()) * 3_600_000);
    await checkIn(orderId, { ...jitter(senior.home), recordedAt: inAt.toISOString(), accuracyM: 15, clientRecordId: `late-in-${n}` }, call(phoneUser, sentAt));
    await checkOut(orderId, { ...jitter(senior.home), recordedAt: outAt.toISOString(), accuracyM: 15, clientRecordId: `late-out-${n}`, seniorPin: senior.pin }, call(phoneUser, new Date(sentAt.getTime() + 1_000)));
    truth.set(orderId, null);
  }

  // The visits not confirmed at the door are confirmed by the community's callback, within the month.
  for (const [orderId, visit] of uploaded) {
    if (!visit.withPin) await confirmByCallback(orderId, { satisfaction: 4 }, { actor: staff, config, requestId: null });
  }
  // The news arrives weeks late and is recorded now, back-dated to the day each change happened.
  const seniorCall = { actor: staff, config, requestId: null, lang: 'zh' as const };
  for (const senior of hospitalised) {
    await transitionSenior(senior.id, { action: 'suspend', reason: '住院', effectiveDate: `${month}-05` }, seniorCall);
    await transitionSenior(senior.id, { action: 'resume', effectiveDate: `${month}-21` }, seniorCall);
  }
  for (const senior of deceased) await transitionSenior(senior.id, { action: 'deactivate', reason: 'deceased', effectiveDate: `${month}-10` }, seniorCall);
  return { month, truth, refused, admin };
}

import { createHmac } from 'node:crypto';
import mongoose from 'mongoose';
import { demoServiceTypes } from '../seed/demo-district.ts';
import { gpsFixNear, honestMinutes } from '../seed/visit-noise.ts';
import type { Config } from '../src/config/env.ts';
import { OrderModel } from '../src/dispatch/order.model.ts';
import {
  creditCodeCheckCharacter, upsertCaregiver, upsertCommunity, upsertContract, upsertProvider, upsertServiceType, upsertStreet,
} from '../src/organisation/index.ts';
import { repairOrderCounts } from '../src/dispatch/index.ts';
import { idCheckCharacter } from '../src/seniors/id-number.ts';
import { SeniorModel } from '../src/seniors/senior.model.ts';
import { distanceM } from '../src/shared/geo.ts';
import { encryptPii, hmacPii, maskIdNumber, maskPhone } from '../src/shared/pii.ts';
import { addDaysToDay, businessDay } from '../src/shared/time.ts';
import { AccountModel, EntryModel } from '../src/vouchers/ledger.model.ts';
import { VoucherPolicyModel } from '../src/vouchers/policy.model.ts';

/*
 * A district (or a city) of a given size, generated straight into the database for benchmarks and
 * crash tests: organisation data through the capability's own upserts (a few hundred rows), then
 * seniors, their voucher accounts with the month's issue, and M confirmed visits with their hold and
 * redemption entries, by bulk inserts of 1,000. Everything is drawn from a seeded generator, so the
 * same options give the same district; the ledger is consistent (accounts = Σ entries), so
 * reconciliation and settlement see a real month. The visits are honest ones as a phone records
 * them (seed/visit-noise.ts: a fix 10–50 m from the home, the expected time ±20%).
 */

export interface DistrictOptions {
  seniors: number;
  orders: number;
  /** The month of the visits ('YYYY-MM'); settled later by the benchmark. */
  month: string;
  seed?: number;
  /** Progress lines (the CLI prints them). */
  onProgress?: (message: string) => void;
}

export interface GeneratedDistrict {
  streets: number;
  communities: number;
  providers: number;
  seniors: number;
  orders: number;
  issuedFen: number;
  redeemedFen: number;
}

const BATCH = 1_000;
const GENERATOR = 'district-generator';
/** The policy the generated month is issued under (categories and rates as the demo's). */
const POLICY = {
  name: '基准测试政策', combine: 'max',
  categories: [
    { category: 'three_nos', monthlyAmountFen: 80_000, subsidyRatePct: 100 },
    { category: 'extreme_hardship', monthlyAmountFen: 80_000, subsidyRatePct: 100 },
    { category: 'low_income', monthlyAmountFen: 40_000, subsidyRatePct: 80 },
    { category: 'empty_nest', monthlyAmountFen: 20_000, subsidyRatePct: 50 },
    { category: 'living_alone', monthlyAmountFen: 30_000, subsidyRatePct: 60 },
  ],
  careLevelSupplementFen: [0, 0, 5_000, 10_000, 20_000, 30_000], defaultSubsidyRatePct: 30,
  fundingSplit: { cityPct: 50, districtPct: 50 }, expiry: { mode: 'end_of_month', rolloverMonths: null }, createdBy: GENERATOR,
};

/** mulberry32: small, fast and good enough to spread visits. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, int: (below: number) => Math.floor(next() * below), pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T };
}

/** A deterministic ObjectId: the generator's own, so a re-run with the same seed makes the same ids. */
function idFrom(kind: number, index: number): string {
  return `${'5'.repeat(6)}${kind.toString(16).padStart(2, '0')}${index.toString(16).padStart(16, '0')}`;
}

export async function generateDistrict(config: Config, options: DistrictOptions): Promise<GeneratedDistrict> {
  const rnd = random(options.seed ?? 20261122);
  const say = options.onProgress ?? (() => undefined);
  const tz = config.businessTimeZone;
  await VoucherPolicyModel.updateOne({ _id: '2000-01' }, { $setOnInsert: { ...POLICY, createdAt: new Date() } }, { upsert: true });
  for (const { unitPriceFen: _price, ...serviceType } of demoServiceTypes) await upsertServiceType(serviceType);
  const services = demoServiceTypes.filter((type) => !type.emergency);

  // Organisation: a street per 5,000 seniors (at least 3), 10 communities each, a provider per
  // 200 seniors (10 to 500), each covering 2–6 communities of its street, 3 caregivers each.
  const streetCount = Math.max(3, Math.ceil(options.seniors / 5_000));
  const communities: { id: string; streetId: string; location: { lng: number; lat: number } }[] = [];
  for (let s = 0; s < streetCount; s += 1) {
    const streetCode = `9${String(s).padStart(8, '0')}`;
    const street = await upsertStreet({ name: `基准街道${s + 1}`, code: streetCode });
    for (let c = 0; c < 10; c += 1) {
      const location = { lng: 117.2 + s * 0.01 + c * 0.001, lat: 31.8 + c * 0.001 };
      const community = await upsertCommunity({ name: `基准社区${s + 1}-${c + 1}`, code: `${streetCode}${String(c + 1).padStart(3, '0')}`, streetId: street.id, location });
      communities.push({ id: community.id, streetId: street.id, location });
    }
  }
  const providerCount = Math.min(500, Math.max(10, Math.round(options.seniors / 200)));
  const providersByCommunity = new Map<string, { id: string; caregivers: string[]; prices: Map<string, number> }[]>();
  for (let p = 0; p < providerCount; p += 1) {
    const street = p % streetCount;
    const first = street * 10 + rnd.int(10);
    const covered = [...new Set(Array.from({ length: 2 + rnd.int(5) }, (_, k) => communities[street * 10 + ((first + k) % 10)]!.id))];
    const base = `91340104MB${String(p).padStart(7, '0')}`;
    const provider = await upsertProvider({
      name: `基准服务商${p + 1}`, kind: 'company', creditCode: base + creditCodeCheckCharacter(base), contactName: '王经理', contactPhone: '0551-65000000',
      address: '合肥市蜀山区', location: communities[first]!.location, communityIds: covered, dailyCapacity: 500, status: 'active',
    } as Parameters<typeof upsertProvider>[0]);
    const prices = new Map(services.map((type) => [type.code as string, type.unitPriceFen - (p % 3) * 100]));
    await upsertContract({ providerId: provider.id, validFrom: '2000-01-01', validTo: '2099-12-31', communityIds: covered, prices: [...prices].map(([serviceTypeCode, unitPriceFen]) => ({ serviceTypeCode, unitPriceFen })) });
    const caregivers: string[] = [];
    for (let g = 0; g < 3; g += 1) {
      caregivers.push((await upsertCaregiver(config.pii, { providerId: provider.id, name: `护理员${p + 1}-${g + 1}`, phone: `150${String(p * 3 + g).padStart(8, '0')}`, skills: services.map((type) => type.code) })).id);
    }
    for (const communityId of covered) providersByCommunity.set(communityId, [...(providersByCommunity.get(communityId) ?? []), { id: provider.id, caregivers, prices }]);
  }
  const served = communities.filter((community) => providersByCommunity.has(community.id));
  say(`organisation: ${streetCount} streets, ${communities.length} communities, ${providerCount} providers`);

  // Seniors with their accounts and the month's issue.
  const [year, monthNumber] = options.month.split('-').map(Number) as [number, number];
  const monthStart = Date.UTC(year, monthNumber - 1, 1) - 8 * 3_600_000;
  const daysInMonth = new Date(Date.UTC(year, monthNumber, 0)).getUTCDate();
  const enrolledAt = new Date(Date.UTC(2020, 0, 1));
  const seniors: { id: string; communityId: string; streetId: string; location: { lng: number; lat: number }; rate: number; issuedFen: number; availableFen: number }[] = [];
  const categoryNames = POLICY.categories.map((c) => c.category);
  let issuedFen = 0;
  for (let start = 0; start < options.seniors; start += BATCH) {
    const docs = [];
    const entries = [];
    for (let i = start; i < Math.min(options.seniors, start + BATCH); i += 1) {
      const id = idFrom(1, i);
      const community = served[i % served.length]!;
      const category = rnd.pick(categoryNames);
      const policyCategory = POLICY.categories.find((c) => c.category === category)!;
      const careLevel = rnd.int(6);
      const amountFen = policyCategory.monthlyAmountFen + (POLICY.careLevelSupplementFen[careLevel] ?? 0);
      // A birth day per thousand seniors and the serial within it: every ID number is distinct.
      const birth = addDaysToDay('1930-01-01', Math.floor(i / 1000) * 3);
      const base = `340104${birth.replaceAll('-', '')}${String(i % 1000).padStart(3, '0')}`;
      const idNumber = base + idCheckCharacter(base);
      const phone = `13${String(100_000_000 + i).slice(-9)}`;
      docs.push({
        _id: new mongoose.Types.ObjectId(id), name: `老人${i + 1}`, idNumberHmac: hmacPii(config.pii, idNumber), idNumberEncrypted: encryptPii(config.pii, idNumber), idNumberMasked: maskIdNumber(idNumber),
        gender: Number(base[16]) % 2 === 1 ? 'male' : 'female', birthDate: birth, phoneEncrypted: encryptPii(config.pii, phone), phoneMasked: maskPhone(phone),
        address: '合肥市蜀山区', communityId: community.id, streetId: community.streetId, location: community.location, livingArrangement: 'alone',
        categories: [category], careLevel, assessedAt: '2026-01-01', emergencyContacts: [], voucherBasis: { categories: [category], careLevel, assessedAt: '2026-01-01' },
        status: 'active', statusLog: [{ status: 'active', at: enrolledAt, effectiveDate: null }], enrolledBy: GENERATOR, enrolledAt, approvedBy: GENERATOR, approvedAt: enrolledAt,
      });
      entries.push({ _id: `issue:${id}:${options.month}`, seniorId: id, type: 'issue', balanceDeltaFen: amountFen, heldDeltaFen: 0, month: options.month, orderId: null, reason: null, createdBy: GENERATOR, createdAt: new Date(monthStart) });
      seniors.push({ id, communityId: community.id, streetId: community.streetId, location: community.location, rate: policyCategory.subsidyRatePct, issuedFen: amountFen, availableFen: amountFen });
      issuedFen += amountFen;
    }
    await SeniorModel.collection.insertMany(docs as never[], { ordered: false });
    await EntryModel.collection.insertMany(entries as never[], { ordered: false });
    if ((start / BATCH) % 10 === 0) say(`seniors: ${Math.min(options.seniors, start + BATCH)} / ${options.seniors}`);
  }

  // Confirmed visits of the month, each with its hold and redemption; the accounts come last, with
  // the figures these entries add up to (accounts = Σ entries).
  let redeemedFen = 0;
  // One visit of a service per senior and day: the generated month has no duplicate visits to hold back.
  const used = new Set<string>();
  for (let start = 0; start < options.orders; start += BATCH) {
    const orders = [];
    const entries = [];
    for (let i = start; i < Math.min(options.orders, start + BATCH); i += 1) {
      const id = idFrom(2, i);
      let seniorIndex = rnd.int(seniors.length);
      let service = rnd.pick(services);
      let day = rnd.int(daysInMonth);
      while (used.has(`${seniorIndex}:${service.code}:${day}`)) {
        seniorIndex = rnd.int(seniors.length);
        service = rnd.pick(services);
        day = rnd.int(daysInMonth);
      }
      used.add(`${seniorIndex}:${service.code}:${day}`);
      const senior = seniors[seniorIndex]!;
      const provider = rnd.pick(providersByCommunity.get(senior.communityId)!);
      const quantity = service.unit === 'hour' ? 1 + rnd.int(2) : 1;
      const priceFen = (provider.prices.get(service.code) as number) * quantity;
      const subsidyFen = Math.min(Math.floor((priceFen * senior.rate) / 100), senior.availableFen);
      senior.availableFen -= subsidyFen;
      const scheduledStart = new Date(monthStart + day * 86_400_000 + (8 + rnd.int(10)) * 3_600_000);
      const checkIn = new Date(scheduledStart.getTime() + rnd.int(20) * 60_000);
      const expectedMinutes = service.minutesPerUnit * quantity;
      // Honest noise drawn from the order's id, not from rnd: the district's figures stay those of the seed.
      const durationMinutes = honestMinutes(expectedMinutes, id);
      const checkOut = new Date(checkIn.getTime() + durationMinutes * 60_000);
      const [inPoint, outPoint] = [gpsFixNear(senior.location, `${id}:check-in`), gpsFixNear(senior.location, `${id}:check-out`)];
      const confirmedAt = new Date(Math.min(checkOut.getTime() + 60_000, monthStart + daysInMonth * 86_400_000 - 60_000));
      orders.push({
        _id: new mongoose.Types.ObjectId(id), seniorId: senior.id, communityId: senior.communityId, streetId: senior.streetId, seniorLocation: senior.location, preferredProviderId: null,
        serviceTypeCode: service.code, quantity, expectedMinutes, scheduledStart, scheduledDay: businessDay(scheduledStart, tz), notes: null, source: 'staff', priority: 'normal', status: 'confirmed',
        providerId: provider.id, caregiverId: rnd.pick(provider.caregivers), offer: null,
        dispatch: { attempts: [{ providerId: provider.id, offeredAt: new Date(scheduledStart.getTime() - 7_200_000), outcome: 'accepted', reason: null, answeredAt: new Date(scheduledStart.getTime() - 7_000_000) }] },
        rankingRef: null,
        priceFen, subsidyFen, selfPayFen: priceFen - subsidyFen, subsidyRatePct: senior.rate, holdRef: subsidyFen > 0 ? id : null,
        visitCodeHash: createHmac('sha256', 'generated').update(id).digest('hex'), visitCodeFailures: 0,
        checkIn: { at: checkIn, ...inPoint, distanceM: distanceM(inPoint, senior.location) }, checkOut: { at: checkOut, ...outPoint, distanceM: distanceM(outPoint, senior.location) },
        durationMinutes, flags: [], isFlagged: false, confirmation: { method: 'visit_code', at: confirmedAt, by: GENERATOR, satisfaction: null },
        confirmedMonth: options.month, statementId: null, penaltyStatementId: null, adjustmentStatementId: null, providerPenalty: null, disputedFrom: null, createdBy: GENERATOR,
        createdAt: new Date(scheduledStart.getTime() - 7_200_000), updatedAt: confirmedAt,
      });
      if (subsidyFen > 0) {
        entries.push({ _id: `hold:${id}`, seniorId: senior.id, type: 'hold', balanceDeltaFen: 0, heldDeltaFen: subsidyFen, month: null, orderId: id, reason: null, createdBy: GENERATOR, createdAt: new Date(scheduledStart.getTime() - 7_200_000) });
        entries.push({ _id: `redeem:${id}`, seniorId: senior.id, type: 'redeem', balanceDeltaFen: -subsidyFen, heldDeltaFen: -subsidyFen, month: null, orderId: id, reason: null, createdBy: GENERATOR, createdAt: confirmedAt });
        redeemedFen += subsidyFen;
      }
    }
    await OrderModel.collection.insertMany(orders as never[], { ordered: false });
    if (entries.length > 0) await EntryModel.collection.insertMany(entries as never[], { ordered: false });
    if ((start / BATCH) % 20 === 0 || process.env.GENERATOR_VERBOSE) say(`orders: ${Math.min(options.orders, start + BATCH)} / ${options.orders}`);
  }
  for (let start = 0; start < seniors.length; start += BATCH) {
    const accounts = seniors.slice(start, start + BATCH).map((senior) => ({
      _id: senior.id, communityId: senior.communityId, balanceFen: senior.availableFen, heldFen: 0, availableFen: senior.availableFen,
      creditsByMonth: { [options.month]: senior.issuedFen }, debitedFen: senior.issuedFen - senior.availableFen, pending: null,
    }));
    await AccountModel.collection.insertMany(accounts as never[], { ordered: false });
  }
  say('voucher accounts written');
  // The orders went in by insertMany, past the service's writes: their counters are a recount.
  const counts = await repairOrderCounts();
  say(`order counts: ${counts.counters} counters`);
  return { streets: streetCount, communities: communities.length, providers: providerCount, seniors: options.seniors, orders: options.orders, issuedFen, redeemedFen };
}

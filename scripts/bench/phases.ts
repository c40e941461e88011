import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import mongoose from 'mongoose';
import type { Config } from '../../src/config/env.ts';
import { createOrder, settlementOrderFilter } from '../../src/dispatch/index.ts';
import { OrderModel, type OrderDoc } from '../../src/dispatch/order.model.ts';
import { countOrderChange } from '../../src/dispatch/order-counts.ts';
import { rankOrder } from '../../src/dispatch/order-dispatch.service.ts';
import { upsertCaregiver, upsertCommunity, upsertContract, upsertProvider, creditCodeCheckCharacter } from '../../src/organisation/index.ts';
import { idCheckCharacter } from '../../src/seniors/id-number.ts';
import { importRegister } from '../../src/seniors/register-import.service.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { runSettlement } from '../../src/settlement/settlement-run.service.ts';
import type { Actor } from '../../src/shared/roles.ts';
import { issueMonth } from '../../src/vouchers/index.ts';
import { demoServiceTypes } from '../../seed/demo-district.ts';
import { generateDistrict } from '../district-generator.ts';
import { quantilesOf } from './quantiles.ts';

/*
 * The measured work of each benchmark, one function per phase. Each phase runs in a process of
 * its own (scripts/bench/run-phase.ts), so its peak RSS is its own and not the sum of the run.
 * Every phase answers plain figures; the orchestrator (scripts/bench.ts) makes the table.
 */

export interface PhaseArgs {
  seniors: number;
  orders: number;
  /** The generated month of visits (settled), and the next one (issued). */
  month: string;
  nextMonth: string;
}

export type PhaseResult = Record<string, number | string | boolean | null>;

const BENCH_ACTOR: Actor = { id: 'bench', role: 'admin', communityIds: [], streetId: null, providerId: null, caregiverId: null };

const seconds = (ms: number) => Math.round(ms / 10) / 100;
const perSecond = (count: number, ms: number) => Math.round((count * 1000) / Math.max(ms, 1));

export async function generate(config: Config, args: PhaseArgs): Promise<PhaseResult> {
  const started = performance.now();
  const district = await generateDistrict(config, { seniors: args.seniors, orders: args.orders, month: args.month, seed: 20261122 });
  return { ...district, wallS: seconds(performance.now() - started) };
}

/** The floor settlement is measured against: the same orders, streamed with the driver, nothing else. */
export async function scan(_config: Config, args: PhaseArgs): Promise<PhaseResult> {
  const started = performance.now();
  let count = 0;
  const cursor = OrderModel.collection.find(settlementOrderFilter(args.month)).sort({ _id: 1 }).batchSize(1000);
  for await (const _order of cursor) count += 1;
  const ms = performance.now() - started;
  return { orders: count, wallS: seconds(ms), ordersPerS: perSecond(count, ms) };
}

export async function settlement(config: Config, args: PhaseArgs): Promise<PhaseResult> {
  const started = performance.now();
  const counts = await runSettlement(args.month, { by: 'bench', runId: `bench-${Date.now()}`, config });
  const ms = performance.now() - started;
  return { orders: counts.ordersSeen, lines: counts.linesAdded, heldBack: counts.heldBack, penalties: counts.penaltiesAdded, wallS: seconds(ms), ordersPerS: perSecond(counts.ordersSeen, ms) };
}

/** The floor issuance is measured against: as many ledger-entry-shaped documents, by insertMany alone. */
export async function insertMany(_config: Config, args: PhaseArgs): Promise<PhaseResult> {
  const collection = mongoose.connection.collection('bench_entries');
  await collection.drop().catch(() => undefined);
  const started = performance.now();
  for (let start = 0; start < args.seniors; start += 1_000) {
    const docs = [];
    for (let i = start; i < Math.min(args.seniors, start + 1_000); i += 1) {
      docs.push({ _id: `issue:${String(i).padStart(24, '0')}:${args.nextMonth}` as never, seniorId: String(i).padStart(24, '0'), type: 'issue', balanceDeltaFen: 80_000, heldDeltaFen: 0, month: args.nextMonth, orderId: null, reason: null, createdBy: 'bench', createdAt: new Date() });
    }
    await collection.insertMany(docs, { ordered: false });
  }
  const ms = performance.now() - started;
  await collection.drop();
  return { entries: args.seniors, wallS: seconds(ms), entriesPerS: perSecond(args.seniors, ms) };
}

export async function issuance(_config: Config, args: PhaseArgs): Promise<PhaseResult> {
  const started = performance.now();
  const result = await issueMonth(args.nextMonth, 'bench');
  const ms = performance.now() - started;
  const seniors = result.issued + result.skipped + result.zeroAmount;
  return { seniors, issued: result.issued, totalFen: result.totalFen, expiredFen: result.expiredFen, wallS: seconds(ms), seniorsPerS: perSecond(seniors, ms) };
}

const IMPORT_ROWS = 10_000;
const ZH_HEADER = ['姓名', '身份证号', '联系电话', '住址', '社区编码', '类别', '照护等级', '居住情况', '紧急联系人', '紧急联系电话'];

/** A 10,000-row register in the format communities send (written first, not timed), then imported. */
export async function importXlsx(config: Config): Promise<PhaseResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-import-'));
  try {
    const file = path.join(dir, 'register.xlsx');
    const community = await mongoose.connection.collection('communities').findOne({});
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false });
    const sheet = writer.addWorksheet('台账');
    sheet.addRow(ZH_HEADER).commit();
    for (let i = 0; i < IMPORT_ROWS; i += 1) {
      // Born in 1925–1929 (the generator's seniors are 1930 on), so no row collides with them.
      const base = `340104${1925 + Math.floor(i / 2_000)}0${1 + Math.floor((i % 2_000) / 250)}${String(10 + Math.floor((i % 250) / 20)).padStart(2, '0')}${String(i % 20).padStart(3, '0')}`;
      sheet.addRow([`导入老人${i}`, base + idCheckCharacter(base), `139${String(10_000_000 + i)}`, '合肥市蜀山区长江西路100号', community?.code, '空巢', i % 6, '独居', '李强', '13800001111']).commit();
    }
    sheet.commit();
    await writer.commit();
    const started = performance.now();
    const report = await importRegister({ path: file, originalName: 'register.xlsx' }, { actor: BENCH_ACTOR, config, requestId: null, lang: 'zh' });
    const ms = performance.now() - started;
    return { rows: IMPORT_ROWS, created: report.created, duplicates: report.duplicates, invalid: report.invalid, wallS: seconds(ms), rowsPerS: perSecond(IMPORT_ROWS, ms) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const DISPATCH_PROVIDERS = 50;
const DISPATCH_ORDERS = 500;

/**
 * A community served by 50 contracted providers, 200 of the generated seniors moved into it, and
 * 500 orders created through the service: each one is ranked among the 50, priced, its voucher
 * held, and offered to the best — the time of that whole step, per order.
 */
export async function dispatch(config: Config): Promise<PhaseResult> {
  const anyCommunity = await mongoose.connection.collection('communities').findOne({});
  const location = { lng: 117.25, lat: 31.85 };
  // A community code starts with its street's code; the generator numbers a street's communities from 001.
  const street = await mongoose.connection.collection('streets').findOne({ _id: new mongoose.Types.ObjectId(String(anyCommunity?.streetId)) });
  const community = await upsertCommunity({ name: '调度基准社区', code: `${String(street?.code)}999`, streetId: String(anyCommunity?.streetId), location });
  const services = demoServiceTypes.filter((type) => !type.emergency);
  for (let p = 0; p < DISPATCH_PROVIDERS; p += 1) {
    const base = `91340104MC${String(p).padStart(7, '0')}`;
    const provider = await upsertProvider({
      name: `调度基准服务商${p + 1}`, kind: 'company', creditCode: base + creditCodeCheckCharacter(base), contactName: '王经理', contactPhone: '0551-65000000',
      address: '合肥市蜀山区', location: { lng: location.lng + (p % 10) * 0.002, lat: location.lat + Math.floor(p / 10) * 0.002 }, communityIds: [community.id], dailyCapacity: 1_000, status: 'active',
    } as Parameters<typeof upsertProvider>[0]);
    await upsertContract({ providerId: provider.id, validFrom: '2000-01-01', validTo: '2099-12-31', communityIds: [community.id], prices: services.map((type) => ({ serviceTypeCode: type.code, unitPriceFen: type.unitPriceFen - (p % 5) * 100 })) });
    // A provider without an active caregiver skilled in the service is not a candidate at all.
    for (let g = 0; g < 2; g += 1) {
      await upsertCaregiver(config.pii, { providerId: provider.id, name: `调度护理员${p + 1}-${g + 1}`, phone: `151${String(p * 2 + g).padStart(8, '0')}`, skills: services.map((type) => type.code) });
    }
  }
  const seniors = await SeniorModel.find({ status: 'active' }, { _id: 1 }).limit(200).lean();
  await SeniorModel.updateMany({ _id: { $in: seniors.map((senior) => senior._id) } }, { $set: { communityId: community.id, location } });

  const tomorrow = Date.now() + 86_400_000;
  const timings: number[] = [];
  let offered = 0;
  for (let i = 0; i < DISPATCH_ORDERS; i += 1) {
    const input = { seniorId: String(seniors[i % seniors.length]!._id), serviceTypeCode: services[i % services.length]!.code, quantity: 1, scheduledStart: new Date(tomorrow + i * 60_000).toISOString(), source: 'staff' as const };
    const started = performance.now();
    const { order } = await createOrder(input, { actor: BENCH_ACTOR, config, requestId: null });
    timings.push(performance.now() - started);
    if (order.status === 'offered') offered += 1;
  }
  // Timing orders that found nobody would measure an empty ranking: fail instead.
  if (offered < DISPATCH_ORDERS / 2) throw new Error(`only ${offered} of ${DISPATCH_ORDERS} orders were offered: the benchmark community is not set up for dispatch`);

  // The ranking step alone on a later day that already holds 100 orders, then 3,000: it must not
  // grow with the day. The first 100 are created through the service; the rest are accepted
  // orders copied in with their counters, as if providers had taken them through the day.
  const rankDay = tomorrow + 7 * 86_400_000;
  const dayOrders: OrderDoc[] = [];
  for (let i = 0; i < 100; i += 1) {
    const input = { seniorId: String(seniors[i % seniors.length]!._id), serviceTypeCode: services[i % services.length]!.code, quantity: 1, scheduledStart: new Date(rankDay + i * 10_000).toISOString(), source: 'staff' as const };
    dayOrders.push((await createOrder(input, { actor: BENCH_ACTOR, config, requestId: null })).order);
  }
  const atHundred = await timeRanking(dayOrders[0]!);
  const providerIds = [...new Set(dayOrders.map((order) => order.offer?.providerId).filter((id): id is string => Boolean(id)))];
  for (let batch = 0; batch < 29; batch += 1) {
    // Copies without the order's human number (unique: GD… is the original's).
    const copies = Array.from({ length: 100 }, (_, n) => ({
      ...withoutNumber(dayOrders[n]!), _id: new mongoose.Types.ObjectId(), status: 'accepted', offer: null, providerId: providerIds[(batch * 100 + n) % providerIds.length]!, holdRef: null,
    }));
    await OrderModel.collection.insertMany(copies as never[]);
    for (const copy of copies) await countOrderChange(null, copy as unknown as OrderDoc);
  }
  const dayCount = await OrderModel.countDocuments({ scheduledDay: dayOrders[0]!.scheduledDay });
  const atThreeThousand = await timeRanking(dayOrders[0]!);
  return {
    providers: DISPATCH_PROVIDERS, orders: DISPATCH_ORDERS, offered, ...quantilesOf(timings),
    'ranking.at100.medianMs': atHundred.medianMs, 'ranking.at100.p99Ms': atHundred.p99Ms,
    'ranking.dayOrders': dayCount, 'ranking.at3000.medianMs': atThreeThousand.medianMs, 'ranking.at3000.p99Ms': atThreeThousand.p99Ms,
  };
}

const withoutNumber = ({ number: _number, ...order }: OrderDoc) => order;

async function timeRanking(order: OrderDoc): Promise<{ medianMs: number; p99Ms: number }> {
  const timings: number[] = [];
  for (let i = 0; i < 201; i += 1) {
    const started = performance.now();
    const ranked = await rankOrder(order, new Date());
    if (i > 0) timings.push(performance.now() - started);
    if (ranked.length === 0) throw new Error('the ranking found no provider: the benchmark community is not set up for dispatch');
  }
  const { medianMs, p99Ms } = quantilesOf(timings);
  return { medianMs, p99Ms };
}


/**
 * What the database does with the reads the month's jobs repeat per visit or per senior (by
 * primary key: the index) and with the streams they start from (a scan: FerretDB 1.24 pushes
 * down only simple equalities, and never a sort).
 */
export async function explain(_config: Config, args: PhaseArgs): Promise<PhaseResult> {
  const db = mongoose.connection.db as NonNullable<typeof mongoose.connection.db>;
  const anyClaim = await db.collection('settlement_lines').findOne({ kind: 'service' });
  const anyOrder = await OrderModel.collection.findOne({});
  const probes: Record<string, { find: string; filter: object; sort?: object }> = {
    'visit claims by key': { find: 'settlement_lines', filter: { claimKey: { $in: [anyClaim?.claimKey ?? 'none'] } } },
    'ledger entry by key': { find: 'voucher_entries', filter: { _id: `issue:x:${args.month}` } },
    'order by id': { find: 'service_orders', filter: { _id: anyOrder?._id ?? null } },
    'orders to settle': { find: 'service_orders', filter: settlementOrderFilter(args.month), sort: { _id: 1 } },
    'seniors to issue': { find: 'seniors', filter: { status: { $in: ['active', 'suspended'] } }, sort: { _id: 1 } },
  };
  const result: PhaseResult = {};
  for (const [name, command] of Object.entries(probes)) {
    const answer = await db.command({ explain: command, verbosity: 'queryPlanner' });
    const plan = ((answer.queryPlanner as { Plan?: string[] } | undefined)?.Plan ?? []).map((step) => step.replace(/^.*detail=/, '')).join(' / ');
    result[`${name}.plan`] = plan || JSON.stringify(answer.queryPlanner);
    result[`${name}.filterPushdown`] = Boolean(answer.filterPushdown);
  }
  return result;
}

export const phases = { generate, scan, settlement, insertMany, issuance, explain, importXlsx, dispatch } as const;
export type PhaseName = keyof typeof phases;

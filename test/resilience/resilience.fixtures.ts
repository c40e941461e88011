import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { generateDistrict, type GeneratedDistrict } from '../../scripts/district-generator.ts';
import type { Config } from '../../src/config/env.ts';
import { connectMongoose } from '../../src/db/connection.ts';
import { JobRunModel } from '../../src/jobs/job.model.ts';
import { ProviderModel } from '../../src/organisation/providers.model.ts';
import { settlementJob } from '../../src/settlement/index.ts';
import type { JobDefinition } from '../../src/shared/job-definition.ts';
import { logger } from '../../src/shared/logger.ts';
import { addMonths, businessMonth } from '../../src/shared/time.ts';
import { voucherIssuanceJob } from '../../src/vouchers/index.ts';
import { AccountModel, EntryModel } from '../../src/vouchers/ledger.model.ts';
import { testDatabaseUri } from '../support/database.ts';
import { settlementSnapshot } from '../settlement/settlement-snapshot.ts';

/*
 * What the multi-instance and crash tests share: the months the schedulers work on (from today's
 * date, as `paramsForTick` and `catchUp` derive them), switching the test process between
 * databases, the generated district, the reference single-instance run and the snapshots compared.
 */

/** Issuance works on the current business month, settlement on the month before (the generated one). */
export function monthsOfToday(config: Config, now = new Date()) {
  const issuanceMonth = businessMonth(now, config.businessTimeZone);
  return { issuanceMonth, settlementPeriod: addMonths(issuanceMonth, -1) };
}

export function databaseName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Connects this test process (its mongoose models) to `dbName` with every index built. */
export async function openDatabase(dbName: string): Promise<void> {
  if (mongoose.connection.readyState !== 0) await mongoose.disconnect();
  await connectMongoose(testDatabaseUri(), { autoIndex: false, dbName });
  await Promise.all(Object.values(mongoose.models).map((model) => model.createIndexes()));
}

export async function closeDatabase(): Promise<void> {
  if (mongoose.connection.readyState === 0) return;
  await mongoose.connection.dropDatabase();
  await mongoose.disconnect();
}

export interface DistrictSize {
  seniors: number;
  orders: number;
  seed: number;
}

/**
 * The generated district with its visits in the settlement period and that month issued; the
 * current month is not issued yet, so issuance has every senior to expire and credit.
 */
export function generateMonth(config: Config, size: DistrictSize): Promise<GeneratedDistrict> {
  return generateDistrict(config, { seniors: size.seniors, orders: size.orders, month: monthsOfToday(config).settlementPeriod, seed: size.seed });
}

/** The same jobs in this process, one after the other, uninterrupted: what a single instance does. */
export async function runReferenceJobs(config: Config): Promise<void> {
  const { issuanceMonth, settlementPeriod } = monthsOfToday(config);
  await runJobInProcess(voucherIssuanceJob as JobDefinition, { month: issuanceMonth }, config);
  await runJobInProcess(settlementJob as JobDefinition, { period: settlementPeriod }, config);
}

async function runJobInProcess(job: JobDefinition, params: Record<string, unknown>, config: Config): Promise<void> {
  await job.run(params, { runId: `reference-${job.name}`, config, logger, signal: new AbortController().signal });
}

/** Every account's figures and every ledger entry without clocks, plus totals per entry type. */
export async function voucherSnapshot() {
  const accounts = (await AccountModel.find({}).sort({ _id: 1 }).lean()).map((a) => ({
    id: a._id, balanceFen: a.balanceFen, heldFen: a.heldFen, availableFen: a.availableFen, creditsByMonth: a.creditsByMonth, debitedFen: a.debitedFen, pending: a.pending,
  }));
  const entries = (await EntryModel.find({}).sort({ _id: 1 }).lean()).map((e) => ({
    id: e._id, seniorId: e.seniorId, type: e.type, balanceDeltaFen: e.balanceDeltaFen, heldDeltaFen: e.heldDeltaFen, month: e.month, orderId: e.orderId,
  }));
  const byType: Record<string, { count: number; balanceFen: number; heldFen: number }> = {};
  for (const entry of entries) {
    const sum = (byType[entry.type] ??= { count: 0, balanceFen: 0, heldFen: 0 });
    sum.count += 1;
    sum.balanceFen += entry.balanceDeltaFen;
    sum.heldFen += entry.heldDeltaFen;
  }
  return { accounts, entries, byType };
}

/** Accounts whose figures differ from the sum of their entries (must be none). */
export function accountsOffTheirEntries(snapshot: Awaited<ReturnType<typeof voucherSnapshot>>): string[] {
  const sums = new Map<string, { balanceFen: number; heldFen: number }>();
  for (const entry of snapshot.entries) {
    const sum = sums.get(entry.seniorId) ?? { balanceFen: 0, heldFen: 0 };
    sum.balanceFen += entry.balanceDeltaFen;
    sum.heldFen += entry.heldDeltaFen;
    sums.set(entry.seniorId, sum);
  }
  return snapshot.accounts
    .filter((a) => {
      const sum = sums.get(String(a.id)) ?? { balanceFen: 0, heldFen: 0 };
      return a.balanceFen !== sum.balanceFen || a.heldFen !== sum.heldFen || a.availableFen !== sum.balanceFen - sum.heldFen || a.pending !== null;
    })
    .map((a) => String(a.id));
}

/**
 * Vouchers and settlement as two databases can compare them: the generator's organisation rows get
 * fresh ObjectIds in each database, so providers are named by their credit code (seniors and
 * orders have the generator's own deterministic ids).
 */
export async function figuresSnapshot() {
  const providers = new Map((await ProviderModel.find({}, { creditCode: 1 }).lean()).map((p) => [String(p._id), `provider:${p.creditCode}`]));
  const named = (id: unknown) => String(id).replace(/[0-9a-f]{24}$/, (hex) => providers.get(hex) ?? hex);
  const settlement = await settlementSnapshot();
  return {
    vouchers: await voucherSnapshot(),
    settlement: {
      statements: settlement.statements.map((s) => ({ ...s, id: named(s.id), providerId: named(s.providerId) })).sort((a, b) => a.id.localeCompare(b.id)),
      lines: settlement.lines.map((l) => ({ ...l, statementId: named(l.statementId) })),
      heldBack: settlement.heldBack,
      sampleChecks: settlement.sampleChecks.map((c) => ({ ...c, statementId: named(c.statementId) })),
    },
  };
}

/** The runs of the given jobs, oldest first, as the job runs collection records them. */
export async function jobRunsOf(names: string[]) {
  return (await JobRunModel.find({ name: { $in: names } }).sort({ startedAt: 1 }).lean()).map((run) => ({
    name: run.name, tickKey: run.tickKey, trigger: run.trigger, status: run.status, ownerId: run.ownerId,
    startedAt: run.startedAt, endedAt: run.endedAt, counts: (run.counts ?? {}) as Record<string, number>, error: run.error,
  }));
}

/** Polls `probe` every `everyMs` until it answers a value; fails with `describe()` after the timeout. */
export async function waitUntil<T>(probe: () => Promise<T | null | undefined | false>, options: { timeoutMs: number; everyMs?: number; describe: () => string }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${options.timeoutMs} ms: ${options.describe()}`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 200));
  }
}

import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { demoServiceTypes } from '../../seed/demo-district.ts';
import { OrderHistoryModel, OrderModel } from '../../src/dispatch/order.model.ts';
import { sweepExpiredOffers } from '../../src/dispatch/order-offers.service.ts';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { ProviderModel } from '../../src/organisation/providers.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { logger } from '../../src/shared/logger.ts';
import { businessDay } from '../../src/shared/time.ts';
import { IssuedMonthModel } from '../../src/vouchers/issued-months.ts';
import { reconcileLedger } from '../../src/vouchers/reconciliation.ts';
import { testConfig } from '../support/app.ts';
import { killAllServiceProcesses, startServiceProcess, stopServiceProcess } from '../support/service-process.ts';
import {
  accountsOffTheirEntries, closeDatabase, databaseName, figuresSnapshot, generateMonth, jobRunsOf, monthsOfToday, openDatabase, runReferenceJobs, waitUntil,
  type DistrictSize,
} from './resilience.fixtures.ts';

/*
 * Two instances of the real service on one database (issue 9): both start at once — so both race
 * the start-up catch-up of issuance and settlement — and tick the offer sweeper every 2 seconds and
 * issuance and settlement every 10 (JOB_SCHEDULES), while offers expire one after another. Each tick
 * must be worked once (one run record per tick key, runs of a job never overlapping, each expired
 * offer swept once), and the voucher and settlement figures must equal a single-instance run of the
 * same jobs on the same generated month. `npm run test:multi-instance` (MULTI_INSTANCE_FULL=1) runs
 * a bigger month and longer.
 */

const FULL = process.env.MULTI_INSTANCE_FULL === '1';
const SIZE: DistrictSize = FULL ? { seniors: 300, orders: 2_000, seed: 11 } : { seniors: 120, orders: 600, seed: 11 };
/** Orders whose single remaining offer expires during the test; nobody is left to offer them to. */
const EXPIRING_OFFERS = FULL ? 60 : 30;
/** The offers expire one every this many ms from the moment the instances are started. */
const EXPIRY_SPACING_MS = FULL ? 400 : 300;
/** Scheduled ticks of each monthly job that must have happened after all work was done. */
const EXTRA_TICKS = FULL ? 4 : 2;
const SCHEDULES = { 'offer-sweeper': '*/2 * * * * *', 'voucher-issuance': '*/10 * * * * *', settlement: '*/10 * * * * *' };
const JOBS = Object.keys(SCHEDULES);

describe('multi-instance: two service processes on one database', function () {
  this.timeout(FULL ? 1_800_000 : 600_000);
  const config = testConfig();
  const { issuanceMonth } = monthsOfToday(config);

  after(async () => {
    await killAllServiceProcesses();
    await closeDatabase();
  });

  it(`works each tick once and ends with the figures of one instance (${SIZE.seniors} seniors, ${SIZE.orders} visits, ${EXPIRING_OFFERS} expiring offers)`, async () => {
    const timings: Record<string, number> = {};
    let started = Date.now();
    await openDatabase(databaseName('multi_ref'));
    await generateMonth(config, SIZE);
    await insertExpiringOffers(new Date(Date.now() - 60_000));
    await sweepExpiredOffers(config, logger);
    await runReferenceJobs(config);
    const reference = { ...(await figuresSnapshot()), swept: await sweptOrders() };
    await closeDatabase();
    timings.referenceSeconds = seconds(started);

    started = Date.now();
    const dbName = databaseName('multi');
    await openDatabase(dbName);
    await generateMonth(config, SIZE);
    const orderIds = await insertExpiringOffers(new Date(Date.now() + 5_000));
    const env = { JOB_SCHEDULES: JSON.stringify(SCHEDULES) };
    const [first, second] = await Promise.all([startServiceProcess('instance A', dbName, env), startServiceProcess('instance B', dbName, env)]);
    const tails = () => `${first.tail()}\n---\n${second.tail()}`;
    const doneAt = await waitUntil(async () => {
      const issued = await IssuedMonthModel.findById(issuanceMonth).lean();
      // Not settlement_runs' status: a tick's re-run sets it back to running within seconds.
      const settled = (await jobRunsOf(['settlement'])).some((r) => r.status === 'succeeded');
      const stillOffered = await OrderModel.countDocuments({ _id: { $in: orderIds }, status: 'offered' });
      return issued?.completedAt && settled && stillOffered === 0 ? new Date() : null;
    }, { timeoutMs: FULL ? 1_200_000 : 420_000, everyMs: 2_000, describe: () => `the work was not done\n${tails()}` });
    timings.workSeconds = seconds(started);
    // Then let both instances race more ticks of every job over the finished work.
    await waitUntil(async () => {
      const runs = await jobRunsOf(JOBS);
      return JOBS.every((name) => runs.filter((r) => r.name === name && r.trigger === 'schedule' && r.startedAt > doneAt && r.endedAt).length >= EXTRA_TICKS);
    }, { timeoutMs: 120_000, everyMs: 2_000, describe: () => `the schedulers stopped ticking\n${tails()}` });
    await Promise.all([stopServiceProcess(first), stopServiceProcess(second)]);
    timings.totalSeconds = seconds(started);

    const runs = await jobRunsOf(JOBS);
    const reconciliation = await reconcileLedger('multi-instance-test', logger);
    const figures = await figuresSnapshot();
    const swept = await sweptOrders();
    const summary = {
      size: SIZE, expiringOffers: EXPIRING_OFFERS, timings, reconciliation,
      runs: Object.fromEntries(JOBS.map((name) => [name, countBy(runs.filter((r) => r.name === name), (r) => `${r.trigger}:${r.status}:${r.ownerId === runs[0]?.ownerId ? 'A' : 'B'}`)])),
    };
    logger.info(summary, 'multi-instance');
    if (process.env.RESILIENCE_REPORT) process.stdout.write(`${JSON.stringify(summary, null, 1)}\n`);

    // One record per tick key, and no run of a job overlapping another (the lease).
    const keys = runs.map((r) => `${r.name} ${r.tickKey}`);
    expect(new Set(keys).size).to.equal(keys.length);
    // SIGTERM may catch a tick mid-run: that run ends `failed`, 'interrupted by shutdown' (the
    // runner cannot tell a job that finished anyway from one that stopped at a batch boundary).
    // Only after all work was done, when an interrupted tick has nothing left to do, is that fine.
    const interruptedAtStop = (r: (typeof runs)[number]) => r.status === 'failed' && r.error === 'interrupted by shutdown' && r.startedAt > doneAt;
    expect(runs.filter((r) => !['succeeded', 'skipped'].includes(r.status) && !interruptedAtStop(r)), 'failed, abandoned or unfinished runs').to.deep.equal([]);
    for (const name of JOBS) {
      const worked = runs.filter((r) => r.name === name && r.status === 'succeeded');
      for (let i = 1; i < worked.length; i += 1) expect(worked[i]!.startedAt.getTime(), `${name} runs overlap`).to.be.at.least(worked[i - 1]!.endedAt!.getTime());
    }
    // Each tick's work once: every senior credited by exactly one run, every visit settled by one,
    // every expired offer swept by one.
    const sum = (name: string, count: string) => runs.filter((r) => r.name === name).reduce((total, r) => total + (r.counts[count] ?? 0), 0);
    expect(sum('voucher-issuance', 'issued')).to.equal(SIZE.seniors);
    expect(sum('settlement', 'linesAdded')).to.equal(SIZE.orders);
    expect(sum('offer-sweeper', 'expired')).to.equal(EXPIRING_OFFERS);
    expect(sum('offer-sweeper', 'raced')).to.equal(0);
    expect(swept.filter((o) => o.status === 'unassigned' && o.expiredAttempts === 1 && o.historyRows === 1 && o.notifications === 1)).to.have.length(EXPIRING_OFFERS);

    expect(reconciliation).to.include({ mismatches: 0, accounts: SIZE.seniors });
    expect(accountsOffTheirEntries(figures.vouchers)).to.deep.equal([]);
    expect(figures.vouchers.byType).to.deep.equal(reference.vouchers.byType);
    expect(figures.vouchers.accounts).to.deep.equal(reference.vouchers.accounts);
    expect(figures.vouchers.entries).to.deep.equal(reference.vouchers.entries);
    expect(figures.settlement).to.deep.equal(reference.settlement);
    expect(swept).to.deep.equal(reference.swept);
  });

  /**
   * Orders offered to one provider after every other provider declined them, the offer expiring at
   * `firstExpiry` + i × spacing: the sweeper's only possible outcome is `unassigned` with a staff
   * notification, the same in any instance and at any tick (no price, no voucher hold).
   */
  async function insertExpiringOffers(firstExpiry: Date): Promise<mongoose.Types.ObjectId[]> {
    const providers = (await ProviderModel.find({}, { _id: 1 }).sort({ _id: 1 }).lean()).map((p) => String(p._id));
    const seniors = await SeniorModel.find({}).sort({ _id: 1 }).limit(EXPIRING_OFFERS).lean();
    const service = demoServiceTypes.find((type) => !type.emergency)!;
    const scheduledStart = new Date(Date.now() + 3 * 86_400_000);
    const offeredAt = new Date(Date.now() - 3_600_000);
    const orders = seniors.map((senior, i) => {
      const id = new mongoose.Types.ObjectId(`77777700${i.toString(16).padStart(16, '0')}`);
      const offered = providers[i % providers.length]!;
      const expiresAt = new Date(firstExpiry.getTime() + i * EXPIRY_SPACING_MS);
      return {
        _id: id, seniorId: String(senior._id), communityId: senior.communityId, streetId: senior.streetId, seniorLocation: senior.location, preferredProviderId: null,
        serviceTypeCode: service.code, quantity: 1, expectedMinutes: service.minutesPerUnit, scheduledStart, scheduledDay: businessDay(scheduledStart, config.businessTimeZone),
        notes: null, source: 'staff', priority: 'normal', status: 'offered', providerId: null, caregiverId: null,
        offer: { providerId: offered, offeredAt, expiresAt },
        dispatch: {
          attempts: [
            ...providers.filter((p) => p !== offered).map((providerId) => ({ providerId, offeredAt, answeredAt: offeredAt, outcome: 'declined', reason: 'test' })),
            { providerId: offered, offeredAt, answeredAt: null, outcome: 'offered', reason: null },
          ],
          ranking: [],
        },
        priceFen: 0, subsidyFen: 0, selfPayFen: 0, subsidyRatePct: 50, holdRef: null, visitCodeHash: createHmac('sha256', 'test').update(String(id)).digest('hex'), visitCodeFailures: 0,
        checkIn: null, checkOut: null, durationMinutes: null, flags: [], isFlagged: false, confirmation: null, confirmedMonth: null, statementId: null, penaltyStatementId: null,
        adjustmentStatementId: null, providerPenalty: null, disputedFrom: null, createdBy: 'multi-instance-test', createdAt: offeredAt, updatedAt: offeredAt,
      };
    });
    await OrderModel.collection.insertMany(orders as never[]);
    return orders.map((order) => order._id);
  }

  async function sweptOrders() {
    const orders = await OrderModel.find({ createdBy: 'multi-instance-test' }).sort({ _id: 1 }).lean();
    const swept = [];
    for (const order of orders) {
      const id = String(order._id);
      swept.push({
        id, status: order.status,
        expiredAttempts: (order.dispatch?.attempts ?? []).filter((a) => a.outcome === 'expired').length,
        historyRows: await OrderHistoryModel.countDocuments({ orderId: id, toStatus: 'unassigned' }),
        notifications: await NotificationModel.countDocuments({ 'subject.id': id }),
      });
    }
    return swept;
  }
});

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 100) / 10;
}

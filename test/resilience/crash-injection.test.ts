import { expect } from 'chai';
import { BREAKDOWN_BUCKETS } from '../../src/settlement/run-breakdown.ts';
import { RunProgressModel } from '../../src/settlement/settlement.model.ts';
import { logger } from '../../src/shared/logger.ts';
import { IssuedMonthModel } from '../../src/vouchers/issued-months.ts';
import { AccountModel } from '../../src/vouchers/ledger.model.ts';
import { reconcileLedger } from '../../src/vouchers/reconciliation.ts';
import { testConfig } from '../support/app.ts';
import { killAllServiceProcesses, killServiceProcess, startServiceProcess, stopServiceProcess, type ServiceProcess } from '../support/service-process.ts';
import {
  accountsOffTheirEntries, closeDatabase, databaseName, figuresSnapshot, generateMonth, jobRunsOf, monthsOfToday, openDatabase, runReferenceJobs, waitUntil,
  type DistrictSize,
} from './resilience.fixtures.ts';

/*
 * Crash injection (issue 9): the real service, started on a generated month whose issuance and
 * settlement are due, catches both up at start; the test SIGKILLs it at chosen points of that work
 * (read from the database: accounts credited, orders settled), starts it again — nothing else: the
 * restarted scheduler must find the dead run and resume — and at the end compares every account,
 * ledger entry, statement, line, held-back visit and review pick with an uninterrupted run of the
 * same month, and runs the ledger reconciliation.
 *
 * `npm test` runs the trimmed version; `npm run test:crash` (CRASH_TEST_FULL=1) a bigger month
 * with more kill points.
 */

interface KillPoint {
  job: 'issuance' | 'settlement';
  /** Issuance: seniors credited for the month; settlement: orders the run has finished. */
  atLeast: number;
}

const FULL = process.env.CRASH_TEST_FULL === '1';
const SIZE: DistrictSize = FULL ? { seniors: 600, orders: 3_000, seed: 9 } : { seniors: 200, orders: 1_000, seed: 9 };
const KILL_POINTS: KillPoint[] = FULL
  ? [
    { job: 'issuance', atLeast: 50 }, { job: 'issuance', atLeast: 250 }, { job: 'issuance', atLeast: 450 },
    { job: 'settlement', atLeast: 500 }, { job: 'settlement', atLeast: 1_500 }, { job: 'settlement', atLeast: 2_500 },
  ]
  : [{ job: 'issuance', atLeast: 60 }, { job: 'settlement', atLeast: 500 }];
/** A killed run's lease lapses after this; the restarted instance then takes the run over. */
const LEASE_SECONDS = 10;

describe('crash injection: issuance and settlement killed with SIGKILL and resumed', function () {
  this.timeout(FULL ? 1_800_000 : 420_000);
  const config = testConfig();
  const { issuanceMonth, settlementPeriod } = monthsOfToday(config);
  const processes: ServiceProcess[] = [];

  after(async () => {
    await killAllServiceProcesses();
    await closeDatabase();
  });

  it(`ends with the ledger and statements of an uninterrupted run (${SIZE.seniors} seniors, ${SIZE.orders} visits, ${KILL_POINTS.length} kills)`, async () => {
    const timings: Record<string, number> = {};
    let started = Date.now();
    await openDatabase(databaseName('crash_ref'));
    await generateMonth(config, SIZE);
    await runReferenceJobs(config);
    const reference = await figuresSnapshot();
    await closeDatabase();
    timings.referenceSeconds = seconds(started);

    started = Date.now();
    const dbName = databaseName('crash');
    await openDatabase(dbName);
    await generateMonth(config, SIZE);
    // Settlement in batches of 100: a run of 1,000 visits is only two batches of 500, and since a
    // batch's reads run beside the previous batch's writes the second is over before a kill lands.
    const env = { JOB_LEASE_SECONDS: String(LEASE_SECONDS), SETTLEMENT_BATCH_SIZE: '100' };
    const kills: Record<string, unknown>[] = [];
    const cutRuns = new Set<string>();
    for (const point of KILL_POINTS) {
      const service = await startServiceProcess(`instance ${processes.length + 1}`, dbName, env);
      processes.push(service);
      // The point must be reached by this process's own work, not found already passed at its start.
      const atStart = await progressOf(point.job);
      const reached = await waitUntil(() => progressPast(point, atStart), {
        timeoutMs: 180_000, everyMs: 100, describe: () => `${point.job} never reached ${point.atLeast}\n${service.tail()}`,
      });
      await killServiceProcess(service);
      const cut = (await jobRunsOf(['voucher-issuance', 'settlement'])).filter((r) => r.status === 'running').map((r) => `${r.name} ${r.tickKey}`);
      for (const key of cut) cutRuns.add(key);
      const after = await progress();
      // A kill after the job finished would prove nothing: each point must land inside the work.
      expect(point.job === 'issuance' ? after.issuanceCompleted : after.settlementCompleted, `${point.job} had already finished at the kill`).to.equal(false);
      kills.push({ ...point, seenBeforeKill: reached, credited: after.credited, ordersSeen: after.ordersSeen, cut });
    }
    const last = await startServiceProcess(`instance ${processes.length + 1}`, dbName, env);
    processes.push(last);
    await waitUntil(async () => {
      const now = await progress();
      return now.issuanceCompleted && now.settlementCompleted;
    }, { timeoutMs: FULL ? 900_000 : 240_000, everyMs: 500, describe: () => `the resumed runs did not finish\n${last.tail()}` });
    await stopServiceProcess(last);
    timings.crashedSeconds = seconds(started);

    const runs = await jobRunsOf(['voucher-issuance', 'settlement']);
    const reconciliation = await reconcileLedger('crash-test', logger);
    const crashed = await figuresSnapshot();
    logger.info({ size: SIZE, kills, timings, runs: runs.map((r) => `${r.name} ${r.tickKey} ${r.status}`), reconciliation }, 'crash injection');
    if (process.env.RESILIENCE_REPORT) process.stdout.write(`${JSON.stringify({ size: SIZE, kills, timings, runs: runs.map((r) => `${r.name} ${r.tickKey} ${r.status}`), reconciliation }, null, 1)}\n`);

    expect(reconciliation).to.include({ mismatches: 0, accounts: SIZE.seniors });
    expect(accountsOffTheirEntries(crashed.vouchers)).to.deep.equal([]);
    expect(crashed.vouchers.byType).to.deep.equal(reference.vouchers.byType);
    expect(crashed.vouchers.accounts).to.deep.equal(reference.vouchers.accounts);
    expect(crashed.vouchers.entries).to.deep.equal(reference.vouchers.entries);
    expect(crashed.settlement.statements).to.deep.equal(reference.settlement.statements);
    expect(crashed.settlement.lines).to.deep.equal(reference.settlement.lines);
    expect(crashed.settlement.heldBack).to.deep.equal(reference.settlement.heldBack);
    expect(crashed.settlement.sampleChecks).to.deep.equal(reference.settlement.sampleChecks);
    expect(crashed.settlement.lines.filter((l) => l.kind === 'service')).to.have.length(SIZE.orders);
    // The period's breakdown came through the kills whole: every order seen (a batch redone after a
    // kill is seen twice) in one bucket — a new line, or the second time `unchanged` — never lost.
    const settled = (await RunProgressModel.findById(settlementPeriod).lean())!;
    const breakdown = settled.breakdown as Record<string, number>;
    expect(BREAKDOWN_BUCKETS.reduce((sum, bucket) => sum + breakdown[bucket]!, 0)).to.equal(settled.ordersSeen);
    expect(breakdown.newLines! + breakdown.unchanged!).to.equal(settled.ordersSeen);
    expect(settled.ordersSeen).to.be.at.least(SIZE.orders);
    // Every run a kill cut short was taken over (abandoned), and each job ended with one success.
    expect(runs.filter((r) => r.status === 'running')).to.deep.equal([]);
    expect(cutRuns.size).to.be.at.least(KILL_POINTS.length);
    expect(runs.filter((r) => r.status === 'abandoned').map((r) => `${r.name} ${r.tickKey}`).sort()).to.deep.equal([...cutRuns].sort());
    expect(runs.filter((r) => r.name === 'voucher-issuance' && r.status === 'succeeded')).to.have.length(1);
    expect(runs.filter((r) => r.name === 'settlement' && r.status === 'succeeded')).to.have.length(1);
  });

  /** Issuance: seniors credited for the month; settlement: orders its runs have finished. */
  async function progressOf(job: KillPoint['job']): Promise<number> {
    if (job === 'issuance') return AccountModel.countDocuments({ [`creditsByMonth.${issuanceMonth}`]: { $gt: 0 } });
    return (await RunProgressModel.findById(settlementPeriod).lean())?.ordersSeen ?? 0;
  }

  async function progressPast(point: KillPoint, atStart: number): Promise<number | null> {
    const now = await progressOf(point.job);
    return now >= point.atLeast && now > atStart ? now : null;
  }

  async function progress() {
    const issued = await IssuedMonthModel.findById(issuanceMonth).lean();
    const run = await RunProgressModel.findById(settlementPeriod).lean();
    return {
      credited: await progressOf('issuance'),
      issuanceCompleted: Boolean(issued?.completedAt),
      ordersSeen: run?.ordersSeen ?? 0,
      settlementCompleted: run?.status === 'completed',
    };
  }
});

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 100) / 10;
}

import { expect } from 'chai';
import { z } from 'zod';
import { JobRunner, Scheduler } from '../../src/jobs/index.ts';
import { JobLeaseModel, JobRunModel } from '../../src/jobs/job.model.ts';
import type { JobDefinition } from '../../src/shared/job-definition.ts';
import { logger } from '../../src/shared/logger.ts';
import { testConfig } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';

const config = testConfig();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A job that counts its executions in memory, so a test sees how often its body really ran. */
function countingJob(overrides: Partial<JobDefinition> = {}): JobDefinition & { executions: string[] } {
  const executions: string[] = [];
  return {
    name: 'counting',
    description: 'counts',
    params: z.object({ label: z.string().default('x') }).strict(),
    paramsForTick: (at) => ({ label: at.toISOString() }),
    async run(params) {
      executions.push(String(params.label));
      await sleep(50);
      return { processed: 1 };
    },
    ...overrides,
    executions,
  };
}

async function until(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(100);
  }
}

describe('job scheduler with a database lease', () => {
  useTestDatabase();
  beforeEach(clearCollections);

  it('runs a tick once when two instances fire it at the same moment', async () => {
    const job = countingJob();
    const instanceA = new Scheduler(new JobRunner(config, logger, [job], 'instance-a'));
    const instanceB = new Scheduler(new JobRunner(config, logger, [job], 'instance-b'));
    const tickAt = new Date('2026-11-01T00:05:00.000Z');

    await Promise.all([instanceA.tick(job, tickAt), instanceB.tick(job, tickAt), instanceA.tick(job, tickAt)]);

    const runs = await JobRunModel.find({ name: 'counting' }).lean();
    expect(runs).to.have.length(1);
    expect(runs[0]).to.include({ status: 'succeeded', tickKey: 'schedule:2026-11-01T00:05:00.000Z', trigger: 'schedule' });
    expect(runs[0]!.counts).to.deep.equal({ processed: 1 });
    expect(job.executions).to.deep.equal(['2026-11-01T00:05:00.000Z']);
  });

  it('with real cron ticks on two instances, runs every tick exactly once', async function () {
    this.timeout(40_000);
    const job = countingJob({ schedule: '* * * * * *' });
    const schedulers = ['cron-a', 'cron-b'].map((id) => new Scheduler(new JobRunner(config, logger, [job], id)));
    schedulers.forEach((scheduler) => scheduler.start());
    try {
      await until(async () => (await JobRunModel.countDocuments({ name: 'counting', status: 'succeeded' })) >= 3);
    } finally {
      await Promise.all(schedulers.map((scheduler) => scheduler.stop(5000)));
    }

    const runs = await JobRunModel.find({ name: 'counting' }).lean();
    const tickKeys = runs.map((run) => run.tickKey);
    expect(new Set(tickKeys).size).to.equal(tickKeys.length);
    expect(runs.every((run) => run.status === 'succeeded')).to.equal(true);
    expect(job.executions).to.have.length(runs.length);
    expect(new Set(runs.map((run) => run.ownerId)).size).to.be.at.least(1);
  });

  it('skips a tick, with a record saying why, while the previous run still holds the lease', async () => {
    let release: () => void = () => undefined;
    const job = countingJob({ run: () => new Promise((resolve) => { release = () => resolve({ processed: 1 }); }) });
    const runnerA = new JobRunner(config, logger, [job], 'slow-a');
    const runnerB = new JobRunner(config, logger, [job], 'slow-b');

    const first = await runnerA.start(job, { params: {}, trigger: 'schedule', tickKey: 'schedule:t1' });
    const second = await runnerB.start(job, { params: {}, trigger: 'schedule', tickKey: 'schedule:t2' });
    release();
    const finished = await first!.completion;

    expect(second!.run.status).to.equal('skipped');
    expect(second!.run.error).to.match(/still in progress/);
    expect(finished.status).to.equal('succeeded');
    expect(await JobLeaseModel.findById('counting').lean()).to.include({ runId: null });
  });

  it('takes over the lease of an instance that died mid-run and marks that run abandoned', async () => {
    const job = countingJob();
    const dead = await JobRunModel.create({
      name: 'counting', tickKey: 'schedule:dead', trigger: 'schedule', params: {}, status: 'running',
      ownerId: 'dead-instance', startedAt: new Date(Date.now() - 60_000), heartbeatAt: new Date(Date.now() - 60_000),
    });
    await JobLeaseModel.create({ _id: 'counting', ownerId: 'dead-instance', runId: String(dead._id), leaseUntil: new Date(Date.now() - 1000) });

    const started = await new JobRunner(config, logger, [job], 'survivor').start(job, { params: {}, trigger: 'catch-up', tickKey: 'catch-up:x' });
    const finished = await started!.completion;

    expect(finished.status).to.equal('succeeded');
    const abandoned = await JobRunModel.findById(dead._id).lean();
    expect(abandoned!.status).to.equal('abandoned');
    expect(abandoned!.error).to.include(String(finished._id));
  });

  it('keeps the lease alive with heartbeats during a run longer than the lease', async () => {
    const job = countingJob({ leaseMs: 600, run: async () => { await sleep(1500); return { processed: 1 }; } });
    const runnerA = new JobRunner(config, logger, [job], 'beat-a');
    const runnerB = new JobRunner(config, logger, [job], 'beat-b');

    const long = await runnerA.start(job, { params: {}, trigger: 'schedule', tickKey: 'schedule:long' });
    await sleep(1000); // past the original lease: only heartbeats keep it
    const intruder = await runnerB.start(job, { params: {}, trigger: 'schedule', tickKey: 'schedule:intruder' });
    const finished = await long!.completion;

    expect(intruder!.run.status).to.equal('skipped');
    expect(finished.status).to.equal('succeeded');
  });

  it('stops a run at shutdown, records it as interrupted and frees the lease for the next start', async () => {
    const job = countingJob({
      async run(_params, { signal }) {
        let batches = 0;
        while (!signal.aborted && batches < 200) { batches += 1; await sleep(20); }
        return { batches };
      },
    });
    const runner = new JobRunner(config, logger, [job], 'stopping');
    const started = await runner.start(job, { params: {}, trigger: 'manual' });
    await sleep(100);

    await runner.stopAll(5000);

    const run = await JobRunModel.findById(started!.run._id).lean();
    expect(run!.status).to.equal('failed');
    expect(run!.error).to.equal('interrupted by shutdown');
    expect(await JobLeaseModel.findById('counting').lean()).to.include({ runId: null });
  });

  it('leaves no run record running when shutdown comes while a tick is still starting, and starts nothing after', async () => {
    const job = countingJob();
    const runner = new JobRunner(config, logger, [job], 'stopping-mid-start');
    // The tick has fired but its run record and lease are still being written when SIGTERM comes.
    const tick = runner.start(job, { params: {}, trigger: 'schedule', tickKey: 'schedule:mid-start' });

    await runner.stopAll(5000);

    // What the database holds when stopAll returns is what it keeps: the server closes it next.
    const runs = await JobRunModel.find({ name: 'counting' }).lean();
    expect(runs).to.have.length(1);
    expect(runs[0]).to.include({ status: 'failed', error: 'interrupted by shutdown' });
    expect(runs[0]!.endedAt).to.be.an.instanceOf(Date);
    expect(await JobLeaseModel.findById('counting').lean()).to.include({ runId: null });
    await (await tick)?.completion;
    expect(await runner.start(job, { params: {}, trigger: 'schedule', tickKey: 'schedule:after-stop' })).to.equal(null);
    let refused: unknown;
    await runner.start(job, { params: {}, trigger: 'manual' }).catch((error: unknown) => { refused = error; });
    expect(refused).to.have.property('code', 'SERVICE_UNAVAILABLE');
    expect(await JobRunModel.countDocuments({ name: 'counting' })).to.equal(1);
  });

  it('records a failing run with its error and counts it as failed', async () => {
    const job = countingJob({ run: async () => { throw new Error('ledger out of balance'); } });
    const started = await new JobRunner(config, logger, [job], 'failing').start(job, { params: {}, trigger: 'manual' });
    const finished = await started!.completion;

    expect(finished.status).to.equal('failed');
    expect(finished.error).to.equal('ledger out of balance');
    expect(finished.endedAt).to.be.instanceOf(Date);
  });

  it('runs a missed period once at start-up even when two instances start together', async () => {
    const job = countingJob({ catchUp: async () => ({ key: 'counting:2026-10', params: { label: '2026-10' } }) });
    const schedulers = ['boot-a', 'boot-b'].map((id) => new Scheduler(new JobRunner(config, logger, [job], id)));

    await Promise.all(schedulers.map((scheduler) => scheduler.catchUp()));

    const runs = await JobRunModel.find({ name: 'counting' }).lean();
    expect(runs).to.have.length(1);
    expect(runs[0]).to.include({ trigger: 'catch-up', tickKey: 'catch-up:counting:2026-10', status: 'succeeded' });
    expect(job.executions).to.deep.equal(['2026-10']);
  });

  it('leaves a catch-up run alone that another instance has just recorded and not yet leased', async () => {
    const job = countingJob({ catchUp: async () => ({ key: 'counting:2026-10', params: { label: '2026-10' } }) });
    // The moment between the other instance's run record and its lease.
    await JobRunModel.create({
      name: 'counting', tickKey: 'catch-up:counting:2026-10', trigger: 'catch-up', params: { label: '2026-10' }, status: 'running',
      ownerId: 'other-instance', startedAt: new Date(), heartbeatAt: new Date(),
    });
    const scheduler = new Scheduler(new JobRunner(config, logger, [job], 'starting-too'));

    await scheduler.catchUp();
    await scheduler.stop(1000);

    expect(job.executions).to.deep.equal([]);
    expect((await JobRunModel.find({ name: 'counting' }).lean()).map((r) => r.tickKey)).to.deep.equal(['catch-up:counting:2026-10']);
  });

  it('resumes at the next start a catch-up whose instance was killed mid-run, once the dead run\'s lease lapses', async () => {
    const job = countingJob({ catchUp: async () => ({ key: 'counting:2026-10', params: { label: '2026-10' } }) });
    const dead = await JobRunModel.create({
      name: 'counting', tickKey: 'catch-up:counting:2026-10', trigger: 'catch-up', params: { label: '2026-10' }, status: 'running',
      ownerId: 'killed-instance', startedAt: new Date(), heartbeatAt: new Date(),
    });
    await JobLeaseModel.create({ _id: 'counting', ownerId: 'killed-instance', runId: String(dead._id), leaseUntil: new Date(Date.now() + 1500) });
    const scheduler = new Scheduler(new JobRunner(config, logger, [job], 'restarted'));

    await scheduler.catchUp();
    expect(job.executions, 'nothing may run while the lease holds').to.deep.equal([]);
    await until(async () => (await JobRunModel.countDocuments({ name: 'counting', status: 'succeeded' })) === 1);
    await scheduler.stop(1000);

    const runs = await JobRunModel.find({ name: 'counting' }).sort({ startedAt: 1 }).lean();
    expect(runs.map((r) => [r.tickKey, r.status])).to.deep.equal([['catch-up:counting:2026-10', 'abandoned'], ['catch-up:counting:2026-10:retry-1', 'succeeded']]);
  });
});

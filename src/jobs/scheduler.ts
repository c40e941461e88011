import cron, { type ScheduledTask } from 'node-cron';
import type { JobDefinition } from '../shared/job-definition.ts';
import { leaseMsOf, type JobRunner } from './job-runner.ts';
import { JobLeaseModel, JobRunModel } from './job.model.ts';

/** Catch-up attempts of one period at one start: a run that keeps dying is left to an admin. */
const MAX_CATCH_UP_ATTEMPTS = 20;

/**
 * node-cron ticks in the business time zone; the runner's unique tick key and lease make a tick
 * run once however many instances share the database. node-cron 4 ANDs day-of-month with
 * day-of-week, and remembers nothing across restarts — hence the catch-up pass at start.
 * `JOB_SCHEDULES` may replace a job's default expression.
 */
export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly retries = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly runner: JobRunner) {}

  start(): void {
    const { config, logger } = this.runner;
    const unknown = Object.keys(config.jobSchedules).filter((name) => !this.runner.definition(name));
    if (unknown.length > 0) throw new Error(`JOB_SCHEDULES names unknown jobs: ${unknown.join(', ')}`);
    for (const job of this.runner.jobs) {
      const schedule = config.jobSchedules[job.name] ?? job.schedule;
      if (!schedule) continue;
      const task = cron.schedule(schedule, (context) => this.tick(job, context.date), {
        timezone: config.businessTimeZone,
        name: job.name,
      });
      this.tasks.push(task);
    }
    logger.info({ jobs: this.tasks.length, ownerId: this.runner.ownerId, overridden: Object.keys(config.jobSchedules) }, 'scheduler started');
    void this.catchUp();
  }

  /** One scheduled tick. Instances race on the tick key; losers return quietly. */
  async tick(job: JobDefinition, scheduledAt: Date): Promise<void> {
    const second = new Date(Math.floor(scheduledAt.getTime() / 1000) * 1000);
    try {
      const started = await this.runner.start(job, {
        params: job.paramsForTick(second, this.runner.config),
        trigger: 'schedule',
        tickKey: `schedule:${second.toISOString()}`,
      });
      await started?.completion;
    } catch (error) {
      this.runner.logger.error({ err: error, job: job.name }, 'scheduled tick failed');
    }
  }

  /** Runs, once across instances, each job whose last period was missed while nobody was running. */
  async catchUp(now = new Date()): Promise<void> {
    for (const job of this.runner.jobs) {
      if (!job.catchUp) continue;
      await this.catchUpJob(job, now);
    }
    this.runner.logger.info('catch-up finished');
  }

  /**
   * The first catch-up of a period is keyed `catch-up:<key>`, so instances starting together run
   * it once. A run under that key that died with its instance (SIGKILL, power loss), failed, or was
   * skipped because a dead run still held the lease, must not block the period for good: the next
   * attempt gets the next key (`…:retry-<n>`), and while a lease is held the check comes back when
   * it would lapse — a live holder renews it, a dead one's lapses and is taken over.
   */
  private async catchUpJob(job: JobDefinition, now: Date): Promise<void> {
    const { config, logger } = this.runner;
    try {
      const due = await job.catchUp?.(now, config);
      if (!due || this.stopped) return;
      for (let attempt = 0; attempt < MAX_CATCH_UP_ATTEMPTS; attempt += 1) {
        const tickKey = attempt === 0 ? `catch-up:${due.key}` : `catch-up:${due.key}:retry-${attempt}`;
        const previous = await JobRunModel.findOne({ name: job.name, tickKey }).lean();
        if (previous?.status === 'succeeded') return;
        if (previous?.status === 'running') {
          const lease = await JobLeaseModel.findById(job.name).lean();
          if (lease?.runId === String(previous._id)) {
            if (lease.leaseUntil > new Date()) return this.retryCatchUpAt(job, lease.leaseUntil);
            continue; // its lease lapsed: the run died with its instance
          }
          // The lease is not this run's: another instance starting at the same moment is just
          // starting it (the run record comes before its lease) or has just finished it (the status
          // before the lease's release) — or it died before taking the lease. Dead only once it has
          // not beaten for a lease's length.
          const current = await JobRunModel.findById(previous._id, { status: 1, heartbeatAt: 1 }).lean();
          if (current?.status === 'succeeded') return;
          if (current?.status === 'running') {
            const lapsesAt = new Date(current.heartbeatAt.getTime() + leaseMsOf(job, config));
            if (lapsesAt > new Date()) return this.retryCatchUpAt(job, lapsesAt);
          }
          continue;
        }
        if (previous) continue;
        const started = await this.runner.start(job, { params: due.params, trigger: 'catch-up', tickKey });
        if (!started) return this.retryCatchUpAt(job, new Date(Date.now() + leaseMsOf(job, config)));
        const run = await started.completion;
        if (run.status === 'skipped') {
          const lease = await JobLeaseModel.findById(job.name).lean();
          return this.retryCatchUpAt(job, lease?.leaseUntil ?? new Date(Date.now() + leaseMsOf(job, config)));
        }
        return;
      }
      logger.error({ job: job.name, key: due.key }, 'catch-up gave up after repeated failed runs');
    } catch (error) {
      logger.error({ err: error, job: job.name }, 'catch-up failed');
    }
  }

  private retryCatchUpAt(job: JobDefinition, at: Date): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      void this.catchUpJob(job, new Date());
    }, Math.max(0, at.getTime() - Date.now()) + 500);
    timer.unref();
    this.retries.add(timer);
    this.runner.logger.info({ job: job.name, at }, 'catch-up waits for the job lease');
  }

  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
    await Promise.all(this.tasks.map((task) => task.stop()));
    this.tasks.length = 0;
    await this.runner.stopAll(timeoutMs);
  }
}

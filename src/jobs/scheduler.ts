import cron, { type ScheduledTask } from 'node-cron';
import type { JobDefinition } from '../shared/job-definition.ts';
import type { JobRunner } from './job-runner.ts';

/**
 * node-cron ticks in the business time zone; the runner's unique tick key and lease make a tick
 * run once however many instances share the database. node-cron 4 ANDs day-of-month with
 * day-of-week, and remembers nothing across restarts — hence the catch-up pass at start.
 * `JOB_SCHEDULES` may replace a job's default expression.
 */
export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];

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
      try {
        const due = await job.catchUp(now, this.runner.config);
        if (!due) continue;
        const started = await this.runner.start(job, { params: due.params, trigger: 'catch-up', tickKey: `catch-up:${due.key}` });
        await started?.completion;
      } catch (error) {
        this.runner.logger.error({ err: error, job: job.name }, 'catch-up failed');
      }
    }
    this.runner.logger.info('catch-up finished');
  }

  async stop(timeoutMs: number): Promise<void> {
    await Promise.all(this.tasks.map((task) => task.stop()));
    this.tasks.length = 0;
    await this.runner.stopAll(timeoutMs);
  }
}

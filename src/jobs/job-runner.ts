import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config/env.ts';
import { DomainError } from '../shared/errors.ts';
import type { JobCounts, JobDefinition } from '../shared/job-definition.ts';
import type { Logger } from '../shared/logger.ts';
import { jobRunDurationSeconds, jobRunsTotal } from '../shared/metrics.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import { acquireLease, releaseLease, renewLease } from './job-lease.ts';
import { JobRunModel, type JobRunDoc } from './job.model.ts';

const DEFAULT_LEASE_MS = 5 * 60_000;

export type Trigger = 'schedule' | 'manual' | 'catch-up';

export interface RunRequest {
  params: Record<string, unknown>;
  trigger: Trigger;
  /** Deduplicates across instances: the same key runs once. Manual runs get a fresh one. */
  tickKey?: string;
  requestedBy?: string;
}

export interface StartedRun {
  run: JobRunDoc;
  /** Settles when the run has ended and its record is final; never rejects. */
  completion: Promise<JobRunDoc>;
}

/**
 * Runs jobs under a database lease and records every run. One runner per process; `ownerId`
 * names the instance in leases and run records.
 */
export class JobRunner {
  readonly ownerId: string;
  private readonly active = new Map<string, { controller: AbortController; completion: Promise<JobRunDoc> }>();
  /** Starts between their run record and their place in `active`: shutdown must wait for them. */
  private readonly starting = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(
    readonly config: Config,
    readonly logger: Logger,
    readonly jobs: readonly JobDefinition[],
    ownerId?: string,
  ) {
    this.ownerId = ownerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  definition(name: string): JobDefinition | undefined {
    return this.jobs.find((job) => job.name === name);
  }

  /**
   * Null when another instance already took this tick, or when this instance is shutting down (a
   * scheduled tick is then left to the other instances; a manual run is refused with 503).
   */
  async start(job: JobDefinition, request: RunRequest): Promise<StartedRun | null> {
    if (this.stopping) {
      if (request.trigger === 'manual') throw new DomainError('SERVICE_UNAVAILABLE');
      return null;
    }
    // A tick that fired just before shutdown is tracked from here, so stopAll cannot miss its
    // record and leave it `running` behind a closed database.
    const starting = this.startTracked(job, request);
    this.starting.add(starting);
    try {
      return await starting;
    } finally {
      this.starting.delete(starting);
    }
  }

  private async startTracked(job: JobDefinition, request: RunRequest): Promise<StartedRun | null> {
    const leaseMs = leaseMsOf(job, this.config);
    const now = new Date();
    let run: JobRunDoc;
    try {
      run = (
        await JobRunModel.create({
          name: job.name,
          tickKey: request.tickKey ?? `${request.trigger}:${randomUUID()}`,
          trigger: request.trigger,
          params: request.params,
          status: 'running',
          ownerId: this.ownerId,
          requestedBy: request.requestedBy ?? null,
          startedAt: now,
          heartbeatAt: now,
        })
      ).toObject();
    } catch (error) {
      if (isDuplicateKeyError(error)) return null;
      throw error;
    }
    const runId = String(run._id);

    const lease = await acquireLease(job.name, this.ownerId, runId, leaseMs);
    if (!lease) {
      const skipped = await this.finish(job, run, 'skipped', {}, 'another run of this job is still in progress');
      if (request.trigger === 'manual') throw new DomainError('JOB_RUNNING', [], undefined, { runId: String(skipped._id) });
      return { run: skipped, completion: Promise.resolve(skipped) };
    }
    if (lease.abandonedRunId) {
      await JobRunModel.updateOne(
        { _id: lease.abandonedRunId, status: 'running' },
        { $set: { status: 'abandoned', endedAt: now, error: `its instance stopped without finishing; run ${runId} took over` } },
      );
    }

    const controller = new AbortController();
    const completion = this.execute(job, run, request.params, controller, leaseMs).finally(() => this.active.delete(runId));
    this.active.set(runId, { controller, completion });
    return { run, completion };
  }

  private async execute(job: JobDefinition, run: JobRunDoc, params: Record<string, unknown>, controller: AbortController, leaseMs: number): Promise<JobRunDoc> {
    const runId = String(run._id);
    const logger = this.logger.child({ job: job.name, runId });
    const heartbeat = setInterval(() => {
      void this.heartbeat(job.name, runId, leaseMs, controller, logger);
    }, Math.max(250, Math.floor(leaseMs / 3)));
    const timer = jobRunDurationSeconds.startTimer({ job: job.name });
    try {
      logger.info({ trigger: run.trigger }, 'job run started');
      const counts = await job.run(params, { runId, config: this.config, logger, signal: controller.signal, ...(run.requestedBy ? { requestedBy: run.requestedBy } : {}) });
      if (controller.signal.aborted) return await this.finish(job, run, 'failed', counts, String(controller.signal.reason ?? 'interrupted'));
      return await this.finish(job, run, 'succeeded', counts, null);
    } catch (error) {
      const message = controller.signal.aborted ? String(controller.signal.reason ?? 'interrupted') : errorMessageOf(error);
      logger.error({ err: error }, 'job run failed');
      return await this.finish(job, run, 'failed', {}, message).catch(() => run);
    } finally {
      clearInterval(heartbeat);
      timer();
      await releaseLease(job.name, runId).catch((error: unknown) => logger.error({ err: error }, 'could not release job lease'));
    }
  }

  private async heartbeat(jobName: string, runId: string, leaseMs: number, controller: AbortController, logger: Logger): Promise<void> {
    try {
      const held = await renewLease(jobName, runId, leaseMs);
      if (!held) {
        logger.error('job lease lost to another instance; stopping this run');
        controller.abort('lease lost');
        return;
      }
      await JobRunModel.updateOne({ _id: runId, status: 'running' }, { $set: { heartbeatAt: new Date() } });
    } catch (error) {
      logger.warn({ err: error }, 'job heartbeat failed');
    }
  }

  private async finish(job: JobDefinition, run: JobRunDoc, status: 'succeeded' | 'failed' | 'skipped', counts: JobCounts, error: string | null): Promise<JobRunDoc> {
    jobRunsTotal.inc({ job: job.name, outcome: status });
    const updated = await JobRunModel.findOneAndUpdate(
      { _id: run._id, status: 'running' },
      { $set: { status, counts, error, endedAt: new Date() } },
      { returnDocument: 'after' },
    ).lean();
    this.logger.info({ job: job.name, runId: String(run._id), status, counts }, 'job run ended');
    return updated ?? run;
  }

  /** Stops every run of this instance at its next batch boundary and waits for their records. */
  async stopAll(timeoutMs: number): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.starting]);
    for (const { controller } of this.active.values()) controller.abort('interrupted by shutdown');
    const all = Promise.allSettled([...this.active.values()].map((entry) => entry.completion));
    await Promise.race([all, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }
}

/** JOB_LEASE_SECONDS, when set, replaces every job's own lease (a short one lets tests resume a killed run quickly). */
export function leaseMsOf(job: JobDefinition, config: Config): number {
  return config.jobLeaseMs ?? job.leaseMs ?? DEFAULT_LEASE_MS;
}

function errorMessageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 1000);
}

import type { z } from 'zod';
import type { Config } from '../config/env.ts';
import type { Logger } from './logger.ts';

/** What a capability hands to the scheduler (jobs/). Runs must be idempotent and resumable. */
export interface JobDefinition<P extends Record<string, unknown> = Record<string, unknown>> {
  /** kebab-case, stable: it is the key of leases and run records. */
  name: string;
  description: string;
  /** node-cron 4 expression in the business time zone, or none for on-demand-only jobs. */
  schedule?: string;
  /** Parameters of a manual run (POST /jobs/:name/run); a strict zod object. */
  params: z.core.$ZodType<P>;
  /** Parameters for a scheduled tick at `scheduledAt` (e.g. the previous month). */
  paramsForTick(scheduledAt: Date, config: Config): P;
  /**
   * Start-up catch-up: node-cron remembers nothing across restarts, so a monthly job says here
   * whether its last period is done; a returned value is run once (deduplicated by `key`).
   */
  catchUp?(now: Date, config: Config): Promise<{ key: string; params: P } | null>;
  /** How long a run may go without a heartbeat before another instance may take over. */
  leaseMs?: number;
  run(params: P, ctx: JobContext): Promise<JobCounts>;
}

export type JobCounts = Record<string, number>;

export interface JobContext {
  runId: string;
  config: Config;
  logger: Logger;
  /** Aborted at shutdown: stop between batches and leave the rest to the next run. */
  signal: AbortSignal;
  /** The user who started a manual run; absent for a scheduled tick or a catch-up. */
  requestedBy?: string;
}

import { recordAudit } from '../audit/index.ts';
import { DomainError } from '../shared/errors.ts';
import { findPage, type Page } from '../shared/http/pagination.ts';
import { parseInput } from '../shared/http/validate.ts';
import type { Language } from '../shared/i18n.ts';
import type { Actor } from '../shared/roles.ts';
import type { JobRunner, Trigger } from './job-runner.ts';
import { JobRunModel, type JobRunDoc, type JobRunStatus } from './job.model.ts';

export interface JobRunView {
  id: string;
  name: string;
  trigger: Trigger;
  tickKey: string;
  params: unknown;
  status: JobRunStatus;
  ownerId: string;
  requestedBy: string | null;
  startedAt: Date;
  endedAt: Date | null;
  counts: Record<string, number>;
  error: string | null;
}

export function toJobRunView(run: JobRunDoc): JobRunView {
  return {
    id: String(run._id),
    name: run.name,
    trigger: run.trigger as Trigger,
    tickKey: run.tickKey,
    params: run.params ?? {},
    status: run.status as JobRunStatus,
    ownerId: run.ownerId,
    requestedBy: run.requestedBy ?? null,
    startedAt: run.startedAt,
    endedAt: run.endedAt ?? null,
    counts: (run.counts ?? {}) as Record<string, number>,
    error: run.error ?? null,
  };
}

export async function listJobs(runner: JobRunner) {
  return Promise.all(
    runner.jobs.map(async (job) => {
      const lastRun = await JobRunModel.findOne({ name: job.name }).sort({ startedAt: -1 }).lean();
      return {
        name: job.name,
        description: job.description,
        schedule: job.schedule ?? null,
        timeZone: runner.config.businessTimeZone,
        lastRun: lastRun ? toJobRunView(lastRun) : null,
      };
    }),
  );
}

export async function listJobRuns(filter: { name?: string; status?: JobRunStatus; page: number; pageSize: number }): Promise<Page<JobRunView>> {
  const query: Record<string, unknown> = {};
  if (filter.name) query.name = filter.name;
  if (filter.status) query.status = filter.status;
  return findPage(JobRunModel, query, { _id: -1 }, filter, toJobRunView);
}

/** An admin's on-demand run: parameters validated by the job's own schema, the request audited. */
export async function runJobOnDemand(
  runner: JobRunner,
  request: { name: string; body: unknown; actor: Actor; requestId: string; lang: Language; wait: boolean },
): Promise<{ run: JobRunView; finished: boolean }> {
  const job = runner.definition(request.name);
  if (!job) throw new DomainError('NOT_FOUND');
  const params = parseInput(job.params, request.body ?? {}, request.lang);
  const started = await runner.start(job, { params, trigger: 'manual', requestedBy: request.actor.id });
  if (!started) throw new DomainError('JOB_RUNNING');
  await recordAudit({
    actor: request.actor,
    action: 'job.run',
    entityType: 'job',
    entityId: job.name,
    after: { runId: String(started.run._id), params },
    requestId: request.requestId,
  });
  const run = request.wait ? await started.completion : started.run;
  return { run: toJobRunView(run), finished: run.status !== 'running' };
}

import { randomUUID } from 'node:crypto';
import { DomainError } from '../shared/errors.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import { JobLeaseModel } from './job.model.ts';
import { bilingual } from '../shared/i18n.ts';

export interface Lease {
  /** The run that held the lease before and never released it (its instance died), if any. */
  abandonedRunId: string | null;
}

/** Takes the job's lease if it is free or lapsed; null when another run holds it. */
export async function acquireLease(jobName: string, ownerId: string, runId: string, leaseMs: number): Promise<Lease | null> {
  const now = new Date();
  try {
    const previous = await JobLeaseModel.findOneAndUpdate(
      { _id: jobName, leaseUntil: { $lt: now } },
      { $set: { ownerId, runId, leaseUntil: new Date(now.getTime() + leaseMs) } },
      { upsert: true, returnDocument: 'before' },
    ).lean();
    return { abandonedRunId: previous?.runId ?? null };
  } catch (error) {
    // The upsert collided with the existing, still valid lease document.
    if (isDuplicateKeyError(error)) return null;
    throw error;
  }
}

/** Extends the lease; false when it was lost (taken over after a lapse), so the run must stop. */
export async function renewLease(jobName: string, runId: string, leaseMs: number): Promise<boolean> {
  const result = await JobLeaseModel.updateOne({ _id: jobName, runId }, { $set: { leaseUntil: new Date(Date.now() + leaseMs) } });
  return result.matchedCount === 1;
}

export async function releaseLease(jobName: string, runId: string): Promise<void> {
  await JobLeaseModel.updateOne({ _id: jobName, runId }, { $set: { runId: null, leaseUntil: new Date(0) } });
}

/**
 * Runs `work` holding a job's lease, so it never overlaps a run of that job (settlement approval
 * against a settlement run); 409 JOB_RUNNING when a run holds it.
 */
export async function withJobLease<T>(jobName: string, holder: string, leaseMs: number, work: () => Promise<T>): Promise<T> {
  const holderId = `${holder}:${randomUUID()}`;
  if (!(await acquireLease(jobName, holder, holderId, leaseMs))) {
    throw new DomainError('JOB_RUNNING', [{ path: jobName, message: bilingual('该任务正在运行，请等它结束后再试', 'a run of this job is in progress; try again when it has finished') }]);
  }
  try {
    return await work();
  } finally {
    await releaseLease(jobName, holderId);
  }
}

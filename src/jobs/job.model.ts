import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const JOB_RUN_STATUSES = ['running', 'succeeded', 'failed', 'skipped', 'abandoned'] as const;
export type JobRunStatus = (typeof JOB_RUN_STATUSES)[number];

// One document per run. The unique (name, tickKey) is what makes a cron tick run once when several
// instances share the database: each inserts the run for the tick, and only one insert succeeds.
const jobRunSchema = new Schema(
  {
    name: { type: String, required: true },
    tickKey: { type: String, required: true },
    trigger: { type: String, enum: ['schedule', 'manual', 'catch-up'], required: true },
    params: { type: Schema.Types.Mixed, default: {} },
    status: { type: String, enum: JOB_RUN_STATUSES, required: true },
    ownerId: { type: String, required: true },
    requestedBy: { type: String, default: null },
    startedAt: { type: Date, required: true },
    heartbeatAt: { type: Date, required: true },
    endedAt: { type: Date, default: null },
    counts: { type: Schema.Types.Mixed, default: {} },
    error: { type: String, default: null },
  },
  { collection: 'job_runs', versionKey: false, minimize: false },
);
jobRunSchema.index({ name: 1, tickKey: 1 }, { unique: true });
jobRunSchema.index({ name: 1, startedAt: -1 });
jobRunSchema.index({ startedAt: -1 });
jobRunSchema.index({ name: 1, _id: 1 });

export type JobRunDoc = InferSchemaType<typeof jobRunSchema> & { _id: mongoose.Types.ObjectId };
export const JobRunModel = mongoose.model('JobRun', jobRunSchema);

// One document per job name: who runs it now and until when the lease holds. A run renews the
// lease with heartbeats; a lease that lapsed (its instance died) may be taken over.
const jobLeaseSchema = new Schema(
  {
    _id: { type: String, required: true },
    ownerId: { type: String, required: true },
    runId: { type: String, default: null },
    leaseUntil: { type: Date, required: true },
  },
  { collection: 'job_leases', versionKey: false },
);

export const JobLeaseModel = mongoose.model('JobLease', jobLeaseSchema);

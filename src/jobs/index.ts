export { JobRunner, type StartedRun, type RunRequest } from './job-runner.ts';
export { Scheduler } from './scheduler.ts';
export { jobsRouter } from './jobs.routes.ts';
export { jobRunsPurgeJob } from './jobs.jobs.ts';
export { withJobLease } from './job-lease.ts';

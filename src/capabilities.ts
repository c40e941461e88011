import type { Router } from 'express';
import { auditRouter, auditVerifyJob } from './audit/index.ts';
import { identityRouter, sessionsPurgeJob } from './identity/index.ts';
import { jobRunsPurgeJob, jobsRouter } from './jobs/index.ts';
import { organisationRouter } from './organisation/index.ts';
import { seniorsRouter } from './seniors/index.ts';
import type { JobDefinition } from './shared/job-definition.ts';
import { systemRouter } from './system/system.routes.ts';
import { voucherPolicyRouter } from './vouchers/policy.routes.ts';

// The composition root: every capability's routes and jobs, listed once. Importing this module
// also registers all routes in the OpenAPI registry, which is how `npm run openapi` works without
// a database.

export const routers: Router[] = [systemRouter, identityRouter, auditRouter, jobsRouter, organisationRouter, seniorsRouter, voucherPolicyRouter];

export const jobs: JobDefinition[] = [auditVerifyJob, jobRunsPurgeJob, sessionsPurgeJob] as JobDefinition[];

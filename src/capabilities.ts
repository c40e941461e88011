import type { Router } from 'express';
import { auditRouter, auditVerifyJob } from './audit/index.ts';
import { carePlanGenerationJob, carePlansRouter, registerCarePlanSeniorHooks } from './care-plans/index.ts';
import { alertsRouter, offerSweeperJob, orderCountsRepairJob, ordersRouter, registerDispatchSeniorHooks, registerVisitQuestionHooks, visitQuestionsJob, visitRemindersJob } from './dispatch/index.ts';
import { identityRouter, sessionsPurgeJob } from './identity/index.ts';
import { lifeEventsRouter } from './life-events/index.ts';
import { jobRunsPurgeJob, jobsRouter } from './jobs/index.ts';
import { lettersRouter, monthlyLettersJob } from './letters/index.ts';
import { notificationsDeliverJob, notificationsRouter, smsQuestionsExpireJob } from './notifications/index.ts';
import { organisationRouter } from './organisation/index.ts';
import { piiRetentionJob, reassessmentRemindersJob, seniorConsequencesJob, seniorsRouter } from './seniors/index.ts';
import { piiRekeyJob, privacyRouter, registerPrivacyEraseHooks } from './privacy/index.ts';
import { serviceRecordsRouter } from './service-records/index.ts';
import { budgetRunRateJob, reportsRouter } from './reports/index.ts';
import { registerSampleCheckReplyHook, registerSettlementHooks, settlementJob, settlementRouter, paymentRouter } from './settlement/index.ts';
import type { JobDefinition } from './shared/job-definition.ts';
import { systemRouter } from './system/system.routes.ts';
import { registerVoucherHooks, voucherExpiryJob, voucherIssuanceJob, voucherPolicyRouter, voucherReconciliationJob, vouchersRouter } from './vouchers/index.ts';

// The composition root: every capability's routes and jobs, listed once. Importing this module
// also registers all routes in the OpenAPI registry, which is how `npm run openapi` works without
// a database.

export const routers: Router[] = [systemRouter, identityRouter, auditRouter, jobsRouter, organisationRouter, seniorsRouter, privacyRouter, voucherPolicyRouter, vouchersRouter, notificationsRouter, ordersRouter, alertsRouter, carePlansRouter, serviceRecordsRouter, lifeEventsRouter, settlementRouter, paymentRouter, reportsRouter, lettersRouter];

export const jobs: JobDefinition[] = [
  auditVerifyJob, jobRunsPurgeJob, sessionsPurgeJob, voucherIssuanceJob, voucherExpiryJob, voucherReconciliationJob, offerSweeperJob, orderCountsRepairJob,
  notificationsDeliverJob, smsQuestionsExpireJob, visitQuestionsJob, carePlanGenerationJob, visitRemindersJob, settlementJob, seniorConsequencesJob, reassessmentRemindersJob, monthlyLettersJob,
  piiRetentionJob, piiRekeyJob, budgetRunRateJob,
] as JobDefinition[];

// Capabilities that follow another's lifecycle register their hooks here, once, at composition.
// Order matters at deactivation: orders are closed and their holds released before the vouchers'
// hook lapses what is then available (hooks run in the order they are registered).
registerDispatchSeniorHooks();
registerCarePlanSeniorHooks();
registerVoucherHooks();
registerSettlementHooks();
// A senior's answer to an SMS question about a visit: settlement's sample check first (done by the
// reply, and the dispute a "2" opens recorded on it), then dispatch (confirms or disputes the visit).
registerSampleCheckReplyHook();
registerVisitQuestionHooks();
// The retention job's erase reaches the outbox's phones of the senior and their contacts.
registerPrivacyEraseHooks();

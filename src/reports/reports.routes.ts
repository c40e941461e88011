import { createRouteGroup } from '../shared/http/route.ts';
import { anomaliesReport } from './anomalies.service.ts';
import { reviewSuspectVisit } from './anomaly-reviews.service.ts';
import { overviewReport } from './overview.service.ts';
import { providersReport } from './providers.service.ts';
import { reportContext } from './report-context.ts';
import { anomaliesSchema, overviewSchema, providersReportSchema, reportQuery } from './reports.schemas.ts';
import { reviewBody, reviewResultSchema } from './suspect-visits.schemas.ts';

const { router, route } = createRouteGroup('/api/v1');
const tags = ['reports'];
// Street officers and community workers get the same reports over their own rows (ReportScope).
const READERS = ['admin', 'finance_officer', 'auditor', 'street_officer', 'community_staff'] as const;

route({
  method: 'get', path: '/reports/overview', summary: 'The month at a glance: seniors, orders, spend against the budget, late payments', tags,
  access: READERS, query: reportQuery,
  cost: 'report',
  success: { status: 200, schema: overviewSchema, description: 'The overview of the month within your scope' },
  handler: ({ query, actor, config }) => overviewReport(reportContext(query, actor, config)),
});

route({
  method: 'get', path: '/reports/providers', summary: 'Provider performance of the month', tags,
  access: READERS, query: reportQuery,
  cost: 'report',
  success: { status: 200, schema: providersReportSchema, description: 'Offers, acceptance, time to accept, punctuality, ratings, complaints and flags per provider' },
  handler: ({ query, actor, config }) => providersReport(reportContext(query, actor, config)),
});

route({
  method: 'get', path: '/reports/anomalies', summary: 'What an inspector should look at in the month', tags,
  access: READERS, query: reportQuery,
  cost: 'report',
  success: { status: 200, schema: anomaliesSchema, description: 'Flagged visits, caregiver overlaps, services to inactive seniors, flag-rate outliers, late payments, suspect visits with their reasons, scores and reviews' },
  handler: ({ query, actor, config }) => anomaliesReport(reportContext(query, actor, config)),
});

// The auditor reads the reviews in the report but does not make them; community workers neither.
route({
  method: 'post', path: '/reports/anomalies/reviews', summary: 'Review a suspect visit: fine, or open a dispute on the order (audited)', tags,
  access: ['admin', 'finance_officer', 'street_officer'], body: reviewBody,
  errors: ['INVALID_TRANSITION'],
  success: {
    status: 200, schema: reviewResultSchema,
    description: 'The review stored (one per order, a later one replaces it). dispute opens a dispute on the order (completed, confirmed or settled; otherwise 409 and nothing is stored); an order outside the caller\'s scope is 404',
  },
  handler: ({ body, actor, config, requestId }) => reviewSuspectVisit(body, { actor, config, requestId }),
});

export const reportsRouter = router;

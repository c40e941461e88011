import { createRouteGroup } from '../shared/http/route.ts';
import type { JobRunner } from './job-runner.ts';
import { jobListSchema, jobNameParams, jobRunsPageSchema, jobRunsQuery, runJobAnswer, runJobBody, runJobQuery } from './jobs.schemas.ts';
import { listJobRuns, listJobs, runJobOnDemand } from './jobs.service.ts';

const { router, route } = createRouteGroup('/api/v1');

const runnerOf = (locals: Record<string, unknown>) => locals.jobRunner as JobRunner;

route({
  method: 'get',
  path: '/jobs',
  summary: 'Registered jobs with their schedules and last runs',
  tags: ['jobs'],
  access: ['admin'],
  success: { status: 200, schema: jobListSchema, description: 'Jobs' },
  handler: (_input, req) => listJobs(runnerOf(req.app.locals)),
});

route({
  method: 'get',
  path: '/jobs/runs',
  summary: 'Job runs, newest first',
  tags: ['jobs'],
  access: ['admin'],
  query: jobRunsQuery,
  success: { status: 200, schema: jobRunsPageSchema, description: 'A page of job runs' },
  handler: ({ query }) => listJobRuns(query),
});

route({
  method: 'post',
  path: '/jobs/:name/run',
  summary: 'Run a job now (body: that job\'s parameters)',
  tags: ['jobs'],
  access: ['admin'],
  params: jobNameParams,
  query: runJobQuery,
  body: runJobBody,
  errors: ['JOB_RUNNING'],
  success: { status: 202, alsoStatus: 200, schema: runJobAnswer, description: 'The run was started (with ?wait=true: it has ended, 200)' },
  handler: async ({ params, query, body, actor, requestId, lang }, req, res) => {
    const answer = await runJobOnDemand(runnerOf(req.app.locals), { name: params.name, body, actor, requestId, lang, wait: query.wait });
    if (answer.finished) res.locals.successStatus = 200;
    return answer;
  },
});

export const jobsRouter = router;

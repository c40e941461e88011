import { z } from 'zod';
import { pingDatabase } from '../db/connection.ts';
import { DomainError } from '../shared/errors.ts';
import { createRouteGroup } from '../shared/http/route.ts';
import { metricsRegistry } from '../shared/metrics.ts';
import { bilingual } from '../shared/i18n.ts';

const { router, route } = createRouteGroup('');

route({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness: the process answers',
  tags: ['system'],
  access: 'public',
  success: { status: 200, schema: z.object({ status: z.literal('ok') }), description: 'Alive' },
  handler: () => ({ status: 'ok' as const }),
});

route({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: the database answers a ping',
  tags: ['system'],
  access: 'public',
  errors: ['SERVICE_UNAVAILABLE'],
  success: { status: 200, schema: z.object({ status: z.literal('ready'), database: z.literal('up') }), description: 'Ready' },
  handler: async () => {
    if (!(await pingDatabase())) throw new DomainError('SERVICE_UNAVAILABLE', [{ path: 'database', message: bilingual('数据库无响应', 'database ping failed') }]);
    return { status: 'ready' as const, database: 'up' as const };
  },
});

route({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics: request counts and latencies by route, job runs',
  tags: ['system'],
  access: 'public',
  success: { status: 200, schema: z.string(), description: 'Prometheus text format', contentType: 'text/plain' },
  handler: async (_input, _req, res) => {
    res.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  },
});

export const systemRouter = router;

import { z } from 'zod';
import { probeDatabase } from '../db/connection.ts';
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
  summary: 'Readiness: the database answers a read by key within READY_MAX_QUERY_MS',
  tags: ['system'],
  access: 'public',
  errors: ['SERVICE_UNAVAILABLE'],
  success: { status: 200, schema: z.object({ status: z.literal('ready'), database: z.literal('up'), queryMs: z.number().openapi({ description: 'how long the probe read took' }) }), description: 'Ready' },
  handler: async ({ config }) => {
    // A little beyond the bound, so a slow answer is told apart from none.
    const queryMs = await probeDatabase(config.readyMaxQueryMs + 5_000);
    if (queryMs === null) throw new DomainError('SERVICE_UNAVAILABLE', [{ path: 'database', message: bilingual('数据库无响应', 'the database does not answer') }]);
    if (queryMs > config.readyMaxQueryMs) {
      throw new DomainError('SERVICE_UNAVAILABLE', [{ path: 'database', message: bilingual(`数据库响应过慢（${Math.round(queryMs)} 毫秒）`, `the database answers too slowly (${Math.round(queryMs)} ms)`) }]);
    }
    return { status: 'ready' as const, database: 'up' as const, queryMs: Math.round(queryMs * 10) / 10 };
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

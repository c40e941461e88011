import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { routers } from './capabilities.ts';
import type { Config } from './config/env.ts';
import { resolveActor } from './identity/index.ts';
import type { JobRunner } from './jobs/index.ts';
import { serveConsole } from './shared/http/console-static.ts';
import { errorHandler, notFoundHandler } from './shared/http/error-handler.ts';
import { rateLimitPerIp } from './shared/http/rate-limit.ts';
import { logger, requestContext } from './shared/logger.ts';
import { httpRequestDurationSeconds, httpRequestsTotal } from './shared/metrics.ts';
import { setReadTimeLimitMs } from './shared/http/pagination.ts';
import { setImportMaxRows } from './shared/sheets/sheet-rows.ts';
import { buildOpenApiDocument } from './shared/openapi/registry.ts';
import type { Actor } from './shared/roles.ts';
import { useAuditKey } from './audit/index.ts';

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
    actor?: Actor;
  }
}

export interface AppDependencies {
  config: Config;
  jobRunner: JobRunner;
  /** The built web console (default web/dist); tests point it at a folder of their own. */
  consoleDir?: string;
}

/** Builds the Express app; tests import it, server.ts listens. No I/O here. */
export function createApp({ config, jobRunner, consoleDir }: AppDependencies): express.Express {
  const app = express();
  app.locals.config = config;
  app.locals.jobRunner = jobRunner;
  app.locals.resolveActor = resolveActor;
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  setReadTimeLimitMs(config.readTimeLimitMs);
  setImportMaxRows(config.importMaxRows);
  useAuditKey(config.auditKey);

  app.use(assignRequestId);
  app.use(pinoHttp({
    logger,
    genReqId: (req) => (req as Request).requestId,
    // The path only: query strings may carry an ID number (GET /seniors?q=…), bodies are never logged.
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
  }));
  app.use(recordMetrics);

  const openApiDocument = buildOpenApiDocument();
  app.get('/api/v1/openapi.json', (_req, res) => { res.json(openApiDocument); });
  // Swagger UI's own assets come from the package (works offline); only this page gets a CSP
  // that allows the inline styles and data: images the UI needs.
  app.use('/docs', helmet({
    contentSecurityPolicy: { directives: { 'script-src': ["'self'"], 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] } },
  }), swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/api/v1/openapi.json' }, customSiteTitle: 'Starlight Care API' }));

  app.use(helmet());
  app.use(express.json({ limit: config.jsonBodyLimitBytes, strict: true, type: ['application/json', 'application/*+json'] }));

  // Every API answer may carry personal data or money: no browser, proxy or shared cache keeps it.
  app.use('/api', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use('/api/v1/auth', rateLimitPerIp({ windowMs: 60_000, max: config.authRateLimitPerMinute }));
  for (const router of routers) app.use(router);
  app.use(serveConsole(consoleDir));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

function assignRequestId(req: Request, res: Response, next: NextFunction): void {
  const offered = req.headers['x-request-id'];
  req.requestId = typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : randomUUID();
  res.setHeader('X-Request-Id', req.requestId);
  requestContext.run({ requestId: req.requestId }, next);
}

function recordMetrics(req: Request, res: Response, next: NextFunction): void {
  const stop = httpRequestDurationSeconds.startTimer();
  res.on('finish', () => {
    // The route pattern, not the URL, keeps label cardinality bounded.
    const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
    stop({ method: req.method, route });
    httpRequestsTotal.inc({ method: req.method, route, status: String(res.statusCode) });
  });
  next();
}

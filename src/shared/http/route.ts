import { rm } from 'node:fs/promises';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import os from 'node:os';
import { z } from 'zod';
import type { Config } from '../../config/env.ts';
import { DomainError, ERROR_STATUS, type ErrorCode } from '../errors.ts';
import { languageOf, type Language } from '../i18n.ts';
import { errorResponseSchema, openApiRegistry } from '../openapi/registry.ts';
import type { Actor, Role } from '../roles.ts';
import { bearerTokenOf, verifyAccessToken, type ActorResolver, type TokenActor } from './auth.ts';
import { clientGone, takeSlot, type RouteCost } from './concurrency.ts';
import { parseInput } from './validate.ts';
import { bilingual } from '../i18n.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type AnyObject = z.ZodObject;

/** What a handler receives: validated input, the caller, and the request's surroundings. */
export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  actor: Actor;
  requestId: string;
  lang: Language;
  config: Config;
  /** Aborted when the client goes away before its answer is complete: long work stops between steps. */
  signal: AbortSignal;
}

interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, R extends z.ZodType> {
  method: Method;
  /** Express-style path relative to the group's base, e.g. '/jobs/:name/run'. */
  path: string;
  summary: string;
  tags: string[];
  /** The one line of authorisation every route declares: 'public', 'any-user', or the roles allowed. */
  access: 'public' | 'any-user' | readonly Role[];
  /**
   * For a public route called by another system (a provider's webhook): checks the request's
   * signature or shared secret before anything is parsed, throwing UNAUTHENTICATED (401) if wrong.
   */
  verify?: (req: Request, config: Config) => void;
  params?: P;
  query?: Q;
  body?: B;
  /** Status and schema of the success answer; the schema also whitelists what leaves the service. */
  success: {
    status: 200 | 201 | 202 | 204; schema?: R; description: string; contentType?: string; alsoStatus?: 200 | 201;
    /** Content types of files the handler writes to the response itself (documented as binary). */
    files?: string[];
  };
  /**
   * A multipart upload of one file in this field, saved to a temp file (never held in memory);
   * the handler finds it as `req.file` and must delete it.
   */
  upload?: { field: string; maxBytes: number; description: string };
  /** Domain error codes this route can answer besides the common ones, for the document. */
  errors?: ErrorCode[];
  /** Expensive work, limited per user and per instance (concurrency.ts): past the limit 429. */
  cost?: RouteCost;
  handler: (input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>, req: Request, res: Response) => Promise<z.input<R> | void> | z.input<R> | void;
}

const emptyObject = z.object({}).strict();

/**
 * Handlers still running, whether or not their client is still there. A client that gives up
 * closes its socket, so the HTTP server counts as closed while the handler is still reading; the
 * stop waits for these before it closes the database (server.ts), or they end in 500s.
 */
const runningHandlers = new Set<Promise<unknown>>();

/** Resolves when every handler running now has finished, or after `timeoutMs`. */
export async function handlersFinished(timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); });
  await Promise.race([Promise.allSettled([...runningHandlers]), timeout]);
  clearTimeout(timer);
}

/** A set of routes under one base path: the Express router plus OpenAPI registration. */
export function createRouteGroup(basePath: string) {
  const router = Router();

  function route<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, R extends z.ZodType>(spec: RouteSpec<P, Q, B, R>): void {
    registerInOpenApi(basePath, spec);
    const middleware: RequestHandler[] = spec.upload ? [receiveUpload(spec.upload)] : [];
    router[spec.method](basePath + spec.path, ...middleware, async (req: Request, res: Response) => {
      const running = handle(spec, req, res).finally(() => removeUpload(req));
      runningHandlers.add(running);
      try {
        await running;
      } finally {
        runningHandlers.delete(running);
      }
    });
  }

  return { router, route };
}

/** One request through a route: the caller, the validated input, the handler, the checked answer. */
async function handle<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, R extends z.ZodType>(spec: RouteSpec<P, Q, B, R>, req: Request, res: Response): Promise<void> {
  const config = req.app.locals.config as Config;
  const lang = languageOf(req.headers['accept-language']);
  // An expensive route's slot is taken on the token's word, before the user is read: a flood of
  // refused requests costs a signature check each, not a database read (an invalid token takes none).
  const tokenActor = spec.cost && spec.access !== 'public' ? verifyAccessToken(config, bearerTokenOf(req.headers.authorization)) : null;
  const release = spec.cost && tokenActor ? takeSlot(spec.cost, tokenActor.id) : () => undefined;
  try {
    const actor = await authorise(spec.access, req, config, tokenActor);
    spec.verify?.(req, config);
    await answer(spec, req, res, actor, lang, config);
  } finally {
    release();
  }
}

/** The uploaded temp file is gone once the request is over, whether or not its handler ran (a 403, a 429, a 400). */
async function removeUpload(req: Request): Promise<void> {
  if (req.file?.path) await rm(req.file.path, { force: true });
}

async function answer<P extends AnyObject, Q extends AnyObject, B extends z.ZodType, R extends z.ZodType>(spec: RouteSpec<P, Q, B, R>, req: Request, res: Response, actor: Actor | undefined, lang: Language, config: Config): Promise<void> {
  const params = parseInput(spec.params ?? emptyObject, req.params, lang);
  const query = parseInput(spec.query ?? emptyObject, req.query ?? {}, lang);
  const body = spec.body ? parseInput(spec.body, req.body, lang) : spec.upload ? undefined : rejectUnexpectedBody(req.body, lang);
  const input = { params, query, body, requestId: req.requestId, lang, config, signal: clientGone(res) } as RouteInput<z.output<P>, z.output<Q>, z.output<B>>;
  Object.defineProperty(input, 'actor', { get: () => actor ?? missingActor(spec.path), enumerable: true });
  const result = await spec.handler(input, req, res);
  if (res.headersSent) return;
  if (spec.success.status === 204 || !spec.success.schema) {
    res.status(spec.success.status).end();
    return;
  }
  // A handler may pick the documented alternative status (e.g. 200 instead of 202 when done).
  const status = (res.locals.successStatus as number | undefined) ?? spec.success.status;
  res.status(status).json(spec.success.schema.parse(result));
}

async function authorise(access: RouteSpec<AnyObject, AnyObject, z.ZodType, z.ZodType>['access'], req: Request, config: Config, verified: TokenActor | null): Promise<Actor | undefined> {
  if (access === 'public') return undefined;
  const resolveActor = req.app.locals.resolveActor as ActorResolver;
  const actor = await resolveActor(verified ?? verifyAccessToken(config, bearerTokenOf(req.headers.authorization)));
  req.actor = actor;
  if (access !== 'any-user' && !access.includes(actor.role)) throw new DomainError('FORBIDDEN');
  return actor;
}

// A public route that reads `actor` is a programming error: fail loudly instead of inventing a caller.
function missingActor(path: string): never {
  throw new Error(`public route ${path} has no actor`);
}

/**
 * multer saving the one file to a temp file. Busboy refuses a malformed form (no boundary, a broken
 * part header, a body that ends early) with a plain Error: that is the client's fault, a 400 on the
 * field. multer's own refusals keep their mapping (error-handler.ts); disk errors stay 500s.
 */
function receiveUpload(upload: NonNullable<RouteSpec<AnyObject, AnyObject, z.ZodType, z.ZodType>['upload']>): RequestHandler {
  // Browsers send a file's name as raw UTF-8 in the part header: read as latin1 (multer's default) a
  // Chinese name (死亡名单.xlsx) would reach the audit log and the stored source as mojibake.
  const receive = multer({ storage: multer.diskStorage({ destination: os.tmpdir() }), limits: { fileSize: upload.maxBytes, files: 1, fields: 10 }, defParamCharset: 'utf8' }).single(upload.field);
  return (req, res, next) => {
    receive(req, res, (error?: unknown) => {
      const isMalformedForm = error instanceof Error && error.name !== 'MulterError' && !('syscall' in error);
      if (!isMalformedForm) return next(error);
      next(new DomainError('VALIDATION_FAILED', [{ path: upload.field, message: bilingual('上传的表单不完整或格式不正确，请重新选择文件上传', `malformed multipart/form-data body: ${error.message}`) }]));
    });
  };
}

function rejectUnexpectedBody(body: unknown, lang: Language): undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'object' && Object.keys(body).length === 0) return undefined;
  parseInput(emptyObject, body, lang);
  return undefined;
}

const binaryFile = z.string().openapi({ type: 'string', format: 'binary' });

function registerInOpenApi(basePath: string, spec: RouteSpec<AnyObject, AnyObject, z.ZodType, z.ZodType>): void {
  const errorContent = { 'application/json': { schema: errorResponseSchema } };
  const codes = new Set<ErrorCode>(['VALIDATION_FAILED', 'NOT_FOUND', 'INTERNAL_ERROR', ...(spec.errors ?? [])]);
  if (spec.access !== 'public' || spec.verify) codes.add('UNAUTHENTICATED');
  if (Array.isArray(spec.access)) codes.add('FORBIDDEN');
  if (spec.body || spec.upload) codes.add('PAYLOAD_TOO_LARGE');
  if (spec.cost) codes.add('RATE_LIMITED');
  // Every read runs under the interactive time limit (shared/http/pagination.ts).
  if (spec.method === 'get') codes.add('QUERY_TIMEOUT');
  const errorResponses = Object.fromEntries(
    [...new Set([...codes].map((code) => ERROR_STATUS[code]))].map((status) => [status, { description: `Error (${[...codes].filter((c) => ERROR_STATUS[c] === status).join(', ')})`, content: errorContent }]),
  );
  const fileContent = Object.fromEntries((spec.success.files ?? []).map((type) => [type, { schema: binaryFile }]));
  const successContent = spec.success.schema || spec.success.files
    ? { ...(spec.success.schema ? { [spec.success.contentType ?? 'application/json']: { schema: spec.success.schema } } : {}), ...fileContent }
    : undefined;
  openApiRegistry.registerPath({
    method: spec.method,
    path: (basePath + spec.path).replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
    summary: spec.summary,
    tags: spec.tags,
    security: spec.access === 'public' ? [] : [{ bearerAuth: [] }],
    description: Array.isArray(spec.access) ? `Roles: ${spec.access.join(', ')}` : spec.access === 'any-user' ? 'Any signed-in user' : 'Public',
    request: {
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } }, required: true } } : {}),
      ...(spec.upload ? { body: { required: true, content: { 'multipart/form-data': { schema: z.object({ [spec.upload.field]: z.string().openapi({ type: 'string', format: 'binary', description: spec.upload.description }) }) } } } } : {}),
    },
    responses: {
      [spec.success.status]: { description: spec.success.description, ...(successContent ? { content: successContent } : {}) },
      ...(spec.success.alsoStatus ? { [spec.success.alsoStatus]: { description: spec.success.description, ...(successContent ? { content: successContent } : {}) } } : {}),
      ...errorResponses,
    },
  });
}

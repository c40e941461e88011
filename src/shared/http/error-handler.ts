import type { NextFunction, Request, Response } from 'express';
import { DomainError, ERROR_STATUS, isDomainError, type ErrorCode } from '../errors.ts';
import { ERROR_MESSAGES, bilingual, languageOf, localise } from '../i18n.ts';
import { logger } from '../logger.ts';
import { isQueryTimeout } from '../mongo-errors.ts';

/** The one place where errors become HTTP answers, always in the shape of API.md. */
export function errorHandler(error: unknown, req: Request, res: Response, _next: NextFunction): void {
  const domainError = toDomainError(error);
  const status = ERROR_STATUS[domainError.code];
  if (status >= 500) {
    // Logged once, with the request id from the context; the stack, never the request body.
    logger.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  // A refusal that says when to come back (rate and concurrency limits) says it in the header too.
  const retryAfter = domainError.meta?.retryAfterSeconds;
  if (typeof retryAfter === 'number' && !res.getHeader('Retry-After')) res.setHeader('Retry-After', String(retryAfter));
  res.status(status).json(errorBody(domainError, languageOf(req.headers['accept-language']), req.requestId));
}

export function errorBody(error: DomainError, lang: 'zh' | 'en', requestId: string) {
  return {
    error: {
      ...(error.meta ?? {}),
      code: error.code,
      message: error.messageOverride?.[lang] ?? ERROR_MESSAGES[error.code][lang],
      details: error.details.map((detail) => ({ ...detail, message: localise(detail.message, lang) })),
      requestId,
    },
  };
}

/** Errors thrown by body-parser and friends carry a `type`; map the ones clients can cause. */
function toDomainError(error: unknown): DomainError {
  if (isDomainError(error)) return error;
  // A read stopped at its time limit (shared/http/pagination.ts): the database is busy, not broken.
  if (isQueryTimeout(error)) return new DomainError('QUERY_TIMEOUT');
  if (error instanceof Error && error.name === 'MulterError') return uploadError((error as Error & { code: string; field?: string }).code, (error as { field?: string }).field);
  const type = (error as { type?: string } | null)?.type;
  const clientErrors: Record<string, ErrorCode> = {
    'entity.parse.failed': 'VALIDATION_FAILED',
    'entity.too.large': 'PAYLOAD_TOO_LARGE',
    'encoding.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
    'charset.unsupported': 'UNSUPPORTED_MEDIA_TYPE',
    'request.aborted': 'VALIDATION_FAILED',
    'entity.verify.failed': 'VALIDATION_FAILED',
  };
  const code = type ? clientErrors[type] : undefined;
  if (code === 'VALIDATION_FAILED' && type === 'entity.parse.failed') {
    return new DomainError(code, [{ path: '', message: bilingual('请求体不是合法的 JSON', 'Malformed JSON body') }], { zh: '请求体不是合法的 JSON', en: 'The request body is not valid JSON' });
  }
  if (code) return new DomainError(code);
  return new DomainError('INTERNAL_ERROR');
}

/** multer's refusals: a too-large file is 413, anything else about the form is a 400 on its field. */
function uploadError(code: string, field: string | undefined): DomainError {
  if (code === 'LIMIT_FILE_SIZE') return new DomainError('PAYLOAD_TOO_LARGE', [{ path: field ?? 'file', message: bilingual('文件过大', 'file too large') }]);
  return new DomainError('VALIDATION_FAILED', [{ path: field ?? 'file', message: code === 'LIMIT_UNEXPECTED_FILE' ? bilingual('不应上传此文件字段', 'unexpected file field') : bilingual('上传的表单不正确', code.toLowerCase()) }]);
}

export function notFoundHandler(_req: Request, _res: Response, next: NextFunction): void {
  next(new DomainError('NOT_FOUND'));
}

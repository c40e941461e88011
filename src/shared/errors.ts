/**
 * The one error type of the domain. Services throw it; shared/http/error-handler.ts is the only
 * place that turns a code into an HTTP status, and ERROR_STATUS below is a Record so that a new
 * code without a status does not compile.
 */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'UNAUTHENTICATED'
  | 'INVALID_CREDENTIALS'
  | 'TOKEN_REUSED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'DUPLICATE_SENIOR'
  | 'DUPLICATE'
  | 'INVALID_TRANSITION'
  | 'OFFER_NOT_ACTIVE'
  | 'ALREADY_SETTLED'
  | 'STATEMENT_LOCKED'
  | 'JOB_RUNNING'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'INSUFFICIENT_BALANCE'
  | 'CAP_EXCEEDED'
  | 'VISIT_CODE_MISMATCH'
  | 'VISIT_CODE_LOCKED'
  | 'NOT_ELIGIBLE'
  | 'SELF_APPROVAL'
  | 'RULE_VIOLATION'
  | 'RATE_LIMITED'
  | 'ACCOUNT_LOCKED'
  | 'INTERNAL_ERROR'
  | 'SERVICE_UNAVAILABLE'
  | 'QUERY_TIMEOUT';

export const ERROR_STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  TOKEN_REUSED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  DUPLICATE_SENIOR: 409,
  DUPLICATE: 409,
  INVALID_TRANSITION: 409,
  OFFER_NOT_ACTIVE: 409,
  ALREADY_SETTLED: 409,
  STATEMENT_LOCKED: 409,
  JOB_RUNNING: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INSUFFICIENT_BALANCE: 422,
  CAP_EXCEEDED: 422,
  VISIT_CODE_MISMATCH: 422,
  VISIT_CODE_LOCKED: 422,
  NOT_ELIGIBLE: 422,
  SELF_APPROVAL: 422,
  RULE_VIOLATION: 422,
  RATE_LIMITED: 429,
  ACCOUNT_LOCKED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  QUERY_TIMEOUT: 503,
};

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** One field (or the request as a whole, path '') at fault. */
export interface ErrorDetail {
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    /** Field-level problems, shown to the client as `details`. Never put PII in them. */
    readonly details: ErrorDetail[] = [],
    /** Overrides the catalogue message (both languages) when the situation needs more words. */
    readonly messageOverride?: { zh: string; en: string },
    /** Extra machine-readable facts for the client (e.g. the existing senior's id). */
    readonly meta?: Record<string, unknown>,
  ) {
    super(messageOverride?.en ?? code);
    this.name = 'DomainError';
  }
}

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;

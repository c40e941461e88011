import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Logger } from 'pino';

export type { Logger };

/** Carries the request id to every log line written while a request is handled. */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

// Belt and braces: code must never log ID numbers, phones, addresses or credentials, and these paths
// are censored even if someone does.
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.idNumber',
  '*.phone',
  '*.address',
  '*.accessToken',
  '*.refreshToken',
  '*.visitCode',
];

export const logger: Logger = pino({
  level: 'info',
  base: { service: 'starlight-care' },
  redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  mixin() {
    const store = requestContext.getStore();
    return store ? { requestId: store.requestId } : {};
  },
});

export function setLogLevel(level: string): void {
  logger.level = level;
}

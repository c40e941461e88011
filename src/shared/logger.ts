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

// Lines go to stdout, or — while a test captures them (captureLogs) — to the capture instead.
let capture: string[] | null = null;
const destination = {
  write(line: string): void {
    if (capture) capture.push(line);
    else process.stdout.write(line);
  },
};

export const logger: Logger = pino(
  {
    level: 'info',
    base: { service: 'starlight-care' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin() {
      const store = requestContext.getStore();
      return store ? { requestId: store.requestId } : {};
    },
  },
  destination,
);

/**
 * Test seam: every log line from now on, at `level`, is kept instead of written; `stop()` restores
 * the previous level and stdout. The PII leak scan reads what the service would have logged.
 */
export function captureLogs(level = 'trace'): { lines: string[]; stop: () => void } {
  const previousLevel = logger.level;
  const lines: string[] = [];
  capture = lines;
  logger.level = level;
  return {
    lines,
    stop: () => {
      capture = null;
      logger.level = previousLevel;
    },
  };
}

export function setLogLevel(level: string): void {
  logger.level = level;
}

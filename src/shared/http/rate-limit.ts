import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../errors.ts';

/**
 * A fixed-window request limit per client IP, kept in this instance's memory: it blunts password
 * spraying and floods against /auth. The per-username lockout (in the database, shared by all
 * instances) is the real guard on an account; this one only needs to be cheap.
 */
export function rateLimitPerIp(options: { windowMs: number; max: number }) {
  const hits = new Map<string, { windowStart: number; count: number }>();
  return (req: Request, res: Response, next: NextFunction): void => {
    const now = Date.now();
    const key = req.ip ?? 'unknown';
    let entry = hits.get(key);
    if (!entry || now - entry.windowStart >= options.windowMs) {
      entry = { windowStart: now, count: 0 };
      hits.set(key, entry);
      if (hits.size > 10_000) forgetExpired(hits, now, options.windowMs);
    }
    entry.count += 1;
    if (entry.count > options.max) {
      const retryAfterSeconds = Math.ceil((entry.windowStart + options.windowMs - now) / 1000);
      res.setHeader('Retry-After', String(retryAfterSeconds));
      next(new DomainError('RATE_LIMITED', [], undefined, { retryAfterSeconds }));
      return;
    }
    next();
  };
}

function forgetExpired(hits: Map<string, { windowStart: number }>, now: number, windowMs: number): void {
  for (const [key, entry] of hits) if (now - entry.windowStart >= windowMs) hits.delete(key);
}

import type { Response } from 'express';
import { DomainError } from '../errors.ts';
import { bilingual } from '../i18n.ts';

/**
 * How many requests of a kind may run at once, per user and in the whole instance. Expensive work
 * (an import reads and writes a file's every row; an export or a month's report reads a month) is
 * what one account could otherwise pile up until nothing else answers (issue 22: a 200,000-row
 * import kept the register and the audit log from answering for minutes). Past a limit the request
 * is refused at once — 429 RATE_LIMITED with Retry-After — rather than queued: a queue would hold
 * sockets and memory for work the client may already have given up on.
 */
export const ROUTE_COSTS = {
  // The instance totals are what two cores can give such work while a community worker's list still
  // answers within a second (npm run test:load: with 8 reports and 6 exports at once its p99 was 1.4 s).
  /** Sheet imports: one per user; two in the instance (each holds the single database writer for long). */
  import: { perUser: 1, total: 2, retryAfterSeconds: 30, zh: '已有一个导入正在进行，请等它完成后再上传' },
  /** File exports and printable documents. */
  export: { perUser: 1, total: 2, retryAfterSeconds: 10, zh: '正在生成的导出文件较多，请稍后再试' },
  /** Month-wide reports and the audit chain's verification. */
  report: { perUser: 2, total: 3, retryAfterSeconds: 10, zh: '正在生成的报表较多，请稍后再试' },
} as const;
export type RouteCost = keyof typeof ROUTE_COSTS;

const running = new Map<string, number>();

/**
 * Takes a slot of `cost` for the user until the response is finished or its client has gone —
 * and the handler has returned (the caller releases it then: `release`). Throws 429 when none is free.
 */
export function takeSlot(cost: RouteCost, userId: string): () => void {
  const limits = ROUTE_COSTS[cost];
  const [userKey, totalKey] = [`${cost}:${userId}`, `${cost}:*`];
  const [mine, all] = [running.get(userKey) ?? 0, running.get(totalKey) ?? 0];
  // A user's second slot (and beyond) only while it leaves one free for someone else: without it two
  // accounts hammering reports held all three slots between them, and a third account's report got
  // no answer but 429 for the whole of npm run test:load (0 of 6,185 requests). A first slot is
  // refused only when the instance is full.
  if (mine >= limits.perUser || all >= limits.total || (mine > 0 && all + 1 >= limits.total)) {
    throw new DomainError('RATE_LIMITED', [{ path: '', message: bilingual(limits.zh, `too many ${cost} requests at once; retry later`) }], undefined, { retryAfterSeconds: limits.retryAfterSeconds });
  }
  for (const key of [userKey, totalKey]) running.set(key, (running.get(key) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const key of [userKey, totalKey]) {
      const left = (running.get(key) ?? 1) - 1;
      if (left <= 0) running.delete(key);
      else running.set(key, left);
    }
  };
}

/** An AbortSignal that fires when the client goes away before its answer is complete. */
export function clientGone(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

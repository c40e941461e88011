import { logger } from '../shared/logger.ts';
import type { SeniorView } from './senior.view.ts';
import type { SeniorContext } from './seniors.context.ts';

/**
 * Extension points for other capabilities (vouchers credit the month at approval; dispatch cancels
 * open orders and vouchers release holds and expire the balance at deactivation). Hooks run after
 * the senior's own transition is stored; a hook that fails is logged and does not undo the
 * transition, so every hook must be idempotent and its capability must also catch up on its own
 * (a reconciliation or job) — the process may die between the transition and the hook anyway.
 */
export interface SeniorLifecycleEvent {
  senior: SeniorView;
  ctx: SeniorContext;
  /** For deactivation: the reported effective day. */
  effectiveDate?: string;
}

export type SeniorHookEvent = 'approved' | 'deactivated' | 'suspended' | 'resumed';
type Hook = (event: SeniorLifecycleEvent) => Promise<void>;

const hooks: Record<SeniorHookEvent, Hook[]> = { approved: [], deactivated: [], suspended: [], resumed: [] };

/** Registers a hook; the returned function removes it (tests use that). */
export function onSeniorLifecycle(event: SeniorHookEvent, hook: Hook): () => void {
  hooks[event].push(hook);
  return () => {
    hooks[event] = hooks[event].filter((registered) => registered !== hook);
  };
}

/** Runs the event's hooks in the order they were registered; answers whether every one succeeded. */
export async function runSeniorHooks(event: SeniorHookEvent, payload: SeniorLifecycleEvent): Promise<boolean> {
  let allDone = true;
  for (const hook of hooks[event]) {
    try {
      await hook(payload);
    } catch (error) {
      allDone = false;
      logger.error({ err: error, event, seniorId: payload.senior.id }, 'senior lifecycle hook failed');
    }
  }
  return allDone;
}

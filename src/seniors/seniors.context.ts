import type { Config } from '../config/env.ts';
import type { Language } from '../shared/i18n.ts';
import type { Actor } from '../shared/roles.ts';

/** What every senior operation needs to know about its call. */
export interface SeniorContext {
  actor: Actor;
  config: Config;
  requestId: string | null;
  lang: Language;
  /** The clock; tests pass their own. */
  now?: Date;
}

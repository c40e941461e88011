import type { Config } from '../../config/env.ts';
import type { Language } from '../i18n.ts';
import type { Actor } from '../roles.ts';

/** Who runs a sheet import and how: the caller, the configuration, the language of its answers. */
export interface SheetImportContext {
  actor: Actor;
  config: Config;
  requestId: string | null;
  lang: Language;
  now?: Date;
  /** Aborted when the uploader is gone: the import stops between its batches (what was written stays; a re-upload finds it). */
  signal?: AbortSignal;
}

import type { Model } from 'mongoose';
import { DomainError } from '../shared/errors.ts';
import type { Language } from '../shared/i18n.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import type { Actor } from '../shared/roles.ts';
import { findInScope, type ScopeRules } from '../shared/scope.ts';

/** Who writes and for which request: a person through the API, or 'system' for the demo seed. */
export interface WriteContext {
  actor: Actor | 'system';
  requestId: string | null;
  lang: Language;
}

export const SYSTEM_WRITE: WriteContext = { actor: 'system', requestId: null, lang: 'zh' };

/** A 400 naming the one field at fault, in the caller's language. */
export function invalidField(lang: Language, path: string, message: { zh: string; en: string }): DomainError {
  return new DomainError('VALIDATION_FAILED', [{ path, message: message[lang] }]);
}

/** Runs an insert or update and turns a unique-index refusal into 409 DUPLICATE naming the field. */
export async function refusingDuplicates<T>(lang: Language, path: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    throw new DomainError('DUPLICATE', [{ path, message: lang === 'zh' ? '该值已被使用' : 'This value is already in use' }]);
  }
}

export const isObjectIdHex = (value: string) => /^[0-9a-f]{24}$/.test(value);

/**
 * shared/scope.ts's findInScope for this capability's models: its `Model<T>` parameter expects the
 * default `__v` version key, which these schemas turn off, so the model is passed through a cast.
 */
export async function findDocInScope<D>(model: unknown, id: string, rules: ScopeRules, actor: Actor): Promise<D> {
  return (await findInScope(model as Model<D>, id, rules, actor)) as D;
}

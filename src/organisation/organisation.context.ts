import { DomainError } from '../shared/errors.ts';
import type { Language } from '../shared/i18n.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import type { Actor } from '../shared/roles.ts';

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

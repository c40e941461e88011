import { DomainError } from '../errors.ts';

/** A problem with an uploaded sheet as a whole (not one row): 400 naming `file`. */
export function sheetFileError(zh: string, en: string): DomainError {
  return new DomainError('VALIDATION_FAILED', [{ path: 'file', message: en }], { zh, en });
}

/** E11000: a unique index refused the write. The usual signal that another writer was first. */
export function isDuplicateKeyError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: number; message?: string };
  // FerretDB 1.24 reports a unique-index refusal inside findAndModify as code 1 with SQLite's
  // message instead of E11000 (found by the fuzz: a caregiver PATCH to a taken phone answered 500).
  return code === 11000 || (code === 1 && typeof message === 'string' && message.includes('UNIQUE constraint failed'));
}

/** Code 50: the engine stopped a read at its maxTimeMS (MongoDB and FerretDB alike). */
export function isQueryTimeout(error: unknown): boolean {
  const { code, codeName } = (error ?? {}) as { code?: number; codeName?: string };
  return code === 50 || codeName === 'MaxTimeMSExpired';
}

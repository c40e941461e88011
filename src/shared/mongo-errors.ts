/** E11000: a unique index refused the write. The usual signal that another writer was first. */
export function isDuplicateKeyError(error: unknown): boolean {
  return (error as { code?: number } | null)?.code === 11000;
}

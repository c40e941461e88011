/**
 * insertMany, unordered, for documents keyed by `_id`: every document whose key is free is
 * written; those whose key exists already come back in `taken` (any other error is thrown). The
 * batch jobs use it where one insert per document cost a round trip each.
 */
export async function insertDocs<T extends { _id: string }>(collection: { insertMany(docs: never[], options: { ordered: boolean }): Promise<unknown> }, docs: T[]): Promise<{ taken: T[] }> {
  if (docs.length === 0) return { taken: [] };
  try {
    await collection.insertMany(docs as never[], { ordered: false });
    return { taken: [] };
  } catch (error) {
    const raw = (error as { writeErrors?: WriteError[] | WriteError }).writeErrors;
    const writeErrors = Array.isArray(raw) ? raw : raw ? [raw] : [];
    if (writeErrors.length === 0 || writeErrors.some((writeError) => (writeError.code ?? writeError.err?.code) !== 11000)) throw error;
    return { taken: writeErrors.map((writeError) => docs[writeError.index] as T) };
  }
}

interface WriteError {
  index: number;
  code?: number;
  err?: { code?: number };
}

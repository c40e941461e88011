import { createHash } from 'node:crypto';
import { byKeys } from '../shared/by-keys.ts';
import { CHUNK_BYTES, LetterChunkModel, LetterMonthModel, LetterSetModel } from './letters.model.ts';

export const letterSetKey = (month: string, communityId: string) => `${month}:${communityId}`;

/**
 * Writes the PDF's pieces under their keys (a rerun overwrites a half-written file piece by
 * piece) and the set's record, not yet completed. Pieces beyond a shorter new file are left
 * unread: the record says how many there are.
 */
export async function storeLetterPdf(month: string, communityId: string, pdf: Buffer, pages: number, runId: string | null): Promise<void> {
  const key = letterSetKey(month, communityId);
  const chunkCount = Math.max(1, Math.ceil(pdf.length / CHUNK_BYTES));
  for (let n = 0; n < chunkCount; n += 1) {
    await LetterChunkModel.updateOne({ _id: `${key}:${n}` }, { $set: { data: pdf.subarray(n * CHUNK_BYTES, (n + 1) * CHUNK_BYTES) } }, { upsert: true });
  }
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  await LetterSetModel.updateOne(
    { _id: key },
    { $set: { month, communityId, pages, bytes: pdf.length, sha256, chunkCount, smsEnqueued: 0, runId, completedAt: null } },
    { upsert: true },
  );
}

/** The last step of a community: from here on a rerun skips it. */
export async function completeLetterSet(month: string, communityId: string, smsEnqueued: number, now: Date): Promise<void> {
  await LetterSetModel.updateOne({ _id: letterSetKey(month, communityId) }, { $set: { smsEnqueued, completedAt: now } });
}

/** The communities whose letters of `month` are complete (one read by the month's index). */
export async function completedCommunities(month: string): Promise<Set<string>> {
  const sets = await LetterSetModel.find({ month }, { communityId: 1, completedAt: 1 }).lean();
  return new Set(sets.filter((set) => set.completedAt).map((set) => set.communityId));
}

/** The stored PDF of a completed set, checked against its digest; null when there is none (yet). */
export async function storedLetterPdf(month: string, communityId: string): Promise<{ pdf: Buffer; pages: number } | null> {
  const key = letterSetKey(month, communityId);
  const set = await LetterSetModel.findById(key).lean();
  if (!set?.completedAt) return null;
  const ids = Array.from({ length: set.chunkCount }, (_, n) => `${key}:${n}`);
  const chunks = await LetterChunkModel.find({ _id: { $in: ids } }).setOptions(byKeys(ids.length)).lean();
  const byId = new Map(chunks.map((chunk) => [String(chunk._id), bytesOf(chunk.data)]));
  if (ids.some((id) => !byId.has(id))) return null;
  const pdf = Buffer.concat(ids.map((id) => byId.get(id) as Buffer));
  if (createHash('sha256').update(pdf).digest('hex') !== set.sha256) return null;
  return { pdf, pages: set.pages };
}

export async function markLetterMonthDone(month: string, communities: number, now: Date): Promise<void> {
  await LetterMonthModel.updateOne({ _id: month }, { $set: { communities, completedAt: now } }, { upsert: true });
}

export async function isLetterMonthDone(month: string): Promise<boolean> {
  return Boolean(await LetterMonthModel.findById(month, { _id: 1 }).lean());
}

/** A lean read gives BSON Binary (its bytes in `buffer`) where the schema says Buffer. */
function bytesOf(data: unknown): Buffer {
  const bytes = data instanceof Uint8Array ? data : (data as { buffer: Uint8Array }).buffer;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

import type { Model } from 'mongoose';
import { isOnOlderKey, piiKeyVersionOf, reencryptPii, type PiiKeys } from './pii.ts';

/**
 * A collection holding encrypted PII, as its capability declares it for the pii-rekey job:
 * `fields` are paths of encrypted strings, `*` standing for every element of an array
 * (`emergencyContacts.*.phoneEncrypted`).
 */
export interface PiiCollection {
  name: string;
  // Each capability's own model; the job only reads the declared fields and sets them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  model: Model<any>;
  fields: string[];
}

export interface RekeyBatch { lastId: unknown; scanned: number; rekeyed: number; unreadable: number; changedMeanwhile: number }

const RETRIES = 3;

/**
 * Re-encrypts to the newest key the documents after `afterId` (in `_id` order, `batchSize` of
 * them). Each document is one update conditional on every value it replaces, and does not touch
 * `updatedAt` (edits stay conditional on what people read): a value edited meanwhile was written
 * with the newest key already, so the document is read again and only what is still old is
 * replaced. Values under a key no longer configured are counted, not guessed at.
 */
export async function rekeyBatch(collection: PiiCollection, keys: PiiKeys, afterId: unknown, batchSize: number): Promise<RekeyBatch> {
  const projection = Object.fromEntries([...new Set(collection.fields.map((field) => field.split('.')[0] as string))].map((top) => [top, 1]));
  const filter = afterId === null || afterId === undefined ? {} : { _id: { $gt: afterId } };
  const docs = await collection.model.find(filter, projection).sort({ _id: 1 }).limit(batchSize).lean<Record<string, unknown>[]>();
  const result: RekeyBatch = { lastId: docs.at(-1)?._id ?? null, scanned: docs.length, rekeyed: 0, unreadable: 0, changedMeanwhile: 0 };
  for (const doc of docs) {
    let current: Record<string, unknown> | null = doc;
    for (let attempt = 0; current && attempt < RETRIES; attempt += 1) {
      const outcome = await rekeyDocument(collection, keys, current);
      result.unreadable += outcome.unreadable;
      if (outcome.done) {
        if (outcome.rekeyed) result.rekeyed += 1;
        break;
      }
      result.changedMeanwhile += 1;
      current = await collection.model.findById(doc._id, projection).lean<Record<string, unknown>>();
    }
  }
  return result;
}

async function rekeyDocument(collection: PiiCollection, keys: PiiKeys, doc: Record<string, unknown>): Promise<{ done: boolean; rekeyed: boolean; unreadable: number }> {
  const filter: Record<string, unknown> = { _id: doc._id };
  const set: Record<string, string> = {};
  let unreadable = 0;
  for (const field of collection.fields) {
    for (const [path, value] of valuesAt(doc, field.split('.'), [])) {
      if (typeof value !== 'string' || piiKeyVersionOf(value) === null || !isOnOlderKey(keys, value)) continue;
      try {
        set[path] = reencryptPii(keys, value);
        filter[path] = value;
      } catch {
        unreadable += 1;
      }
    }
  }
  if (Object.keys(set).length === 0) return { done: true, rekeyed: false, unreadable };
  const updated = await collection.model.updateOne(filter, { $set: set }, { timestamps: false });
  return { done: updated.matchedCount === 1, rekeyed: updated.matchedCount === 1, unreadable };
}

/** The concrete paths (array indexes spelled out) and values a field path with `*` names in a document. */
function valuesAt(value: unknown, parts: string[], prefix: string[]): [string, unknown][] {
  if (parts.length === 0) return [[prefix.join('.'), value]];
  const [head, ...rest] = parts as [string, ...string[]];
  if (head === '*') return Array.isArray(value) ? value.flatMap((item, index) => valuesAt(item, rest, [...prefix, String(index)])) : [];
  if (value === null || typeof value !== 'object') return [];
  return valuesAt((value as Record<string, unknown>)[head], rest, [...prefix, head]);
}

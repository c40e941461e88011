import { randomUUID } from 'node:crypto';
import mongoose, { Schema, type Schema as SchemaType } from 'mongoose';

/**
 * A token that changes with every write to providers, contracts or caregivers, so dispatch can
 * keep the candidates of a community and service (three reads and a scan of the caregivers) and
 * check they are current with one read by `_id`. Every write through these models bumps it, in
 * whichever process makes it; a process that died between the write and the bump is covered by
 * the cache's age limit (dispatch-candidates.ts).
 */
// A fresh random token rather than a counter: a counter restarted by a wiped collection could
// meet an old cached number again.
const versionSchema = new Schema({ _id: { type: String, required: true }, token: { type: String, required: true } }, { collection: 'organisation_versions', versionKey: false });
const VersionModel = mongoose.model('OrganisationVersion', versionSchema);
const KEY = 'dispatch-candidates';

export async function candidateVersion(): Promise<string | null> {
  return (await VersionModel.findById(KEY).lean())?.token ?? null;
}

async function bump(): Promise<void> {
  await VersionModel.updateOne({ _id: KEY }, { $set: { token: randomUUID() } }, { upsert: true });
}

const WRITES = ['updateOne', 'updateMany', 'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete', 'replaceOne', 'deleteOne', 'deleteMany'] as const;

/** Registers the bump after every write the schema's model makes (documents, queries, bulk). */
export function bumpsCandidateVersion(schema: SchemaType): void {
  schema.post('save', bump);
  for (const write of WRITES) schema.post(write, bump);
  schema.post('insertMany', bump);
  // The project uses no bulkWrite (README "The database" 5); should one come, it bumps too.
  schema.post('bulkWrite', bump);
}

import mongoose, { Schema } from 'mongoose';

// A data fix that one database needs once (a field older documents lack), remembered by name: the
// start-up of a development instance runs it the first time and later starts read one document by
// key instead of scanning what it fixes again. Two instances starting together may both run it —
// the fixes are idempotent; the mark is written only after the fix finished, so a crash redoes it.
const doneSchema = new Schema({ _id: { type: String, required: true }, doneAt: { type: Date, required: true }, result: { type: Number, default: null } }, { collection: 'data_fixes_done', versionKey: false });
const DataFixDoneModel = mongoose.model('DataFixDone', doneSchema);

/** Runs `fix` unless a run of `name` finished before; answers its result, or null when skipped. */
export async function runDataFixOnce(name: string, fix: () => Promise<number>): Promise<number | null> {
  if (await DataFixDoneModel.exists({ _id: name })) return null;
  const result = await fix();
  await DataFixDoneModel.updateOne({ _id: name }, { $set: { doneAt: new Date(), result } }, { upsert: true });
  return result;
}

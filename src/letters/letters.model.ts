import mongoose, { Schema } from 'mongoose';

// A community's letters of a month, made by the monthly-letters job: `_id` = '<month>:<communityId>'.
// The document exists once the job has started on the community; `completedAt` is set last, after
// the PDF's chunks are written and the SMS enqueued, so a run that died before it redoes the
// community (every step is keyed) and a run after it skips the community.
const letterSetSchema = new Schema(
  {
    _id: { type: String, required: true },
    month: { type: String, required: true },
    communityId: { type: String, required: true },
    pages: { type: Number, required: true },
    bytes: { type: Number, required: true },
    sha256: { type: String, required: true },
    chunkCount: { type: Number, required: true },
    smsEnqueued: { type: Number, required: true },
    runId: { type: String, default: null },
    completedAt: { type: Date, default: null },
  },
  { collection: 'monthly_letters', versionKey: false, timestamps: { createdAt: true, updatedAt: true } },
);
letterSetSchema.index({ month: 1 });

export const LetterSetModel = mongoose.model('MonthlyLetterSet', letterSetSchema);

// The PDF's bytes in pieces of at most CHUNK_BYTES, `_id` = '<month>:<communityId>:<n>': both
// engines cap a document at 16 MB, and a community's PDF (a few hundred kB for a few hundred
// seniors, README) would pass that only at tens of thousands of seniors, so the cap is never a
// question; writing a piece again under its key is how a rerun replaces a half-written file.
const letterChunkSchema = new Schema(
  {
    _id: { type: String, required: true },
    data: { type: Buffer, required: true },
  },
  { collection: 'monthly_letter_chunks', versionKey: false },
);

export const LetterChunkModel = mongoose.model('MonthlyLetterChunk', letterChunkSchema);
export const CHUNK_BYTES = 4 * 1024 * 1024;

// A month whose every community is done (`_id` = the month): the start-up catch-up asks it.
const letterMonthSchema = new Schema(
  {
    _id: { type: String, required: true },
    communities: { type: Number, required: true },
    completedAt: { type: Date, required: true },
  },
  { collection: 'monthly_letter_months', versionKey: false },
);

export const LetterMonthModel = mongoose.model('MonthlyLetterMonth', letterMonthSchema);

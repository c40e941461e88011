import mongoose, { Schema, type InferSchemaType } from 'mongoose';

// Append-only: nothing in the code updates or deletes an entry. The link number is the `_id`, as a
// zero-padded string (auditEntryId): unique, so two writers cannot take the same link, and a string
// `_id` is the one key the embedded FerretDB finds without scanning the collection.
const auditEntrySchema = new Schema(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true, unique: true },
    at: { type: Date, required: true },
    actorId: { type: String, required: true, index: true },
    actorRole: { type: String, required: true },
    action: { type: String, required: true },
    entityType: { type: String, required: true, index: true },
    entityId: { type: String, required: true },
    before: { type: Schema.Types.Mixed, default: null },
    after: { type: Schema.Types.Mixed, default: null },
    requestId: { type: String, default: null },
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
    // The id of the HMAC key the link was made with (audit.hash.ts); absent on unkeyed older links.
    keyId: { type: String },
  },
  { collection: 'audit_entries', versionKey: false, minimize: false },
);

// An entity's history in chain order (auditEntriesAbout: a senior's data-subject export; the audit
// list filtered by entityId): walked in the index from its first entry, however long the log. It
// replaces the single entityId index, so an append still updates the same number of indexes.
auditEntrySchema.index({ entityId: 1, _id: 1 });

export type AuditEntryDoc = InferSchemaType<typeof auditEntrySchema>;

export const auditEntryId = (seq: number) => String(seq).padStart(12, '0');

// The chain's head as the daily verification found it (`_id` = the business day): a link that a
// later rewrite — even one made with the key — cannot match again. The newest of a month is printed
// in that month's period summary, which finance files outside the system.
const auditAnchorSchema = new Schema(
  { _id: { type: String, required: true }, seq: { type: Number, required: true }, hash: { type: String, required: true }, at: { type: Date, required: true } },
  { collection: 'audit_anchors', versionKey: false },
);
export type AuditAnchorDoc = InferSchemaType<typeof auditAnchorSchema> & { _id: string };
export const AuditAnchorModel = mongoose.model('AuditAnchor', auditAnchorSchema);
export const AuditEntryModel = mongoose.model('AuditEntry', auditEntrySchema);

// Where the chain ends, so a writer finds the last link by _id instead of sorting the whole log.
// It may lag behind the entries after a crash (writers walk forward from it); it is never ahead
// unless entries were deleted, which is exactly what verification reports.
const auditHeadSchema = new Schema(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true },
    hash: { type: String, required: true },
  },
  { collection: 'audit_head', versionKey: false },
);

export const AuditHeadModel = mongoose.model('AuditHead', auditHeadSchema);

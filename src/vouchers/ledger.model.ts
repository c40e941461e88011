import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const ENTRY_TYPES = ['issue', 'hold', 'release', 'redeem', 'expire', 'adjust', 'refund'] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

const money = { type: Number, required: true, validate: Number.isSafeInteger };

// Entries: append-only, `_id` = the idempotency key ('issue:<senior>:<month>', 'hold:<order>', …):
// unique by construction, and the key the embedded FerretDB looks up without scanning.
const entrySchema = new Schema(
  {
    _id: { type: String, required: true },
    seniorId: { type: String, required: true },
    type: { type: String, enum: ENTRY_TYPES, required: true },
    balanceDeltaFen: money,
    heldDeltaFen: money,
    month: { type: String, default: null },
    orderId: { type: String, default: null },
    reason: { type: String, default: null },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'voucher_entries', versionKey: false },
);
entrySchema.index({ seniorId: 1, createdAt: 1 });
entrySchema.index({ type: 1, month: 1 });

export type EntryDoc = InferSchemaType<typeof entrySchema>;
export const EntryModel = mongoose.model('VoucherEntry', entrySchema);

const pendingSchema = new Schema(
  {
    key: { type: String, required: true },
    type: { type: String, required: true },
    balanceDeltaFen: { type: Number, required: true },
    heldDeltaFen: { type: Number, required: true },
    month: { type: String, default: null },
    orderId: { type: String, default: null },
    reason: { type: String, default: null },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { _id: false },
);

// The account: one per senior, `_id` = the senior's id. Its figures move only together with
// `pending`, in one conditional update (see ledger.ts for the protocol).
const accountSchema = new Schema(
  {
    _id: { type: String, required: true },
    communityId: { type: String, required: true },
    balanceFen: money,
    heldFen: money,
    availableFen: money,
    /** Credits (issue, refund, positive adjustment) by the month they were credited, for FIFO expiry. */
    creditsByMonth: { type: Schema.Types.Mixed, default: {} },
    /** Everything spent or lost (redeem, expire, negative adjustment), in fen. */
    debitedFen: money,
    pending: { type: pendingSchema, default: null },
    /**
     * Movements applied so far: step 1 requires the count it read, so a movement under the same
     * key that finished between this one's read of the account and its update moves it, and this
     * one is not applied a second time (ledger.ts). Absent on accounts from before: read as none.
     */
    seq: { type: Number, default: 0 },
  },
  { collection: 'voucher_accounts', versionKey: false, minimize: false, timestamps: true },
);
accountSchema.index({ communityId: 1 });

export type AccountDoc = InferSchemaType<typeof accountSchema>;
export const AccountModel = mongoose.model('VoucherAccount', accountSchema);

import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/** The charge reasons a claw-back's adjustment line carries (settlement.model.ts CHARGE_REASONS). */
export const CLAW_BACK_REASONS = ['senior_deceased', 'senior_inactive'] as const;
export type ClawBackReason = (typeof CLAW_BACK_REASONS)[number];

// A visit paid in an approved statement that a confirmed life event showed could not have been for
// the senior (after their death, inside a hospital stay, after a move away), waiting for the next
// settlement run to recover it as an adjustment line on the provider's next statement. `_id` is the
// order: a visit is asked back once whoever asks, however often (a retry, a re-import, a second
// event covering the same day); its line is `adjust:<order>`, the key a rejected visit's recovery
// has too, so the two paths never recover one visit twice.
const clawBackSchema = new Schema(
  {
    _id: { type: String, required: true },
    seniorId: { type: String, required: true },
    providerId: { type: String, required: true },
    /** The statement that paid the visit. */
    paidStatementId: { type: String, required: true },
    /** The visit's day (Asia/Shanghai): what put it in the event's span. */
    visitDay: { type: String, required: true },
    reason: { type: String, enum: CLAW_BACK_REASONS, required: true },
    /** What happened, in Chinese: the adjustment line's note begins with it. */
    note: { type: String, required: true },
    /** Who asked for it: `life_event:<proposalId>`. */
    source: { type: String, required: true },
    requestedBy: { type: String, required: true },
    requestedAt: { type: Date, required: true },
    /** pending until a run writes its adjustment line; recovered after (the statement that carries it). */
    status: { type: String, enum: ['pending', 'recovered'], required: true },
    statementId: { type: String, default: null },
    recoveredAt: { type: Date, default: null },
  },
  { collection: 'settlement_claw_backs', versionKey: false },
);
clawBackSchema.index({ status: 1 });
clawBackSchema.index({ seniorId: 1 });

export type ClawBackDoc = InferSchemaType<typeof clawBackSchema> & { _id: string };
export const ClawBackModel = mongoose.model('SettlementClawBack', clawBackSchema);

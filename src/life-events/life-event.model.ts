import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import type { ScopeRules } from '../shared/scope.ts';
import { scopeBy } from '../shared/scope.ts';

/** What the outside feeds report (API.md, second round): civil affairs' deaths, medical insurance's stays, moves. */
export const LIFE_EVENTS = ['death', 'hospital_admission', 'hospital_discharge', 'moved_out'] as const;
export type LifeEvent = (typeof LIFE_EVENTS)[number];
export const LIFE_EVENT_ZH: Record<LifeEvent, string> = { death: '死亡', hospital_admission: '住院', hospital_discharge: '出院', moved_out: '迁出' };

/**
 * pending → confirming → confirmed, or pending → rejected. `confirming` is the confirmation under
 * way (the senior's status change and the claw-back are being applied): a confirmation cut off
 * there is finished by confirming again.
 */
export const PROPOSAL_STATUSES = ['pending', 'confirming', 'confirmed', 'rejected'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

// A matched row of a feed: the change it proposes for one senior, waiting for a street officer's (or
// an admin's) decision. The ID number that matched it is not kept, only the senior. `key` is
// '<seniorId>:<event>:<date>' under a unique index: the same event again, in the same file or a later
// upload, finds this proposal and changes nothing. Street and community are copied from the senior
// at import, so scope is a plain filter.
const proposalSchema = new Schema(
  {
    key: { type: String, required: true },
    seniorId: { type: String, required: true },
    streetId: { type: String, required: true },
    communityId: { type: String, required: true },
    event: { type: String, enum: LIFE_EVENTS, required: true },
    /** The day it happened (YYYY-MM-DD, Asia/Shanghai), as the feed says. */
    date: { type: String, required: true },
    status: { type: String, enum: PROPOSAL_STATUSES, required: true },
    /** The file it came in (its name) and who uploaded it: the four-eyes rule is about this person. */
    sourceFile: { type: String, required: true },
    importedBy: { type: String, required: true },
    importedAt: { type: Date, required: true },
    decidedBy: { type: String, default: null },
    decidedAt: { type: Date, default: null },
    /** The confirmer's note, or the reason of a rejection. */
    note: { type: String, default: null },
    /**
     * What the confirmation did: the senior's status change (or why none was needed) and the visits
     * it asked back from providers. Null until confirmed.
     */
    outcome: {
      type: new Schema({
        seniorAction: { type: String, enum: ['deactivate', 'suspend', 'resume', null], default: null },
        seniorStatus: String,
        clawBack: { type: new Schema({ fromDay: String, toDay: String, recovering: Number, takenOutOfDrafts: Number, notYetSettled: Number, refundedFen: Number }, { _id: false }), default: null },
      }, { _id: false }),
      default: null,
    },
  },
  { collection: 'life_event_proposals', versionKey: false, timestamps: true, minimize: false },
);
proposalSchema.index({ key: 1 }, { unique: true });
proposalSchema.index({ seniorId: 1 });
// The queue pages newest first by `_id` (shared/http/pagination.ts), by street and status.
proposalSchema.index({ streetId: 1, _id: 1 });
proposalSchema.index({ streetId: 1, status: 1, _id: 1 });
proposalSchema.index({ status: 1, _id: 1 });

export type ProposalDoc = InferSchemaType<typeof proposalSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date };
export const ProposalModel = mongoose.model('LifeEventProposal', proposalSchema);

/** Street officers decide their street's proposals; admins the district's. No other role reads them. */
export const proposalScope: ScopeRules = {
  admin: 'all',
  street_officer: scopeBy.streetField('streetId'),
};

export const proposalKey = (seniorId: string, event: LifeEvent, date: string) => `${seniorId}:${event}:${date}`;

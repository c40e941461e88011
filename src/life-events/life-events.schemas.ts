import { z } from 'zod';
import { pageOf, pageQuery } from '../shared/http/pagination.ts';
import { dateTimeOut, nullableDateTimeOut, objectIdParam } from '../shared/http/schemas.ts';
import { LIFE_EVENTS, PROPOSAL_STATUSES } from './life-event.model.ts';

export const lifeEventImportReportSchema = z
  .object({
    total: z.number().int().openapi({ description: 'data rows read (the header and blank rows not counted)' }),
    matched: z.number().int().openapi({ description: 'rows that became a pending proposal' }),
    duplicates: z.number().int().openapi({ description: 'rows whose (senior, event, day) was proposed before, in this file or an earlier upload, or that the register records already' }),
    notRegistered: z.number().int().openapi({ description: 'rows of no senior on the register (for a street officer: of their street)' }),
    ambiguous: z.number().int().openapi({ description: 'rows that contradict what is known of the senior (README, life events): nothing is proposed, a person looks' }),
    invalid: z.number().int(),
    rows: z.array(z.object({
      row: z.number().int().openapi({ description: 'line in the sheet; the header is line 1' }),
      status: z.enum(['matched', 'duplicate', 'not_registered', 'ambiguous', 'invalid']),
      proposalId: z.string().optional().openapi({ description: 'the proposal made for the row (matched) or made before (duplicate)' }),
      errors: z.array(z.object({ column: z.string().openapi({ description: 'the column\'s key: idNumber, event or date' }), message: z.string() })).optional(),
    })),
  })
  .openapi('LifeEventImportReport');

export const proposalSchema = z
  .object({
    id: z.string(),
    seniorId: z.string(),
    seniorName: z.string().nullable(),
    seniorIdNumberMasked: z.string().nullable(),
    communityId: z.string(),
    streetId: z.string(),
    event: z.enum(LIFE_EVENTS),
    date: z.string().openapi({ description: 'the day it happened, YYYY-MM-DD' }),
    status: z.enum(PROPOSAL_STATUSES).openapi({ description: 'confirming: a confirmation under way or cut off; confirming again finishes it' }),
    sourceFile: z.string(),
    importedBy: z.string(),
    importedAt: dateTimeOut,
    decidedBy: z.string().nullable(),
    decidedAt: nullableDateTimeOut,
    note: z.string().nullable().openapi({ description: 'the confirmer\'s note, or the reason of a rejection' }),
    outcome: z.object({
      seniorAction: z.enum(['deactivate', 'suspend', 'resume']).nullable().openapi({ description: 'the senior\'s status change the confirmation made; null when the senior was already so' }),
      seniorStatus: z.string(),
      clawBack: z.object({
        fromDay: z.string(),
        toDay: z.string().nullable().openapi({ description: 'not included; null: no end' }),
        recovering: z.number().int().openapi({ description: 'visits paid in approved statements, recovered on the providers\' next statements by the next settlement run' }),
        takenOutOfDrafts: z.number().int(),
        notYetSettled: z.number().int(),
        refundedFen: z.number().int(),
      }).nullable(),
    }).nullable(),
  })
  .openapi('LifeEventProposal');

export const proposalsQuery = z
  .object({ status: z.enum(PROPOSAL_STATUSES).optional(), seniorId: objectIdParam.optional(), ...pageQuery })
  .strict();
export const proposalPageSchema = pageOf(proposalSchema).openapi('LifeEventProposalPage');
export const proposalParams = z.object({ id: objectIdParam }).strict();
export const confirmBody = z.object({ note: z.string().max(500).trim().min(1).optional() }).strict().default({}).openapi('ConfirmLifeEventRequest');
export const rejectBody = z.object({ reason: z.string().max(500).trim().min(1) }).strict().openapi('RejectLifeEventRequest');

export type ProposalView = z.input<typeof proposalSchema>;

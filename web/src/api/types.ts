// The shapes of API.md as the console reads them (a subset of each: what the pages show).

import type { ReasonCode } from '../../../src/reports/suspect-score.ts';

export const ROLES = ['admin', 'street_officer', 'community_staff', 'provider_admin', 'caregiver', 'finance_officer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  communityIds: string[];
  streetId: string | null;
  providerId: string | null;
  caregiverId: string | null;
  active: boolean;
}

export interface Location { lng: number; lat: number }
export interface Street { id: string; name: string; code: string }
export interface Community { id: string; name: string; code: string; streetId: string; location: Location }
export interface ServiceType { id: string; code: string; name: string; unit: 'visit' | 'hour' | 'meal'; minutesPerUnit: number; emergency: boolean; onSite: boolean }

export interface Provider {
  id: string; name: string; kind: 'company' | 'ngo' | 'starlight_center'; creditCode: string; contactName: string; contactPhone: string;
  address: string; location: Location; communityIds: string[]; dailyCapacity: number; status: 'active' | 'suspended';
}
export interface Caregiver { id: string; providerId: string; name: string; phoneMasked: string; skills: string[]; certificateNo: string | null; status: string }
export interface Contract { id: string; providerId: string; validFrom: string; validTo: string; communityIds: string[]; prices: { serviceTypeCode: string; unitPriceFen: number }[] }

export const ENTERABLE_CATEGORIES = ['empty_nest', 'three_nos', 'extreme_hardship', 'low_income', 'living_alone', 'disabled'] as const;
export type Category = (typeof ENTERABLE_CATEGORIES)[number] | 'advanced_age';
export const LIVING_ARRANGEMENTS = ['alone', 'with_spouse', 'with_family', 'other'] as const;
export type LivingArrangement = (typeof LIVING_ARRANGEMENTS)[number];
export const SENIOR_STATUSES = ['pending_review', 'active', 'rejected', 'suspended', 'deactivated'] as const;
export type SeniorStatus = (typeof SENIOR_STATUSES)[number];

export interface Senior {
  id: string; name: string; idNumberMasked: string; gender: 'male' | 'female'; birthDate: string; age: number; phoneMasked: string;
  address: string; communityId: string; streetId: string; location: Location | null; livingArrangement: LivingArrangement;
  categories: Category[]; careLevel: number; assessedAt: string; assessmentValidUntil: string;
  emergencyContacts: { name: string; relation: string; phoneMasked: string }[]; preferredProviderId: string | null;
  status: SeniorStatus; statusReason: string | null; enrolledBy: string; enrolledAt: string; approvedBy: string | null; approvedAt: string | null;
  /** Whether a confirmation PIN is set; the PIN itself only comes from enrolment or a reset. */
  hasConfirmationPin: boolean;
  /** The privacy notice and legal basis recorded at enrolment or import; null: not recorded (older records). */
  privacyNotice: { version: string; basis: PrivacyNoticeBasis; givenAt: string | null; recordedBy: string; recordedAt: string; source: 'enrolment' | 'register_import' } | null;
  /** When the retention job erased the personal data; null while it is held. */
  piiErasedAt: string | null;
}
export const PRIVACY_NOTICE_BASES = ['public_duty', 'consent', 'guardian_consent'] as const;
export type PrivacyNoticeBasis = (typeof PRIVACY_NOTICE_BASES)[number];
/** The notice text's version the console records (src/seniors/privacy-notice.ts). */
export const CURRENT_PRIVACY_NOTICE_VERSION = '2026-01';
export interface SeniorHistoryEntry { id: string; at: string; actorId: string; action: string; fromStatus: string | null; toStatus: string | null; changes: Record<string, { before: unknown; after: unknown }>; reason: string | null; effectiveMonth: string | null; touched: { kind: 'order' | 'care_plan' | 'voucher_account'; id: string; label: string; change: string }[] }
export interface ImportReport { created: number; duplicates: number; invalid: number; rows: { row: number; status: 'created' | 'duplicate' | 'invalid'; seniorId?: string; errors?: { path: string; message: string }[] }[] }
/** POST /service-records/imports: a provider's visit records, a result per row (errors name the column by its key). */
export interface RecordImportReport { total: number; created: number; duplicates: number; rejected: number; rows: { row: number; status: 'created' | 'duplicate' | 'rejected'; orderId?: string; errors?: { column: string; message: string }[] }[] }

export interface VoucherAccount { seniorId: string; balanceFen: number; heldFen: number; availableFen: number }
/** The month's caps of the policy and what the senior has used of them (held or redeemed); null: no such cap. */
export interface VoucherCapsUse {
  month: string; monthlyFen: number | null; usedFen: number;
  perService: { serviceTypeCode: string; maxSubsidySharePct: number | null; monthlyVisits: number | null; visitsUsed: number }[];
}
export interface VoucherAccountWithCaps extends VoucherAccount { caps: VoucherCapsUse }
export interface VoucherServiceCap { serviceTypeCode: string; maxSubsidySharePct?: number; monthlyVisits?: number }
export interface VoucherEntry { id: string; type: string; balanceDeltaFen: number; heldDeltaFen: number; month: string | null; orderId: string | null; reason: string | null; createdBy: string; createdAt: string }
export interface VoucherPolicy {
  id: string; name: string; effectiveFrom: string; combine: 'max' | 'sum';
  categories: { category: Category; monthlyAmountFen: number; subsidyRatePct: number }[];
  careLevelSupplementFen: number[]; defaultSubsidyRatePct: number; fundingSplit: { cityPct: number; districtPct: number };
  expiry: { mode: 'end_of_month' | 'rollover' | 'anchor_date'; rolloverMonths?: number; lapsesOn?: string; lapsesAfterYears?: number };
  caps: { monthlyFen?: number; perService: VoucherServiceCap[] };
}

export const ORDER_STATUSES = ['pending_dispatch', 'offered', 'unassigned', 'accepted', 'assigned', 'in_service', 'completed', 'confirmed', 'disputed', 'rejected', 'cancelled', 'settled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export interface VisitPoint { at: string; lng: number; lat: number; distanceM: number }
/** The senior as the caregiver sees them at the door: only on her own open visits of today and tomorrow. */
export interface VisitSenior { name: string; address: string; phoneMasked: string; location: Location | null; mapUrl: string }
export interface Order {
  /** `number`: the human order number (GD…); null on orders created before numbers (orderLabel shows the id's end). */
  id: string; number: string | null; seniorId: string; communityId: string; serviceTypeCode: string; quantity: number; scheduledStart: string;
  source: 'hotline' | 'staff' | 'care_plan' | 'emergency' | 'provider_record'; externalId: string | null; priority: 'normal' | 'emergency'; status: OrderStatus;
  providerId: string | null; caregiverId: string | null; offer: { providerId: string; offeredAt: string; expiresAt: string } | null;
  /** `ranking` only on a single order's answer (the detail): list items leave it out. */
  dispatch: { attempts: { providerId: string; offeredAt: string; outcome: string; reason: string | null }[]; ranking?: { providerId: string; score: number; distanceKm: number; reasons: string[] }[] };
  priceFen: number; subsidyFen: number; selfPayFen: number; checkIn: VisitPoint | null; checkOut: VisitPoint | null; durationMinutes: number | null;
  flags: string[]; confirmation: { method: string; at: string; by: string; satisfaction: number | null } | null; statementId: string | null; createdAt: string;
  /** The service note given with the order. */
  notes: string | null;
  /** Why the caregiver checked out without the senior's code or PIN (for the callback). */
  noCodeReason: string | null;
  senior?: VisitSenior;
  /** To a provider's dispatcher, on orders offered to their provider: whom for and why them. */
  offerFacts?: { senior: { nameMasked: string; addressArea: string } | null; rank: number | null; candidates: number; reasons: string[] };
}
export interface OrderHistoryEntry { id: string; at: string; actorId: string; action: string; fromStatus: string; toStatus: string; reason: string | null }

export interface JobRun { id: string; name: string; trigger: string; status: string; requestedBy: string | null; startedAt: string; endedAt: string | null; counts: Record<string, number>; error: string | null }
export interface Job { name: string; description: string; schedule: string | null; timeZone: string; lastRun: JobRun | null }
export interface AuditEntry {
  id: string; seq: number; at: string; actorId: string; actorRole: string; actorName: string; action: string; actionLabel: string;
  entityType: string; entityTypeLabel: string; entityId: string; before: unknown; after: unknown; requestId: string | null; hash: string;
}
export interface AuditVerification { ok: boolean; checked: number; firstBrokenAt?: number; reason?: string }
export interface Alert { id: string; seniorId: string; communityId: string; source: 'call_button' | 'hotline'; note: string | null; orderId: string; contactsNotified: number; createdAt: string }

export interface StatementTotals { grossFen: number; subsidyFen: number; selfPayFen: number; penaltyFen: number; adjustmentFen: number; payableFen: number; cityFen: number; districtFen: number; carryForwardFen: number }
export interface Statement {
  id: string; period: string; providerId: string; providerName: string; status: 'draft' | 'approved' | 'paid'; totals: StatementTotals;
  fundingSplit: { cityPct: number; districtPct: number }; lineCount: number; penaltyCount: number; adjustmentCount: number; heldBackCount: number;
  approvedBy: string | null; approvedAt: string | null; approvalOverrideReason: string | null; paymentRef: string | null; paidAt: string | null; paymentDueAt: string | null; paymentOverdue: boolean;
  /** One signature, or two above SECOND_APPROVAL_ABOVE_FEN; on a draft, a first signature awaiting the second. */
  approvals: { by: string; byName: string | null; at: string }[]; secondApprovalRequired: boolean; awaitingSecondSignature: boolean;
}
export interface StatementLine { orderId: string; orderNumber: string | null; seniorId: string; communityId: string; serviceTypeCode: string; category: string; quantity: number; scheduledStart: string; confirmedAt: string; priceFen: number; subsidyFen: number; selfPayFen: number; carriedOver: boolean }
export interface StatementCharge {
  id: string; reason: string; amountFen: number; orderId: string | null; orderNumber: string | null; note: string | null; createdAt: string;
  /** An adjustment: the month it corrects and its own split (null: the statement's). */
  correctsPeriod: string | null; cityFen: number | null; districtFen: number | null;
  /** A finance officer's own adjustment: counted once another officer approved it. */
  adjustmentStatus: 'pending' | 'approved' | 'rejected' | null; reference: string | null;
  enteredBy: string | null; enteredByName: string | null; decidedBy: string | null; decidedByName: string | null; decidedAt: string | null; decisionNote: string | null;
}
export interface SampleCheck { id: string; orderId: string; statementId: string; period: string; providerId: string; communityId: string; seniorId: string; serviceTypeCode: string; scheduledStart: string; status: 'open' | 'done' | 'cancelled'; reason: 'sample' | 'flagged'; outcome: 'visit_happened' | 'visit_did_not_happen' | null; note: string | null; recordedAt: string | null }
export interface StatementDetail extends Statement {
  lines: StatementLine[]; penalties: StatementCharge[]; adjustments: StatementCharge[];
  heldBack: { orderId: string; orderNumber: string | null; reasonCode: string; detail: string | null; checkedAt: string }[]; sampleChecks: SampleCheck[];
}
/** Where every order a run saw went: the buckets add up to ordersSeen (src/settlement/run-breakdown.ts). */
export interface SettlementRunBreakdown {
  ordersSeen: number; newLines: number; carriedOver: number; unchanged: number; heldBack: number; alreadySettled: number; deferred: number; disputed: number; notBillable: number;
  heldBackByReason: { reasonCode: string; count: number }[];
}
export interface SettlementRunResult { period: string; statements: Statement[]; ordersSettled: number; payableFen: number; runId: string; counts: Record<string, number>; breakdown: SettlementRunBreakdown | null }
export interface SettlementProgress {
  period: string; status: 'running' | 'completed'; runId: string; batches: number; ordersSeen: number; startedAt: string; heartbeatAt: string; completedAt: string | null;
  resumedFrom: string | null; breakdown: SettlementRunBreakdown | null;
}
interface Delivered { lineCount: number; quantity: number; grossFen: number; subsidyFen: number; selfPayFen: number }
export interface SettlementSummary {
  period: string; statementCount: number; totals: StatementTotals & { lineCount: number };
  auditAnchor: { day: string; seq: number; hash: string } | null;
  byProvider: (StatementTotals & { providerId: string; providerName: string; statementId: string; status: string; lineCount: number })[];
  byCommunity: (Delivered & { communityId: string; communityName: string })[];
  byCategory: (Delivered & { category: string })[];
  byServiceType: (Delivered & { serviceTypeCode: string; serviceTypeName: string })[];
  byFundingSource: { source: 'city' | 'district' | 'self_pay'; amountFen: number }[];
}

interface ReportHeader { month: string; generatedAt: string; scope: { level: 'district' | 'street' | 'communities' } }
export interface UnpaidStatementRow { statementId: string; period: string; providerId: string; providerName: string; payableFen: number; approvedAt: string | null; paymentDueAt: string | null; paymentOverdue: boolean; daysOverdue: number }
export interface OverviewReport extends ReportHeader {
  seniors: { total: number; byStatus: Record<string, number> };
  orders: { total: number; byStatus: Record<string, number>; byServiceType: { serviceTypeCode: string; serviceTypeName: string; total: number }[] };
  spend: {
    vouchers: { confirmedVisits: number; grossFen: number; subsidyFen: number; selfPayFen: number };
    settlement: { payableMonthFen: number; payableYearToDateFen: number; fundingSources: { source: 'city' | 'district'; monthFen: number; yearToDateFen: number; annualBudgetFen: number | null; yearToDateShareOfBudget: number | null }[] } | null;
  };
  paymentTimeliness: { paymentDueDays: number; unpaidApproved: number; overdue: number; overdueFen: number; statements: UnpaidStatementRow[] } | null;
}
export interface ProviderPerformance {
  providerId: string; providerName: string; offers: number; accepted: number; acceptanceRate: number | null; medianMinutesToAccept: number | null;
  visitsCheckedIn: number; visitsConfirmed: number; onTimeRate: number | null; averageSatisfaction: number | null; disputes: number; flaggedVisits: number; flagRate: number | null;
}
export interface ProvidersReport extends ReportHeader { providers: ProviderPerformance[]; districtFlagRate: number | null }
export interface CarePlan {
  id: string; seniorId: string; communityId: string; serviceTypeCode: string; quantity: number; weekdays: number[]; time: string;
  startDate: string; endDate: string | null; status: 'active' | 'paused' | 'stopped'; createdBy: string; createdAt: string;
}

/** GET /reports/anomalies (src/reports/reports.schemas.ts): ids, names where the report has them. */
export interface AnomalyVisitRef { orderId: string; orderNumber: string | null; communityId: string; checkInAt: string; checkOutAt: string | null }
export interface AnomaliesReport extends ReportHeader {
  flaggedVisits: {
    orderId: string; orderNumber: string | null; scheduledStart: string; communityId: string; serviceTypeCode: string; status: OrderStatus;
    providerId: string | null; providerName: string | null; caregiverId: string | null; caregiverName: string | null; flags: string[];
  }[];
  caregiverOverlaps: { caregiverId: string; caregiverName: string | null; providerId: string | null; providerName: string | null; overlapMinutes: number; visits: AnomalyVisitRef[] }[];
  visitsForInactiveSeniors: { orderId: string; orderNumber: string | null; seniorId: string; communityId: string; providerId: string | null; providerName: string | null; status: OrderStatus; visitAt: string; seniorStatus: SeniorStatus }[];
  flagRateOutliers: {
    districtFlagRate: number | null;
    /** pValue: P(a rate at least this high by chance) under the district's rate, the one-sided exact binomial test. */
    providers: { providerId: string; providerName: string; visitsCheckedIn: number; flaggedVisits: number; flagRate: number | null; districtFlagRate: number | null; pValue: number }[];
  };
  suspectVisits: SuspectVisit[];
  latePayments: UnpaidStatementRow[] | null;
}

/** The reason codes of a suspect visit: the service's own list (src/reports/suspect-score.ts), bundled. */
export type SuspectReason = ReasonCode;
export type ReviewOutcome = 'fine' | 'dispute';
export interface AnomalyReview { outcome: ReviewOutcome; note: string; by: string; byName?: string | null; at: string }
/** A suspect visit of the month: its reasons strongest first, its score (0–100, listed from 40), the inspector's review. */
export interface SuspectVisit {
  orderId: string; orderNumber: string | null; reasons: SuspectReason[]; score: number; scheduledStart: string;
  providerId: string | null; providerName: string | null; caregiverId: string | null; caregiverName: string | null;
  communityId: string; serviceTypeCode: string; status: OrderStatus; review: AnomalyReview | null;
}
/** POST /reports/anomalies/reviews answers the review stored and the order's status after it. */
export interface AnomalyReviewResult extends AnomalyReview { orderId: string; orderStatus: OrderStatus }

/** GET /notifications: the outbox, the recipient's phone masked by the API. */
export interface OutboxNotification {
  id: string; dedupeKey: string; channel: 'sms' | 'callback_task' | 'staff_message';
  recipient: { kind: 'emergency_contact' | 'senior' | 'community_staff' | 'user' | 'district_staff'; name: string | null; phoneMasked: string | null; communityId: string | null; userId: string | null };
  template: string; params: Record<string, string | number>; subject: { type: string; id: string };
  status: 'pending' | 'sent' | 'delivered' | 'failed'; attempts: number; nextAttemptAt: string | null; lastError: string | null; createdAt: string; sentAt: string | null;
  /** The SMS provider's id of the message and its delivery receipt (DELIVERED, or why not). */
  providerMessageId: string | null; receipt: { code: string; success: boolean; at: string | null } | null;
}

/** POST /life-events/imports (src/life-events/life-events.schemas.ts): a result per row; errors name the column by its key (idNumber, event, date). */
export type LifeEventRowStatus = 'matched' | 'duplicate' | 'not_registered' | 'ambiguous' | 'invalid';
export interface LifeEventImportReport {
  total: number; matched: number; duplicates: number; notRegistered: number; ambiguous: number; invalid: number;
  rows: { row: number; status: LifeEventRowStatus; proposalId?: string; errors?: { column: string; message: string }[] }[];
}
export type LifeEvent = 'death' | 'hospital_admission' | 'hospital_discharge' | 'moved_out';
export type ProposalStatus = 'pending' | 'confirming' | 'confirmed' | 'rejected';
/** GET /life-events/proposals: a matched feed row waiting for (or after) a second person's decision; the senior masked as the API gives them. */
export interface LifeEventProposal {
  id: string; seniorId: string; seniorName: string | null; seniorIdNumberMasked: string | null; communityId: string; streetId: string;
  event: LifeEvent; date: string; status: ProposalStatus; sourceFile: string; importedBy: string; importedAt: string;
  decidedBy: string | null; decidedAt: string | null; note: string | null;
  outcome: {
    seniorAction: 'deactivate' | 'suspend' | 'resume' | null; seniorStatus: string;
    clawBack: { fromDay: string; toDay: string | null; recovering: number; takenOutOfDrafts: number; notYetSettled: number; refundedFen: number } | null;
  } | null;
}

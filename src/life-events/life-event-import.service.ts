import { rm } from 'node:fs/promises';
import mongoose from 'mongoose';
import { recordAudit } from '../audit/index.ts';
import { holdDispatch, seniorsByIdNumberHmac, type SeniorRegisterFacts } from '../seniors/index.ts';
import { insertDocs } from '../shared/insert-docs.ts';
import { hmacPii } from '../shared/pii.ts';
import type { Actor } from '../shared/roles.ts';
import { readSheetRecords } from '../shared/sheets/sheet-rows.ts';
import { businessDay } from '../shared/time.ts';
import { LIFE_EVENT_COLUMNS, parseLifeEventFields } from './life-event-fields.ts';
import { ProposalModel, proposalKey, type LifeEvent, type ProposalDoc } from './life-event.model.ts';
import { byEventDay, judgeLifeEvent, type KnownEvent } from './life-event.rules.ts';
import type { SheetImportContext } from '../shared/sheets/import-context.ts';

export interface LifeEventRowResult {
  row: number;
  status: 'matched' | 'duplicate' | 'not_registered' | 'ambiguous' | 'invalid';
  proposalId?: string;
  errors?: { column: string; message: string }[];
}

export interface LifeEventImportReport {
  total: number;
  matched: number;
  duplicates: number;
  notRegistered: number;
  ambiguous: number;
  invalid: number;
  rows: LifeEventRowResult[];
}

/** The import's caller and settings (shared/sheets): the same for every sheet import. */
export type LifeEventContext = SheetImportContext;

/** A row that parsed: the ID number is kept only as its HMAC, for the match. */
interface FeedRow { row: number; hmac: string; event: LifeEvent; date: string }
interface SeniorRows { senior: SeniorRegisterFacts; rows: FeedRow[] }

/** Seniors and their proposals are read this many at a time (each one read by key or index). */
const LOOKUP_CHUNK = 500;
/** Statuses of a senior on the register: a pending or refused enrolment is nobody's to change. */
const ON_REGISTER = new Set(['active', 'suspended', 'deactivated']);

/**
 * Takes in a feed of deaths, hospital stays and moves (POST /life-events/imports). Each row is
 * parsed (a bad row is `invalid`, with each column's fault), matched to a senior by the HMAC of its
 * ID number through the register's unique index (`not_registered` when no senior on the register
 * has it — or, for a street officer, none of their street's: nothing about other streets shows),
 * judged against what is known of the senior (life-event.rules.ts: `ambiguous`), and proposed: one
 * pending proposal per (senior, event, day), under a unique key, so the same row again — in the
 * file or any later upload — is a `duplicate` and changes nothing. A death proposal stops new
 * dispatch for the senior at once. The file is read whole before anything is judged (rows are
 * three short fields: a district's month is a few megabytes), so rows of one senior are judged in
 * the order of their days wherever they stand in the file.
 */
export async function importLifeEvents(file: { path: string; originalName: string }, ctx: LifeEventContext): Promise<LifeEventImportReport> {
  const now = ctx.now ?? new Date();
  const results = new Map<number, LifeEventRowResult>();
  const rows: FeedRow[] = [];
  try {
    const today = businessDay(now, ctx.config.businessTimeZone);
    for await (const { row, fields } of readSheetRecords(file, LIFE_EVENT_COLUMNS)) {
      if (ctx.signal?.aborted) break;
      const parsed = parseLifeEventFields(fields, today);
      if (parsed.ok) rows.push({ row, hmac: hmacPii(ctx.config.pii, parsed.value.idNumber), event: parsed.value.event, date: parsed.value.date });
      else results.set(row, { row, status: 'invalid', errors: parsed.errors.map((error) => ({ column: error.column, message: error.message[ctx.lang] })) });
    }
  } finally {
    await rm(file.path, { force: true });
  }
  const bySenior = await matchSeniors(rows, results, ctx);
  await proposeEvents(bySenior, results, file.originalName.slice(0, 120), ctx, now);
  const report = tally([...results.values()].sort((a, b) => a.row - b.row));
  await recordAudit({
    actor: ctx.actor, action: 'life_event.import', entityType: 'life_event_file', entityId: file.originalName.slice(0, 120), requestId: ctx.requestId,
    after: {
      total: report.total, matched: report.matched, duplicates: report.duplicates, notRegistered: report.notRegistered, ambiguous: report.ambiguous, invalid: report.invalid,
      ...(ctx.signal?.aborted ? { reason: 'client gone' } : {}),
    },
  });
  return report;
}

/** The rows' seniors, read LOOKUP_CHUNK ID numbers at a time; rows of no senior the caller may name are answered here. */
async function matchSeniors(rows: FeedRow[], results: Map<number, LifeEventRowResult>, ctx: LifeEventContext): Promise<Map<string, SeniorRows>> {
  const bySenior = new Map<string, SeniorRows>();
  const notRegistered = { zh: '没有找到登记在册的这位老人，请核对身份证号', en: 'no senior on the register has this ID number' };
  for (let start = 0; start < rows.length; start += LOOKUP_CHUNK) {
    const chunk = rows.slice(start, start + LOOKUP_CHUNK);
    const seniors = await seniorsByIdNumberHmac(chunk.map((row) => row.hmac));
    for (const row of chunk) {
      const senior = seniors.get(row.hmac);
      if (!senior || !ON_REGISTER.has(senior.status) || !mayReport(ctx.actor, senior)) {
        results.set(row.row, { row: row.row, status: 'not_registered', errors: [{ column: 'idNumber', message: notRegistered[ctx.lang] }] });
        continue;
      }
      const entry = bySenior.get(senior.seniorId) ?? { senior, rows: [] };
      entry.rows.push(row);
      bySenior.set(senior.seniorId, entry);
    }
  }
  return bySenior;
}

/** An admin reports on the district; a street officer on their street's seniors only. */
function mayReport(actor: Actor, senior: SeniorRegisterFacts): boolean {
  return actor.role === 'admin' || (actor.role === 'street_officer' && actor.streetId === senior.streetId);
}

/**
 * Each senior's rows against the senior's proposals so far (one read per LOOKUP_CHUNK seniors by
 * the senior's index), then the new proposals in one insert per chunk. A key taken meanwhile (two
 * uploads at once) is a duplicate of the proposal that took it.
 */
async function proposeEvents(bySenior: Map<string, SeniorRows>, results: Map<number, LifeEventRowResult>, sourceFile: string, ctx: LifeEventContext, now: Date): Promise<void> {
  const seniors = [...bySenior.values()];
  for (let start = 0; start < seniors.length && !ctx.signal?.aborted; start += LOOKUP_CHUNK) {
    const chunk = seniors.slice(start, start + LOOKUP_CHUNK);
    const existing = await ProposalModel.find({ seniorId: { $in: chunk.map((entry) => entry.senior.seniorId) } }, { key: 1, seniorId: 1, event: 1, date: 1, status: 1 }).lean();
    const proposed: Array<{ row: number; doc: ProposalDoc }> = [];
    const holds: { seniorId: string; date: string }[] = [];
    for (const entry of chunk) {
      const own = existing.filter((proposal) => proposal.seniorId === entry.senior.seniorId) as ProposalDoc[];
      for (const row of judgeRows(entry, own, results, ctx)) proposed.push({ row: row.row, doc: newProposal(row, entry.senior, sourceFile, ctx.actor.id, now) });
      // A death awaiting its decision, found again (a crash may have cut its hold): held again.
      for (const proposal of own) if (proposal.event === 'death' && proposal.status === 'pending') holds.push({ seniorId: proposal.seniorId, date: proposal.date });
    }
    const { taken } = await insertDocs(ProposalModel.collection, proposed.map(({ doc }) => doc) as unknown as (ProposalDoc & { _id: string })[]);
    const takenKeys = new Set(taken.map((proposal) => proposal.key));
    const takenBy = takenKeys.size === 0 ? new Map<string, string>() : new Map((await ProposalModel.find({ key: { $in: [...takenKeys] } }, { key: 1 }).lean()).map((proposal) => [proposal.key, String(proposal._id)]));
    for (const { row, doc } of proposed) {
      if (takenKeys.has(doc.key)) results.set(row, { row, status: 'duplicate', proposalId: takenBy.get(doc.key) });
      else if (doc.event === 'death') holds.push({ seniorId: doc.seniorId, date: doc.date });
    }
    for (const { seniorId, date } of holds) await holdDispatch(seniorId, `收到 ${date} 的死亡信息，等待街道确认`, ctx.actor.id, now);
  }
}

/** One senior's rows, in the order of their days: each row's result, and the proposals to write. */
function judgeRows(entry: SeniorRows, own: ProposalDoc[], results: Map<number, LifeEventRowResult>, ctx: LifeEventContext): Array<FeedRow & { _id: mongoose.Types.ObjectId }> {
  const taken = new Map(own.map((proposal) => [proposal.key, String(proposal._id)]));
  const known: KnownEvent[] = own.filter((proposal) => proposal.status !== 'rejected').map((proposal) => ({ event: proposal.event as LifeEvent, date: proposal.date }));
  const inFile = new Map<string, string | undefined>();
  const proposed: Array<FeedRow & { _id: mongoose.Types.ObjectId }> = [];
  for (const row of [...entry.rows].sort((a, b) => byEventDay(a, b) || a.row - b.row)) {
    const key = proposalKey(entry.senior.seniorId, row.event, row.date);
    if (taken.has(key) || inFile.has(key)) {
      const proposalId = taken.get(key) ?? inFile.get(key);
      results.set(row.row, { row: row.row, status: 'duplicate', ...(proposalId ? { proposalId } : {}) });
      continue;
    }
    const verdict = judgeLifeEvent(row, known, entry.senior, ctx.config.businessTimeZone);
    if (verdict.kind === 'ambiguous') {
      inFile.set(key, undefined);
      results.set(row.row, { row: row.row, status: 'ambiguous', errors: [{ column: verdict.column, message: verdict.message[ctx.lang] }] });
    } else if (verdict.kind === 'recorded') {
      // The register says so already (the same death or move, from the same day): nothing to propose.
      inFile.set(key, undefined);
      results.set(row.row, { row: row.row, status: 'duplicate' });
    } else {
      const _id = new mongoose.Types.ObjectId();
      inFile.set(key, String(_id));
      known.push({ event: row.event, date: row.date });
      proposed.push({ ...row, _id });
      results.set(row.row, { row: row.row, status: 'matched', proposalId: String(_id) });
    }
  }
  return proposed;
}

/** A whole document (written by the driver, past mongoose's defaults). */
function newProposal(row: FeedRow & { _id: mongoose.Types.ObjectId }, senior: SeniorRegisterFacts, sourceFile: string, by: string, now: Date): ProposalDoc {
  return {
    _id: row._id, key: proposalKey(senior.seniorId, row.event, row.date), seniorId: senior.seniorId, streetId: senior.streetId, communityId: senior.communityId,
    event: row.event, date: row.date, status: 'pending', sourceFile, importedBy: by, importedAt: now,
    decidedBy: null, decidedAt: null, note: null, outcome: null, createdAt: now, updatedAt: now,
  } as ProposalDoc;
}

function tally(rows: LifeEventRowResult[]): LifeEventImportReport {
  const count = (status: LifeEventRowResult['status']) => rows.filter((row) => row.status === status).length;
  return {
    total: rows.length, matched: count('matched'), duplicates: count('duplicate'), notRegistered: count('not_registered'), ambiguous: count('ambiguous'), invalid: count('invalid'), rows,
  };
}

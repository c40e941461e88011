import type { Writable } from 'node:stream';
import { displayNamesOf } from '../identity/index.ts';
import { csvCell } from '../shared/csv.ts';
import { findPage, type Page } from '../shared/http/pagination.ts';
import { businessDateTime } from '../shared/time.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import { ROLE_ZH, SYSTEM_ACTOR_ID, type Actor, type Role } from '../shared/roles.ts';
import { GENESIS_HASH, hashEntry, type AuditKey, type ChainedFields } from './audit.hash.ts';
import { auditActionLabel, auditEntityLabel } from './audit-labels.ts';
import { AuditAnchorModel, AuditEntryModel, AuditHeadModel, auditEntryId, type AuditEntryDoc } from './audit.model.ts';

const HEAD_ID = 'chain';

/** The key new links are made with, and the ones verification knows (by id), set at start. */
let chainKey: AuditKey | undefined;
const knownKeys = new Map<string, string>();

/** Called once at start (createApp; scripts that write): from then on every link is keyed. */
export function useAuditKey(key: AuditKey): void {
  chainKey = key;
  knownKeys.set(key.id, key.secret);
}
const MAX_ATTEMPTS = 100;

export interface AuditInput {
  /** The person, or 'system' for jobs and start-up work. */
  actor: Pick<Actor, 'id' | 'role'> | 'system';
  /** Dotted verb, e.g. 'senior.approve', 'job.run'. */
  action: string;
  entityType: string;
  entityId: string;
  /** Summaries of the entity before and after; PII-looking keys are dropped (see summarise). */
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
}

export interface AuditEntry extends ChainedFields {
  id: string;
  prevHash: string;
  hash: string;
}

/**
 * Appends one entry to the hash chain. Every write path calls this after its own write succeeds,
 * and it answers once the entry is stored. There are no transactions, so a link is claimed
 * optimistically: entry n+1 is built on the newest known link and inserted under its unique `_id`
 * (the zero-padded seq); if another writer took n+1 first, we walk forward and try again.
 *
 * Within one process the entries are group-committed: whoever arrives while a write is in flight
 * waits for the next batch, and a batch is one insert (ordered) on the tip this process last wrote.
 * Twenty order creations at once used to race for the same link (4–5 tries per entry, most of the
 * engine's writes); now they share a few inserts. Other processes still race, and the unique key
 * settles it.
 */
export function recordAudit(input: AuditInput): Promise<AuditEntry> {
  return new Promise((resolve, reject) => {
    waiting.push({ input, resolve, reject });
    void flushWaiting();
  });
}

/** Several entries in this order (an import's enrolments): the same chain as that many recordAudit calls. */
export async function recordAudits(inputs: AuditInput[]): Promise<void> {
  await Promise.all(inputs.map((input) => recordAudit(input)));
}

interface Waiting { input: AuditInput; resolve: (entry: AuditEntry) => void; reject: (error: unknown) => void }
const waiting: Waiting[] = [];
const MAX_BATCH = 500;
let flushing = false;
/** The newest link this process wrote or saw; checked against the database before it is used. */
let knownTip: { seq: number; hash: string } | null = null;

async function flushWaiting(): Promise<void> {
  if (flushing) return;
  flushing = true;
  try {
    while (waiting.length > 0) {
      const batch = waiting.splice(0, MAX_BATCH);
      try {
        const entries = await appendToChain(batch.map((w) => w.input));
        batch.forEach((w, n) => w.resolve(entries[n]!));
      } catch (error) {
        batch.forEach((w) => w.reject(error));
      }
    }
  } finally {
    flushing = false;
  }
}

/**
 * Built on the newest link and inserted `ordered`, so a writer that took one of its places stops
 * the batch there: the entries before are in the chain, the rest are rebuilt on the new tip.
 */
async function appendToChain(inputs: AuditInput[]): Promise<AuditEntry[]> {
  const written: AuditEntry[] = [];
  let pending = inputs;
  for (let attempt = 0; attempt < MAX_ATTEMPTS && pending.length > 0; attempt += 1) {
    const tip = await findChainTip();
    let prevHash = tip.hash;
    const entries = pending.map((input, n) => {
      const actor = input.actor === 'system' ? { id: SYSTEM_ACTOR_ID, role: 'system' } : input.actor;
      const fields: ChainedFields = {
        seq: tip.seq + 1 + n, at: new Date(), actorId: actor.id, actorRole: actor.role, action: input.action, entityType: input.entityType, entityId: input.entityId,
        before: summarise(input.before), after: summarise(input.after), requestId: input.requestId ?? null,
        ...(chainKey ? { keyId: chainKey.id } : {}),
      };
      const hash = hashEntry(prevHash, fields, chainKey);
      const entry = { _id: auditEntryId(fields.seq), ...fields, prevHash, hash };
      prevHash = hash;
      return entry;
    });
    try {
      await AuditEntryModel.collection.insertMany(entries as never[], { ordered: true });
      written.push(...entries.map((entry) => toAuditEntry(entry as AuditEntryDoc)));
      knownTip = { seq: entries.at(-1)!.seq, hash: entries.at(-1)!.hash };
      await advanceHead(knownTip.seq, knownTip.hash);
      return written;
    } catch (error) {
      const writeErrors = (error as { writeErrors?: Array<{ index: number; code?: number }> | { index: number; code?: number } }).writeErrors;
      const first = Array.isArray(writeErrors) ? writeErrors[0] : writeErrors;
      if (!first || first.code !== 11000) throw error;
      written.push(...entries.slice(0, first.index).map((entry) => toAuditEntry(entry as AuditEntryDoc)));
      if (first.index > 0) await advanceHead(entries[first.index - 1]!.seq, entries[first.index - 1]!.hash);
      knownTip = null;
      pending = pending.slice(first.index);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
    }
  }
  throw new Error('audit chain is too contended: could not append the entries');
}

async function findChainTip(): Promise<{ seq: number; hash: string }> {
  // The link this process wrote last, if it is still there and still the last: one read by `_id`.
  // Read once: the anchoring job asks for the tip while a writer may reset it (no await in between).
  const known = knownTip;
  if (known) {
    const found = await AuditEntryModel.find({ _id: { $in: [auditEntryId(known.seq), auditEntryId(known.seq + 1)] } }, { seq: 1, hash: 1 }).lean();
    const mine = found.find((entry) => entry.seq === known.seq);
    if (mine?.hash === known.hash && found.length === 1) return known;
    if (knownTip === known) knownTip = null;
  }
  const head = await AuditHeadModel.findById(HEAD_ID).lean();
  let tip = head ? { seq: head.seq, hash: head.hash } : { seq: 0, hash: GENESIS_HASH };
  for (;;) {
    const next = await AuditEntryModel.findById(auditEntryId(tip.seq + 1), { seq: 1, hash: 1 }).lean();
    if (!next) return tip;
    tip = { seq: next.seq, hash: next.hash };
  }
}

async function advanceHead(seq: number, hash: string): Promise<void> {
  try {
    await AuditHeadModel.updateOne({ _id: HEAD_ID, seq: { $lt: seq } }, { $set: { seq, hash } }, { upsert: true });
  } catch (error) {
    // The head already points further on (another writer was quicker): nothing to do.
    if (!isDuplicateKeyError(error)) throw error;
  }
}

const PII_KEY = /^(idNumber|phone|accountNo|password|passwordHash|visitCode|visitCodeHash|refreshToken|accessToken)$/i;

/** A JSON-safe copy of a summary without fields that would put personal data into the log. */
export function summarise(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (PII_KEY.test(key) ? undefined : v))) as unknown;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  /** seq of the first entry that is missing, altered or out of chain. */
  firstBrokenAt?: number;
  reason?: 'missing_entry' | 'hash_mismatch' | 'chain_mismatch' | 'truncated' | 'unknown_key' | 'anchor_mismatch';
}

/** Streams the whole chain in seq order and recomputes every link. */
export async function verifyAuditChain(): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  let keyedSeen = false;
  /** The links from `expectedSeq` on, as they are now; a broken one ends the verification. */
  const walk = async (): Promise<VerifyResult | null> => {
    const from = expectedSeq === 1 ? {} : { _id: { $gt: auditEntryId(expectedSeq - 1) } };
    for await (const entry of AuditEntryModel.find(from).sort({ _id: 1 }).lean().cursor({ batchSize: 1000 })) {
      if (entry.seq !== expectedSeq) return broken(checked, expectedSeq, 'missing_entry');
      if (entry.prevHash !== prevHash) return broken(checked, entry.seq, 'chain_mismatch');
      // A keyed link verifies only with its key; an unkeyed one after keyed links is a forgery.
      const keyId = (entry as { keyId?: string }).keyId;
      const secret = keyId === undefined ? undefined : knownKeys.get(keyId);
      if (keyId !== undefined && secret === undefined) return broken(checked, entry.seq, 'unknown_key');
      if (keyId === undefined && keyedSeen) return broken(checked, entry.seq, 'hash_mismatch');
      if (hashEntry(prevHash, chainedFieldsOf(entry), secret === undefined ? undefined : { id: keyId as string, secret }) !== entry.hash) return broken(checked, entry.seq, 'hash_mismatch');
      keyedSeen ||= keyId !== undefined;
      checked += 1;
      prevHash = entry.hash;
      expectedSeq += 1;
    }
    return null;
  };
  const first = await walk();
  if (first) return first;
  // Every daily anchor must still be a link of the chain as it is (a rewrite from before it, even
  // re-made with the key, changes the link it recorded).
  // One anchor a day: read with their links in one query, not a round trip each.
  const anchors = await AuditAnchorModel.find({}).sort({ seq: 1 }).lean();
  const linked = new Map((await AuditEntryModel.find({ _id: { $in: anchors.map((anchor) => auditEntryId(anchor.seq)) } }, { seq: 1, hash: 1 }).lean()).map((entry) => [entry.seq, entry.hash]));
  const moved = anchors.find((anchor) => linked.has(anchor.seq) && linked.get(anchor.seq) !== anchor.hash);
  if (moved) return broken(checked, moved.seq, 'anchor_mismatch');
  // The head may lag (crash between insert and head update) but never lead: entries after the last
  // one seen were deleted — unless they were written while the chain was being read (writers do
  // not stop for a verification): those are read and verified too before truncation is reported.
  for (;;) {
    const head = await AuditHeadModel.findById(HEAD_ID).lean();
    if (!head || head.seq < expectedSeq) return { ok: true, checked };
    const before = expectedSeq;
    const more = await walk();
    if (more) return more;
    if (expectedSeq === before) return broken(checked, expectedSeq, 'truncated');
  }
}

function broken(checked: number, firstBrokenAt: number, reason: NonNullable<VerifyResult['reason']>): VerifyResult {
  return { ok: false, checked, firstBrokenAt, reason };
}

function chainedFieldsOf(entry: AuditEntryDoc): ChainedFields {
  return {
    seq: entry.seq,
    at: entry.at,
    actorId: entry.actorId,
    actorRole: entry.actorRole,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    before: entry.before ?? null,
    after: entry.after ?? null,
    requestId: entry.requestId ?? null,
    ...(entry.keyId ? { keyId: entry.keyId } : {}),
  };
}

function toAuditEntry(entry: AuditEntryDoc): AuditEntry {
  return { id: String(entry._id), ...chainedFieldsOf(entry), prevHash: entry.prevHash, hash: entry.hash };
}

export interface AuditFilter {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  from?: Date;
  to?: Date;
  page: number;
  pageSize: number;
}

/** An entry as people read it: who by name, what in words. */
export interface ReadableAuditEntry extends AuditEntry {
  actorName: string;
  actionLabel: string;
  entityTypeLabel: string;
}

function auditQuery(filter: Omit<AuditFilter, 'page' | 'pageSize'>): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  if (filter.entityType) query.entityType = filter.entityType;
  if (filter.entityId) query.entityId = filter.entityId;
  if (filter.actorId) query.actorId = filter.actorId;
  if (filter.from || filter.to) query.at = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
  return query;
}

async function readable(entries: AuditEntry[]): Promise<ReadableAuditEntry[]> {
  const names = await displayNamesOf(entries.map((entry) => entry.actorId));
  return entries.map((entry) => ({
    ...entry,
    actorName: entry.actorId === SYSTEM_ACTOR_ID ? '系统' : (names.get(entry.actorId) ?? entry.actorId),
    actionLabel: auditActionLabel(entry.action),
    entityTypeLabel: auditEntityLabel(entry.entityType),
  }));
}

export async function listAuditEntries(filter: AuditFilter): Promise<Page<ReadableAuditEntry>> {
  const page = await findPage(AuditEntryModel, auditQuery(filter), { _id: -1 }, filter, toAuditEntry);
  return { ...page, items: await readable(page.items) };
}

/**
 * The entries a filter selects, newest first, as CSV (UTF-8 with BOM, for Excel) in batches of 500.
 * An export reads what it writes; past `maxRows` it stops and says so in a last line, so a
 * truncated file can never pass for a whole one.
 */
export async function writeAuditCsv(filter: Omit<AuditFilter, 'page' | 'pageSize'>, options: { maxRows: number; timeZone: string }, stream: Writable): Promise<void> {
  const write = (cells: (string | number | null)[]) => stream.write(`${cells.map(csvCell).join(',')}\r\n`);
  stream.write('\uFEFF');
  write(['序号', '时间', '操作人', '操作人编号', '角色', '操作', '操作代码', '对象类型', '对象编号', '变更前', '变更后', '请求编号']);
  let written = 0;
  let batch: AuditEntry[] = [];
  const flush = async () => {
    for (const entry of await readable(batch)) {
      write([
        entry.seq, businessDateTime(entry.at, options.timeZone), entry.actorName, entry.actorId, ROLE_ZH[entry.actorRole as Role] ?? entry.actorRole,
        entry.actionLabel, entry.action, entry.entityTypeLabel, entry.entityId, jsonCell(entry.before), jsonCell(entry.after), entry.requestId,
      ]);
    }
    batch = [];
  };
  for await (const doc of AuditEntryModel.find(auditQuery(filter)).sort({ _id: -1 }).limit(options.maxRows + 1).lean().cursor({ batchSize: 500 })) {
    if (written === options.maxRows) {
      await flush();
      write([`（仅导出最新的 ${options.maxRows} 条，还有更早的记录：请缩小时间范围后分段导出）`]);
      break;
    }
    batch.push(toAuditEntry(doc as AuditEntryDoc));
    written += 1;
    if (batch.length === 500) await flush();
  }
  await flush();
  await new Promise<void>((resolve) => stream.end(resolve));
}

const jsonCell = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/** The chain's newest link, kept as the day's anchor (the first kept stays: a re-run adds nothing). */
export async function anchorAuditHead(day: string, now: Date): Promise<{ seq: number; hash: string } | null> {
  const tip = await findChainTip();
  if (tip.seq === 0) return null;
  try {
    await AuditAnchorModel.create({ _id: day, seq: tip.seq, hash: tip.hash, at: now });
    return tip;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const kept = await AuditAnchorModel.findById(day).lean();
    return kept ? { seq: kept.seq, hash: kept.hash } : null;
  }
}

/** The newest anchor made before `before` (a period summary prints the one its month ended with). */
export async function latestAuditAnchor(before: Date): Promise<{ day: string; seq: number; hash: string } | null> {
  const [anchor] = await AuditAnchorModel.find({ at: { $lt: before } }).sort({ _id: -1 }).limit(1).lean();
  return anchor ? { day: anchor._id, seq: anchor.seq, hash: anchor.hash } : null;
}

/** Every entry about one entity, oldest first, readable (a data-subject export: the person's own trail). */
export async function auditEntriesAbout(entityType: string, entityId: string): Promise<ReadableAuditEntry[]> {
  // By entityId alone, walked in the (entityId, _id) index; the type is checked here. With the type
  // in the filter too the embedded engine's guard for array values (a MongoDB equality matches an
  // element) read every entry of the type through the entityType index — most of the log for 'senior'.
  const entries = await AuditEntryModel.find({ entityId }).sort({ _id: 1 }).lean();
  return readable(entries.filter((entry) => entry.entityType === entityType).map(toAuditEntry));
}

import { recordAudits, type AuditInput } from '../audit/index.ts';
import type { Config } from '../config/env.ts';
import { logger } from '../shared/logger.ts';
import { ERASED, maskName } from '../shared/pii.ts';
import { addMonthsToDay, businessDay } from '../shared/time.ts';
import { SeniorHistoryModel, SeniorModel } from './senior.model.ts';

export { ERASED };

/**
 * What other capabilities hold of a senior's personal data and erase with it (the outbox's phones of
 * the senior and their contacts): each hook erases what it holds of one senior and answers how many
 * records it changed. Hooks run before the senior is marked erased, so a hook that fails (or a
 * crash) leaves the senior for the next run, which runs every hook again: each must be idempotent.
 */
type PiiEraseHook = (seniorId: string) => Promise<number>;
const eraseHooks: { name: string; hook: PiiEraseHook }[] = [];

/** Registers a hook under a name; the run's counts show `<name>` as the records it changed. The returned function removes it (tests). */
export function onSeniorPiiErase(name: string, hook: PiiEraseHook): () => void {
  const entry = { name, hook };
  eraseHooks.push(entry);
  return () => {
    eraseHooks.splice(eraseHooks.indexOf(entry), 1);
  };
}

/** History fields whose before/after carried contact data (phones appear there masked, addresses in clear). */
const HISTORY_PII_FIELDS = ['phoneMasked', 'address', 'location', 'emergencyContacts'] as const;

const BATCH = 100;

export interface RetentionCounts { [key: string]: number; checked: number; erased: number; hookFailures: number }

/**
 * The retention rule (PIPL art. 19, 47): a senior deactivated (deceased, moved out) more than
 * `piiRetentionYears` whole years before today — by the deactivation's effective day, Asia/Shanghai
 * — keeps no personal data beyond what the records that must stay need. Erased: the ID number
 * (ciphertext and mask), the phone, the address, the home's location, the emergency contacts (names
 * and phones), the PIN hash, and contact data in the senior's history rows. Kept: the ID number's
 * HMAC (a later re-enrolment of the same person is still found as a duplicate, and nobody can read
 * the number from it), the name masked as statements print it (王*英: settlement statements, orders
 * and the audit log must still point to a person), gender, birth date, community, categories,
 * statuses — and, untouched, orders, vouchers and their ledger, settlement and the audit chain.
 * Each erasure is conditional on the senior not being erased yet, so the job is idempotent and two
 * instances cannot erase one senior twice; one audit entry per erased senior.
 */
export async function eraseExpiredSeniorPii(config: Config, now: Date, signal?: AbortSignal): Promise<RetentionCounts> {
  const today = businessDay(now, config.businessTimeZone);
  // Deactivated on or before this day is kept for the full period; strictly before it, more than that.
  const keptFrom = addMonthsToDay(today, -12 * config.piiRetentionYears);
  const counts: RetentionCounts = { checked: 0, erased: 0, hookFailures: 0 };
  for (const { name } of eraseHooks) counts[name] = 0;
  let due: string[] = [];
  const flush = async () => {
    if (due.length > 0) await eraseSeniors(due, { now, keptFrom, years: config.piiRetentionYears }, counts);
    due = [];
  };
  // Status equality goes to the index; the day is compared here (ranges are not pushed down).
  const cursor = SeniorModel.find({ status: 'deactivated', piiErasedAt: null }, { _id: 1, deactivation: 1 }).lean().cursor({ batchSize: 500 });
  for await (const senior of cursor) {
    if (signal?.aborted) break;
    counts.checked += 1;
    const effectiveDate = senior.deactivation?.effectiveDate;
    if (effectiveDate && effectiveDate < keptFrom) due.push(String(senior._id));
    if (due.length >= BATCH) await flush();
  }
  await cursor.close();
  await flush();
  return counts;
}

async function eraseSeniors(ids: string[], run: { now: Date; keptFrom: string; years: number }, counts: RetentionCounts): Promise<void> {
  const audits: AuditInput[] = [];
  for (const senior of await SeniorModel.find({ _id: { $in: ids } }, { name: 1, deactivation: 1, piiErasedAt: 1 }).lean()) {
    if (senior.piiErasedAt) continue;
    if (!(await runEraseHooks(String(senior._id), counts))) continue;
    const erased = await SeniorModel.updateOne(
      { _id: senior._id, status: 'deactivated', piiErasedAt: null },
      {
        $set: {
          name: maskName(senior.name), idNumberEncrypted: ERASED, idNumberMasked: ERASED, phoneEncrypted: ERASED, phoneMasked: ERASED,
          address: ERASED, location: null, emergencyContacts: [], confirmationPinHash: null, piiErasedAt: run.now,
        },
      },
      { timestamps: false },
    );
    if (erased.modifiedCount === 0) continue;
    await eraseHistoryContacts(String(senior._id));
    audits.push({
      actor: 'system', action: 'senior.pii_erase', entityType: 'senior', entityId: String(senior._id),
      after: {
        deactivatedOn: senior.deactivation?.effectiveDate ?? null, retentionYears: run.years,
        erased: ['idNumber', 'phone', 'address', 'location', 'emergencyContacts', 'confirmationPin', 'name (masked)', ...eraseHooks.map(({ name }) => name)],
      },
    });
  }
  if (audits.length > 0) await recordAudits(audits);
  counts.erased += audits.length;
}

/** Every hook for one senior; false (the senior stays for the next run) when one failed. */
async function runEraseHooks(seniorId: string, counts: RetentionCounts): Promise<boolean> {
  for (const { name, hook } of eraseHooks) {
    try {
      counts[name] = (counts[name] ?? 0) + (await hook(seniorId));
    } catch (error) {
      counts.hookFailures += 1;
      logger.error({ err: error, seniorId, hook: name }, 'personal data erase hook failed; the senior is erased on a later run');
      return false;
    }
  }
  return true;
}

/** The senior's history keeps what changed and when; the contact values themselves are erased. */
async function eraseHistoryContacts(seniorId: string): Promise<void> {
  for (const entry of await SeniorHistoryModel.find({ seniorId }, { changes: 1 }).lean()) {
    const changes = (entry.changes ?? {}) as Record<string, unknown>;
    const fields = HISTORY_PII_FIELDS.filter((field) => field in changes);
    if (fields.length === 0) continue;
    const set = Object.fromEntries(fields.map((field) => [`changes.${field}`, { before: ERASED, after: ERASED }]));
    await SeniorHistoryModel.updateOne({ _id: entry._id }, { $set: set });
  }
}

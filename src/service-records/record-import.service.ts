import { rm } from 'node:fs/promises';
import { recordAudit } from '../audit/index.ts';
import { caregiverIntervals, recordedVisitsByKey, recordKeyOf, recordVisit, type CaregiverInterval, type OrderFlag, type RecordedVisit } from '../dispatch/index.ts';
import { caregiversByPhoneHash, contractsOfProvider, getCommunity, getProvider, listServiceTypes, validContractAmong, type CaregiverView, type ContractView, type ServiceTypeView } from '../organisation/index.ts';
import { SENIOR_STATUS_ZH, seniorsByIdNumberHmac, verifyConfirmationPin, type SeniorRecordFacts } from '../seniors/index.ts';
import { DomainError, isDomainError } from '../shared/errors.ts';
import { distanceM, toWgs84 } from '../shared/geo.ts';
import { ERROR_MESSAGES, localise } from '../shared/i18n.ts';
import { hmacPii } from '../shared/pii.ts';
import { readSheetRecords } from '../shared/sheets/sheet-rows.ts';
import { businessDay, businessMonth } from '../shared/time.ts';
import { cappedRatePct, capsForService, computeEntitlement, policyForMonth, subsidyFor, type VoucherPolicy } from '../vouchers/index.ts';
import { RECORD_COLUMNS, type RecordColumn, type RecordFields } from './record-columns.ts';
import { parseRecordFields, type CellError, type ParsedRecord } from './record-fields.ts';
import type { SheetImportContext } from '../shared/sheets/import-context.ts';

export interface RecordRowResult {
  row: number;
  status: 'created' | 'duplicate' | 'rejected';
  orderId?: string;
  errors?: { column: string; message: string }[];
}

export interface RecordImportReport {
  total: number;
  created: number;
  duplicates: number;
  rejected: number;
  rows: RecordRowResult[];
}

/** The import's caller and settings (shared/sheets): the same for every sheet import. */
export type RecordImportContext = SheetImportContext;

/** Rows checked together: one read each for their seniors, caregivers, earlier uploads and the caregivers' days. */
const BATCH_ROWS = 200;
/** Seniors whose rows are written at once (each senior's own rows go one after another: one voucher account). */
const PARALLEL_SENIORS = 4;

/**
 * Takes in a provider's month of visit records from its own system (POST /service-records/imports).
 * Each row is checked as a live visit is — the senior registered and active at the visit, a valid
 * contract for the service in the senior's community that day, a caregiver of this provider, active,
 * with the skill, the senior's vouchers covering the subsidy — and its evidence is judged the same way
 * and flagged, never refused: check-in and check-out beyond the geofence (after the datum), shorter
 * than half the expected time, overlapping another visit of the caregiver. A good row becomes a
 * `completed` order (source provider_record) awaiting its confirmation by callback or the review
 * sample, or `confirmed` when the senior's PIN came with it. Rows are answered one by one; a refused
 * row writes nothing. The provider's record id makes a row unique: the same row again is a duplicate.
 */
export async function importServiceRecords(file: { path: string; originalName: string }, providerId: string, ctx: RecordImportContext): Promise<RecordImportReport> {
  const report: RecordImportReport = { total: 0, created: 0, duplicates: 0, rejected: 0, rows: [] };
  try {
    const provider = await getProvider(providerId);
    if (!provider) throw new DomainError('NOT_FOUND');
    if (provider.status !== 'active') throw new DomainError('NOT_ELIGIBLE', [{ path: 'providerId', message: '服务商已暂停，不能上传服务记录' }]);
    const upload = new Upload(providerId, await contractsOfProvider(providerId), await listServiceTypes(), ctx);
    let batch: { row: number; fields: RecordFields }[] = [];
    const flush = async () => {
      for (const result of await upload.importBatch(batch)) {
        report.rows.push(result);
        report.total += 1;
        if (result.status === 'created') report.created += 1;
        else if (result.status === 'duplicate') report.duplicates += 1;
        else report.rejected += 1;
      }
      batch = [];
    };
    for await (const record of readSheetRecords(file, RECORD_COLUMNS)) {
      if (ctx.signal?.aborted) break;
      batch.push(record);
      if (batch.length >= BATCH_ROWS) await flush();
    }
    if (!ctx.signal?.aborted) await flush();
  } finally {
    await rm(file.path, { force: true });
  }
  await recordAudit({
    actor: ctx.actor, action: 'service_record.import', entityType: 'service_record_file', entityId: file.originalName.slice(0, 120), requestId: ctx.requestId,
    after: { providerId, total: report.total, created: report.created, duplicates: report.duplicates, rejected: report.rejected, ...(ctx.signal?.aborted ? { reason: 'client gone' } : {}) },
  });
  return report;
}

/** A row that passed the checks, with what its order needs. */
interface CheckedRow { at: number; row: number; visit: RecordedVisit; pin: string | null }

/** One upload: what stays the same for all its rows, and the visits it has taken so far (overlaps across batches). */
class Upload {
  /** The catalogue by code (lower case) and by Chinese name; a name two services share maps to null. */
  private readonly serviceByKey = new Map<string, ServiceTypeView | null>();
  private readonly policies = new Map<string, Promise<VoucherPolicy | null>>();
  /** Record keys this upload has made an order for (a row repeated in the file is a duplicate of it). */
  private readonly keysTaken = new Map<string, string>();
  /** The intervals of the visits this upload created, by caregiver. */
  private readonly uploadedIntervals = new Map<string, CaregiverInterval[]>();
  private readonly now: Date;

  constructor(
    private readonly providerId: string,
    private readonly contracts: ContractView[],
    catalogue: ServiceTypeView[],
    private readonly ctx: RecordImportContext,
  ) {
    for (const type of catalogue) this.serviceByKey.set(type.name, this.serviceByKey.has(type.name) ? null : type);
    for (const type of catalogue) this.serviceByKey.set(type.code.toLowerCase(), type);
    this.now = ctx.now ?? new Date();
  }

  async importBatch(rows: { row: number; fields: RecordFields }[]): Promise<RecordRowResult[]> {
    const { config } = this.ctx;
    const results: RecordRowResult[] = new Array(rows.length);
    const parsed: { at: number; row: number; record: ParsedRecord }[] = [];
    for (const [at, { row, fields }] of rows.entries()) {
      const outcome = parseRecordFields(fields, config.businessTimeZone);
      if (outcome.ok) parsed.push({ at, row, record: outcome.value });
      else results[at] = this.rejected(row, outcome.errors);
    }
    const tz = config.businessTimeZone;
    const [seniors, caregivers, earlier] = await Promise.all([
      seniorsByIdNumberHmac(parsed.map(({ record }) => hmacPii(config.pii, record.idNumber))),
      caregiversByPhoneHash(this.providerId, parsed.map(({ record }) => hmacPii(config.pii, record.caregiverPhone))),
      recordedVisitsByKey(parsed.map(({ record }) => recordKeyOf(this.providerId, record.externalId)), this.ctx.actor.id),
    ]);
    const checked: CheckedRow[] = [];
    for (const { at, row, record } of parsed) {
      const key = recordKeyOf(this.providerId, record.externalId);
      const existing = earlier.get(key) ?? this.keysTaken.get(key);
      if (existing) {
        results[at] = { row, status: 'duplicate', orderId: existing };
        continue;
      }
      const senior = seniors.get(hmacPii(config.pii, record.idNumber)) ?? null;
      const caregiver = caregivers.get(hmacPii(config.pii, record.caregiverPhone)) ?? null;
      const outcome = await this.check(record, senior, caregiver);
      if ('errors' in outcome) results[at] = this.rejected(row, outcome.errors);
      else checked.push({ at, row, visit: outcome.visit, pin: record.seniorPin });
    }
    // Overlaps: with the caregivers' visits already recorded on those days, and with this upload's.
    const days = checked.flatMap(({ visit }) => [businessDay(visit.checkIn.at, tz), businessDay(visit.checkOut.at, tz)]);
    const recorded = await caregiverIntervals(checked.map(({ visit }) => visit.caregiverId), days, this.now);
    const byCaregiver = new Map<string, CaregiverInterval[]>();
    for (const interval of recorded) byCaregiver.set(interval.caregiverId, [...(byCaregiver.get(interval.caregiverId) ?? []), interval]);
    // A row repeating an earlier one of the file adds no visit of its own (it will be a duplicate).
    // A row refused at writing (a wrong PIN, vouchers spent meanwhile) has already counted here:
    // a later overlapping row may carry a flag that never refuses it — rare, and a reviewer sees both.
    const keysInBatch = new Set<string>();
    for (const { visit } of checked) {
      const key = recordKeyOf(this.providerId, visit.externalId);
      if (keysInBatch.has(key)) continue;
      keysInBatch.add(key);
      const own = [...(byCaregiver.get(visit.caregiverId) ?? []), ...(this.uploadedIntervals.get(visit.caregiverId) ?? [])];
      if (own.some((other) => other.checkInAt.getTime() < visit.checkOut.at.getTime() && other.endsAt.getTime() > visit.checkIn.at.getTime())) visit.flags.push('caregiver_overlap');
      const interval = { orderId: '', caregiverId: visit.caregiverId, checkInAt: visit.checkIn.at, endsAt: visit.checkOut.at };
      this.uploadedIntervals.set(visit.caregiverId, [...(this.uploadedIntervals.get(visit.caregiverId) ?? []), interval]);
    }
    await this.write(checked, results);
    return results;
  }

  /** The row's senior, service, caregiver, contract and times, checked; priced and flagged when they hold. */
  private async check(record: ParsedRecord, senior: SeniorRecordFacts | null, caregiver: CaregiverView | null): Promise<{ visit: RecordedVisit } | { errors: CellError[] }> {
    const { config } = this.ctx;
    const tz = config.businessTimeZone;
    const errors: CellError[] = [];
    const error = (column: RecordColumn, zh: string, en: string) => errors.push({ column, message: { zh, en } });

    const ageDays = (this.now.getTime() - record.checkInAt.getTime()) / 86_400_000;
    if (ageDays > config.visitRecords.uploadMaxAgeDays) error('checkInAt', `签到时间早于 ${config.visitRecords.uploadMaxAgeDays} 天前，已超过上传时限`, `the visit is older than ${config.visitRecords.uploadMaxAgeDays} days`);
    if (record.checkOutAt.getTime() > this.now.getTime() + config.visitRecords.driftMinutes * 60_000) error('checkOutAt', '签退时间晚于现在，只能上传已经结束的服务', 'the check-out is in the future');

    const found = this.serviceByKey.get(record.service.toLowerCase()) ?? this.serviceByKey.get(record.service);
    const service = found ?? null;
    if (found === null) error('serviceTypeCode', `服务目录中有多个名为“${record.service}”的服务项目，请填写服务编码`, `several services are named "${record.service}": give the code`);
    else if (!found) error('serviceTypeCode', `服务目录中没有“${record.service}”（可填服务编码或名称）`, `no service "${record.service}" in the catalogue`);

    const day = businessDay(record.checkInAt, tz);
    if (!senior) {
      error('seniorIdNumber', '系统中没有登记这位老人，请核对身份证号', 'no registered senior has this ID number');
    } else {
      const status = senior.statusAt(record.checkInAt, tz);
      if (status !== 'active') error('seniorIdNumber', `服务时老人的状态为“${SENIOR_STATUS_ZH[status]}”，只有在册老人的服务可以上传`, `the senior was ${status} at the visit`);
    }
    if (!caregiver) {
      error('caregiverPhone', '本服务商没有使用这个手机号的护理员，请先在系统中登记护理员', 'no caregiver of this provider has this phone');
    } else if (caregiver.status !== 'active') {
      error('caregiverPhone', `护理员 ${caregiver.name} 已停用`, 'the caregiver is inactive');
    } else if (service && !caregiver.skills.includes(service.code)) {
      error('caregiverPhone', `护理员 ${caregiver.name} 不具备“${service.name}”技能`, `the caregiver lacks the skill ${service.code}`);
    }
    const contract = senior && service ? validContractAmong(this.contracts, { providerId: this.providerId, serviceTypeCode: service.code, communityId: senior.communityId, day }) : null;
    if (senior && service && !contract) error('serviceTypeCode', `${day} 本服务商在老人所在社区没有覆盖“${service.name}”的有效合同`, `no valid contract for ${service.code} in the senior's community on ${day}`);
    const home = senior ? (senior.location ?? (await getCommunity(senior.communityId))?.location ?? null) : null;
    if (senior && !home) error('seniorIdNumber', '老人和所在社区都没有位置，无法核对签到位置', 'neither the senior nor the community has a location');
    if (errors.length > 0 || !senior || !service || !caregiver || !contract || !home) return { errors };

    const month = businessMonth(record.checkInAt, tz);
    const policy = await this.policyOf(month);
    // The policy's share cap for the service lowers the senior's rate (a rule, not a refusal).
    const subsidyRatePct = policy ? cappedRatePct(computeEntitlement(policy, { ...senior.basisFor(month), birthDate: senior.birthDate }, month).subsidyRatePct, capsForService(policy.caps, service.code)) : 0;
    const priceFen = contract.unitPriceFen * record.quantity;
    const expectedMinutes = service.minutesPerUnit * record.quantity;
    const checkIn = toWgs84(record.checkIn, record.coordSystem);
    const checkOut = toWgs84(record.checkOut, record.coordSystem);
    const visit: RecordedVisit = {
      providerId: this.providerId, externalId: record.externalId, caregiverId: caregiver.id,
      senior: { seniorId: senior.seniorId, communityId: senior.communityId, streetId: senior.streetId, location: home },
      serviceTypeCode: service.code, quantity: record.quantity, expectedMinutes, priceFen, subsidyFen: subsidyFor(priceFen, subsidyRatePct), subsidyRatePct,
      checkIn: { at: record.checkInAt, ...checkIn, distanceM: distanceM(checkIn, home) },
      checkOut: { at: record.checkOutAt, ...checkOut, distanceM: distanceM(checkOut, home) },
      flags: [],
      confirmedByPin: false,
    };
    // The flags a live visit would carry (order-visit.service.ts); the overlap is added by the batch.
    const flags: OrderFlag[] = [];
    if (visit.checkIn.distanceM > config.geofenceM) flags.push('geofence_check_in');
    if (visit.checkOut.distanceM > config.geofenceM) flags.push('geofence_check_out');
    if ((record.checkOutAt.getTime() - record.checkInAt.getTime()) / 60_000 < expectedMinutes / 2) flags.push('short_visit');
    visit.flags = flags;
    return { visit };
  }

  /** Each senior's rows in order (one voucher account, one PIN), a few seniors at once. */
  private async write(checked: CheckedRow[], results: RecordRowResult[]): Promise<void> {
    const bySenior = new Map<string, CheckedRow[]>();
    for (const row of checked) bySenior.set(row.visit.senior.seniorId, [...(bySenior.get(row.visit.senior.seniorId) ?? []), row]);
    const queue = [...bySenior.values()];
    const worker = async () => {
      for (let rows = queue.shift(); rows; rows = queue.shift()) {
        for (const row of rows) results[row.at] = await this.writeRow(row);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_SENIORS, queue.length) }, worker));
  }

  private async writeRow({ row, visit, pin }: CheckedRow): Promise<RecordRowResult> {
    const key = recordKeyOf(this.providerId, visit.externalId);
    const taken = this.keysTaken.get(key);
    if (taken) return { row, status: 'duplicate', orderId: taken };
    if (pin !== null) {
      // Checked last, once everything else holds: a row refused for another reason spends no try.
      try {
        await verifyConfirmationPin(visit.senior.seniorId, pin, this.ctx.config);
        visit.confirmedByPin = true;
      } catch (error) {
        if (!isDomainError(error)) throw error;
        // The PIN's refusal in its own words (wrong, tries left, locked, none yet).
        const zh = error.details[0] ? localise(error.details[0].message, 'zh') : ERROR_MESSAGES[error.code].zh;
        return this.rejected(row, [{ column: 'seniorPin', message: { zh, en: ERROR_MESSAGES[error.code].en } }]);
      }
    }
    const outcome = await recordVisit(visit, { actor: this.ctx.actor, config: this.ctx.config, requestId: this.ctx.requestId, now: this.now });
    if (outcome.status === 'rejected') return this.rejected(row, outcome.errors);
    this.keysTaken.set(key, outcome.orderId);
    return { row, status: outcome.status, orderId: outcome.orderId };
  }

  private rejected(row: number, errors: { column: string; message: { zh: string; en: string } }[]): RecordRowResult {
    return { row, status: 'rejected', errors: errors.map((error) => ({ column: error.column, message: error.message[this.ctx.lang] })) };
  }

  private policyOf(month: string): Promise<VoucherPolicy | null> {
    let policy = this.policies.get(month);
    if (!policy) {
      policy = policyForMonth(month);
      this.policies.set(month, policy);
    }
    return policy;
  }
}

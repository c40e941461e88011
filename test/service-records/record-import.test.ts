import { expect } from 'chai';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import mongoose from 'mongoose';
import request from 'supertest';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { upsertServiceType } from '../../src/organisation/index.ts';
import { enrolSenior, transitionSenior } from '../../src/seniors/index.ts';
import { gcj02ToWgs84, wgs84ToGcj02 } from '../../src/shared/geo.ts';
import { businessDateTime, businessMonth } from '../../src/shared/time.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { setImportMaxRows } from '../../src/shared/sheets/sheet-rows.ts';
import { EntryModel } from '../../src/vouchers/ledger.model.ts';
import { createVoucherPolicy, issueMonth } from '../../src/vouchers/index.ts';
import { authFor, createTestApp, createTestUser } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { makeCaregiver, makeCommunity, makeContract, makeProvider, makeServiceType, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody, idNumberBornOn } from '../seniors/senior.fixtures.ts';

/*
 * A provider uploads the visits its own app recorded. The world: one community whose location is the
 * seniors' home (117.2541, 31.8457), a cleaning service of 60 minutes an hour at 40 yuan an hour, a
 * provider with a contract and two caregivers (one without the skill), seniors living alone with
 * 100 yuan of vouchers a month at a 50% rate: an hour's visit holds 20 yuan.
 */
const HOME = { lng: 117.2541, lat: 31.8457 };
const HEADER = '老人身份证号,服务项目,数量,护理员手机号,签到时间,签到经度,签到纬度,签退时间,签退经度,签退纬度,坐标系,外部记录号,老人确认码';
const TZ = 'Asia/Shanghai';
const NEAR = { lng: HOME.lng + 0.0002, lat: HOME.lat + 0.0001 }; // ~22 m from home
const FAR = { lng: HOME.lng + 0.02, lat: HOME.lat }; // ~1.9 km

describe('POST /service-records/imports', function () {
  this.timeout(120_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  let w: Awaited<ReturnType<typeof buildWorld>>;
  /** A visit start in the recent past, on the minute: rows' times are taken relative to it. */
  const base = new Date(Math.floor((Date.now() - 30 * 3_600_000) / 60_000) * 60_000);
  const local = (minutes: number) => businessDateTime(new Date(base.getTime() + minutes * 60_000), TZ).slice(0, 16);

  async function buildWorld() {
    const street = await makeStreet();
    const community = await makeCommunity(street);
    const cleaning = await makeServiceType('clean_upload');
    const meals = await upsertServiceType({ code: 'meal_upload', name: '助餐', unit: 'meal', minutesPerUnit: 30, emergency: false, onSite: false });
    const provider = await makeProvider([community.id]);
    const other = await makeProvider([community.id]);
    await makeContract(provider.id, [community.id], [{ serviceTypeCode: cleaning.code, unitPriceFen: 4_000 }, { serviceTypeCode: meals.code, unitPriceFen: 1_500 }], '2020-01-01', '2099-12-31');
    const caregiver = await makeCaregiver(config.pii, provider.id, [cleaning.code], '13900001111');
    const unskilled = await makeCaregiver(config.pii, provider.id, [meals.code], '13900002222');
    const admin = await createTestUser('admin');
    const approver = await createTestUser('admin');
    await createVoucherPolicy({ actor: admin, requestId: null, lang: 'zh' }, {
      name: '上传测试', effectiveFrom: '2020-01', combine: 'max', categories: [{ category: 'living_alone', monthlyAmountFen: 10_000, subsidyRatePct: 50 }],
      careLevelSupplementFen: [0, 0, 0, 0, 0, 0], defaultSubsidyRatePct: 50, fundingSplit: { cityPct: 60, districtPct: 40 }, expiry: { mode: 'end_of_month' },
    });
    const enrolledAt = new Date(base.getTime() - 3 * 86_400_000);
    const senior = async (birthDate: string) => {
      const idNumber = idNumberBornOn(birthDate);
      const enrolled = await enrolSenior(enrolmentBody(community.id, { idNumber, categories: ['living_alone'] }), { actor: admin, config, requestId: null, lang: 'zh', now: enrolledAt });
      await transitionSenior(enrolled.id, { action: 'approve' }, { actor: approver, config, requestId: null, lang: 'zh', now: new Date(enrolledAt.getTime() + 60_000) });
      return { id: enrolled.id, idNumber, pin: enrolled.confirmationPin as string };
    };
    const seniors = { a: await senior('1948-02-03'), b: await senior('1949-04-05'), c: await senior('1950-06-07'), d: await senior('1952-01-02'), suspended: await senior('1951-08-09') };
    await transitionSenior(seniors.suspended.id, { action: 'suspend', reason: '住院' }, { actor: approver, config, requestId: null, lang: 'zh', now: new Date(base.getTime() - 86_400_000) });
    for (const month of new Set([businessMonth(enrolledAt, TZ), businessMonth(base, TZ), businessMonth(new Date(), TZ)])) await issueMonth(month, 'test');
    const providerAdmin = await authFor(config, 'provider_admin', { providerId: provider.id });
    const otherAdmin = await authFor(config, 'provider_admin', { providerId: other.id });
    return { community, cleaning, meals, provider, other, caregiver, unskilled, seniors, providerAdmin, otherAdmin, admin: await authFor(config, 'admin') };
  }

  before(async () => {
    w = await buildWorld();
  });

  type Row = { idNumber: string; service?: string; quantity?: number; phone?: string; start: number; minutes: number; at?: { lng: number; lat: number }; coord?: string; id: string; pin?: string };
  const line = (r: Row) => {
    const at = r.at ?? NEAR;
    return [r.idNumber, r.service ?? 'clean_upload', r.quantity ?? 1, r.phone ?? '13900001111', local(r.start), at.lng, at.lat, local(r.start + r.minutes), at.lng, at.lat, r.coord ?? '', r.id, r.pin ?? ''].join(',');
  };
  const csv = (rows: Row[]) => `\uFEFF${HEADER}\n${rows.map(line).join('\n')}\n`;
  const upload = (content: string | Buffer, auth = w.providerAdmin.authorization, query = '', name = 'records.csv') =>
    request(app).post(`/api/v1/service-records/imports${query}`).set('Authorization', auth).attach('file', Buffer.isBuffer(content) ? content : Buffer.from(content), name);
  const ordersOf = (externalIds: string[]) => OrderModel.find({ externalId: { $in: externalIds }, providerId: w.provider.id }).lean();
  const heldFor = async (orderId: string) => (await EntryModel.findById(`hold:${orderId}`).lean())?.heldDeltaFen ?? null;

  describe('a file with good and bad rows', () => {
    let res: request.Response;
    const rows = (): Row[] => [
      { idNumber: w.seniors.a.idNumber, start: 0, minutes: 62, id: 'R-1' },
      { idNumber: w.seniors.a.idNumber, start: 24 * 60 - 600, minutes: 55, id: 'R-2', pin: w.seniors.a.pin },
      { idNumber: w.seniors.b.idNumber, start: 90, minutes: 25, at: FAR, id: 'R-3' },
      { idNumber: idNumberBornOn('1947-01-01'), start: 200, minutes: 60, id: 'R-4' },
      { idNumber: w.seniors.b.idNumber, service: '不存在的服务', start: 300, minutes: 60, id: 'R-5' },
      { idNumber: w.seniors.b.idNumber, phone: '13900002222', start: 300, minutes: 60, id: 'R-6' },
      { idNumber: w.seniors.suspended.idNumber, start: 300, minutes: 60, id: 'R-7' },
      { idNumber: w.seniors.d.idNumber, quantity: 6, start: 120, minutes: 360, id: 'R-8' },
      { idNumber: w.seniors.a.idNumber, start: 0, minutes: 62, id: 'R-1' },
    ];

    before(async () => {
      const content = csv(rows()) + `${w.seniors.d.idNumber},clean_upload,1,13900001111,2026-13-01 09:00,${NEAR.lng},${NEAR.lat},${local(30)},${NEAR.lng},${NEAR.lat},,R-9,\n`;
      res = await upload(content);
    });

    it('answers each row: created, confirmed by PIN, flagged, and refused with the column at fault', () => {
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({ total: 10, created: 3, duplicates: 1, rejected: 6 });
      const byRow = new Map(res.body.rows.map((r: { row: number }) => [r.row, r]));
      for (const row of [2, 3, 4]) expect(byRow.get(row)).to.include({ status: 'created' });
      const errorsOf = (row: number) => (byRow.get(row) as { errors: { column: string; message: string }[] }).errors;
      expect(errorsOf(5)).to.deep.equal([{ column: 'seniorIdNumber', message: '系统中没有登记这位老人，请核对身份证号' }]);
      expect(errorsOf(6)[0]).to.include({ column: 'serviceTypeCode' });
      expect(errorsOf(6)[0]!.message).to.include('不存在的服务');
      expect(errorsOf(7)[0]).to.include({ column: 'caregiverPhone' });
      expect(errorsOf(7)[0]!.message).to.match(/不具备“助洁”技能/);
      expect(errorsOf(8)[0]!.message).to.include('暂停服务');
      expect(errorsOf(9)[0]).to.include({ column: 'seniorIdNumber' });
      expect(errorsOf(9)[0]!.message).to.match(/可用余额 100\.00 元，不足本次补贴 120\.00 元/);
      expect(byRow.get(10)).to.deep.include({ status: 'duplicate', orderId: (byRow.get(2) as { orderId: string }).orderId });
      expect(errorsOf(11)).to.deep.equal([{ column: 'checkInAt', message: '签到时间应写作 2026-11-03 09:05（北京时间）或带时区的 ISO 8601 时间' }]);
    });

    it('makes a completed order per good row, in WGS-84 with distances and flags, the subsidy held', async () => {
      const orders = new Map((await ordersOf(['R-1', 'R-2', 'R-3'])).map((order) => [order.externalId, order]));
      expect(orders.size).to.equal(3);
      const r1 = orders.get('R-1')!;
      expect(r1).to.deep.include({ source: 'provider_record', status: 'completed', seniorId: w.seniors.a.id, caregiverId: w.caregiver.id, priceFen: 4_000, subsidyFen: 2_000, selfPayFen: 2_000, durationMinutes: 62, flags: [], isFlagged: false, confirmation: null, holdRef: String(r1._id) });
      expect(r1.number).to.match(/^GD\d{12}$/);
      expect(r1.checkIn?.at?.getTime()).to.equal(base.getTime());
      expect(r1.checkIn?.distanceM).to.be.within(15, 30);
      expect(await heldFor(String(r1._id))).to.equal(2_000);
      // The senior's PIN came with R-2: confirmed at once, its hold redeemed.
      const r2 = orders.get('R-2')!;
      expect(r2).to.deep.include({ status: 'confirmed', confirmedMonth: businessMonth(new Date(), TZ) });
      expect(r2.confirmation).to.include({ method: 'senior_pin', by: w.providerAdmin.actor.id });
      expect((await EntryModel.findById(`redeem:${String(r2._id)}`).lean())?.balanceDeltaFen).to.equal(-2_000);
      // Checked in 1.9 km away and 25 minutes of an hour: flagged, never refused.
      expect(orders.get('R-3')).to.deep.include({ flags: ['geofence_check_in', 'geofence_check_out', 'short_visit'], isFlagged: true });
    });

    it('writes nothing for a refused row', async () => {
      expect(await ordersOf(['R-4', 'R-5', 'R-6', 'R-7', 'R-8', 'R-9'])).to.have.length(0);
      expect(await EntryModel.countDocuments({ seniorId: w.seniors.d.id, type: { $in: ['hold', 'redeem'] } })).to.equal(0);
    });

    it('takes the same file again as duplicates: nothing made or held twice', async () => {
      const before = { orders: await OrderModel.countDocuments({}), entries: await EntryModel.countDocuments({}) };
      const again = await upload(csv(rows()));
      expect(again.status).to.equal(200);
      expect(again.body).to.include({ total: 9, created: 0, duplicates: 4, rejected: 5 });
      expect(await OrderModel.countDocuments({})).to.equal(before.orders);
      expect(await EntryModel.countDocuments({})).to.equal(before.entries);
    });
  });

  it('finishes an order a crash left without its hold when the row comes again', async () => {
    // As the process leaves it when it dies between the order's insert and its hold.
    const id = new mongoose.Types.ObjectId();
    const start = new Date(base.getTime() + 9 * 3_600_000);
    await OrderModel.collection.insertOne({
      _id: id, recordKey: `${w.provider.id}:R-CRASH`, externalId: 'R-CRASH', number: 'GD209901010001', seniorId: w.seniors.b.id, communityId: w.community.id, streetId: w.community.streetId,
      seniorLocation: HOME, preferredProviderId: null, serviceTypeCode: 'clean_upload', quantity: 1, expectedMinutes: 60, scheduledStart: start, scheduledDay: '2099-01-01', notes: null,
      source: 'provider_record', priority: 'normal', status: 'completed', providerId: w.provider.id, caregiverId: w.caregiver.id, offer: null, offeredTo: null, dispatch: { attempts: [] }, rankingRef: null,
      priceFen: 4_000, subsidyFen: 2_000, selfPayFen: 2_000, subsidyRatePct: 50, holdRef: String(id), visitCodeHash: 'x', visitCodeFailures: 0, checkIn: null, checkOut: null, durationMinutes: 60,
      flags: [], isFlagged: false, confirmation: null, createdBy: w.providerAdmin.actor.id, createdAt: new Date(), updatedAt: new Date(),
    } as never);
    expect(await heldFor(String(id))).to.equal(null);

    const res = await upload(csv([{ idNumber: w.seniors.b.idNumber, start: 9 * 60, minutes: 60, id: 'R-CRASH' }]));

    expect(res.status).to.equal(200);
    expect(res.body.rows[0]).to.deep.include({ status: 'duplicate', orderId: String(id) });
    expect(await heldFor(String(id))).to.equal(2_000);
    const again = await upload(csv([{ idNumber: w.seniors.b.idNumber, start: 9 * 60, minutes: 60, id: 'R-CRASH' }]));
    expect(again.body.rows[0]).to.deep.include({ status: 'duplicate' });
    expect(await EntryModel.countDocuments({ _id: `hold:${String(id)}` })).to.equal(1);
  });

  it('flags a caregiver\'s second visit that overlaps her first, in the file and against earlier uploads', async () => {
    const first = await upload(csv([
      { idNumber: w.seniors.c.idNumber, start: 60 * 13, minutes: 60, id: 'O-1' },
      { idNumber: w.seniors.b.idNumber, start: 60 * 13 + 30, minutes: 60, id: 'O-2' },
    ]));
    expect(first.body).to.include({ created: 2 });
    const second = await upload(csv([{ idNumber: w.seniors.c.idNumber, start: 60 * 13 + 45, minutes: 25, id: 'O-3' }]));
    expect(second.body).to.include({ created: 1 });
    const flags = new Map((await ordersOf(['O-1', 'O-2', 'O-3'])).map((order) => [order.externalId, order.flags]));
    expect(flags.get('O-1')).to.deep.equal([]);
    expect(flags.get('O-2')).to.deep.equal(['caregiver_overlap']);
    expect(flags.get('O-3')).to.deep.equal(['short_visit', 'caregiver_overlap']);
  });

  it('converts GCJ-02 points before the geofence: the door in map coordinates is not flagged, the same numbers as GPS are', async () => {
    const door = wgs84ToGcj02(HOME);
    const res = await upload(csv([
      { idNumber: w.seniors.c.idNumber, start: 60 * 15, minutes: 60, at: door, coord: 'GCJ-02', id: 'G-1' },
      { idNumber: w.seniors.c.idNumber, start: 60 * 16, minutes: 60, at: door, coord: '', id: 'G-2' },
    ]));
    expect(res.body).to.include({ created: 2 });
    const orders = new Map((await ordersOf(['G-1', 'G-2'])).map((order) => [order.externalId, order]));
    expect(orders.get('G-1')!.flags).to.deep.equal([]);
    expect(orders.get('G-1')!.checkIn?.lng).to.be.closeTo(gcj02ToWgs84(door).lng, 1e-9);
    expect(orders.get('G-2')!.flags).to.deep.equal(['geofence_check_in', 'geofence_check_out']);
  });

  it('reads GBK CSV and XLSX with date-time cells the same way', async () => {
    const gbk = iconv.encode(csv([{ idNumber: w.seniors.a.idNumber, service: '助洁', start: 60 * 17, minutes: 60, id: 'F-GBK' }]).slice(1), 'gbk');
    const fromGbk = await upload(gbk, w.providerAdmin.authorization, '', 'records-gbk.csv');
    expect(fromGbk.body, JSON.stringify(fromGbk.body)).to.include({ created: 1 });

    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('服务记录');
    sheet.addRow(HEADER.split(','));
    // Excel keeps the wall-clock reading; exceljs hands it over as that reading in UTC.
    const reading = (minutes: number) => new Date(`${local(minutes).replace(' ', 'T')}:00Z`);
    sheet.addRow([w.seniors.b.idNumber, 'clean_upload', 1, '13900001111', reading(60 * 18), NEAR.lng, NEAR.lat, reading(60 * 18 + 50), NEAR.lng, NEAR.lat, 'wgs84', 'F-XLSX', '']);
    const fromXlsx = await upload(Buffer.from(await workbook.xlsx.writeBuffer()), w.providerAdmin.authorization, '', 'records.xlsx');
    expect(fromXlsx.body, JSON.stringify(fromXlsx.body)).to.include({ created: 1 });
    const [order] = await ordersOf(['F-XLSX']);
    expect(order!.checkIn?.at?.getTime()).to.equal(base.getTime() + 18 * 3_600_000);
    expect(order!.durationMinutes).to.equal(50);
  });

  it('refuses a wrong PIN on its row, spending one try, and makes nothing', async () => {
    const wrong = w.seniors.b.pin === '000000' ? '111111' : '000000';
    const res = await upload(csv([{ idNumber: w.seniors.b.idNumber, start: 60 * 19, minutes: 60, id: 'P-1', pin: wrong }]));
    expect(res.body.rows[0]).to.deep.include({ status: 'rejected' });
    expect(res.body.rows[0].errors[0]).to.include({ column: 'seniorPin' });
    expect(res.body.rows[0].errors[0].message).to.match(/个人确认码不正确/);
    expect(await ordersOf(['P-1'])).to.have.length(0);
  });

  it('takes an admin\'s upload for the provider named, and refuses what it cannot place', async () => {
    const header = `${HEADER}\n`;
    expect((await upload(header, w.admin.authorization)).status).to.equal(400);
    expect((await upload(header, w.admin.authorization, `?providerId=${w.provider.id}`)).body).to.include({ total: 0 });
    // Another provider's staff naming this provider: not theirs to see.
    expect((await upload(header, w.otherAdmin.authorization, `?providerId=${w.provider.id}`)).status).to.equal(404);
    // The other provider has no contract and none of these caregivers: every row refused, nothing made.
    const res = await upload(csv([{ idNumber: w.seniors.a.idNumber, start: 60 * 20, minutes: 60, id: 'X-1' }]), w.otherAdmin.authorization);
    expect(res.body.rows[0].errors.map((e: { column: string }) => e.column)).to.deep.equal(['caregiverPhone', 'serviceTypeCode']);
    expect(await OrderModel.countDocuments({ providerId: w.other.id })).to.equal(0);
    const missingColumns = await upload('老人身份证号,服务项目\n1,2\n');
    expect(missingColumns.status).to.equal(400);
    expect(missingColumns.body.error.message).to.match(/缺少必需的列：数量、护理员手机号/);
  });
});

describe('uploads over the row limit (IMPORT_MAX_ROWS)', function () {
  this.timeout(60_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  before(() => setImportMaxRows(3));
  after(() => setImportMaxRows(config.importMaxRows));

  it('refuses a register and a visit-record file of more rows with 413 before anything is written', async () => {
    const community = await makeCommunity(await makeStreet());
    const staff = await authFor(config, 'community_staff', { communityIds: [community.id] });
    const provider = await makeProvider([community.id]);
    const providerAdmin = await authFor(config, 'provider_admin', { providerId: provider.id });
    const registerRow = () => `王秀英,${idNumberBornOn(`194${Math.floor(Math.random() * 10)}-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`)},13912345678,合肥市蜀山区桐城路1号,${community.code},空巢,1,独居`;
    const register = (rows: number) => `name,idNumber,phone,address,communityCode,categories,careLevel,livingArrangement\n${Array.from({ length: rows }, registerRow).join('\n')}\n`;

    const tooLong = await request(app).post('/api/v1/seniors/import').set('Authorization', staff.authorization).attach('file', Buffer.from(register(4)), 'register.csv');
    expect(tooLong.status).to.equal(413);
    expect(tooLong.body.error.code).to.equal('PAYLOAD_TOO_LARGE');
    expect(tooLong.body.error.details[0].message).to.equal('文件超过 3 行的上限，请拆分成多个文件上传');
    expect(await SeniorModel.countDocuments({ communityId: community.id })).to.equal(0);
    const atTheLimit = await request(app).post('/api/v1/seniors/import').set('Authorization', staff.authorization).attach('file', Buffer.from(register(3)), 'register.csv');
    expect(atTheLimit.status).to.equal(200);

    const records = `${HEADER}\n${Array.from({ length: 4 }, (_, n) => `${idNumberBornOn()},clean,1,13900001111,2026-11-03 09:00,${HOME.lng},${HOME.lat},2026-11-03 10:00,${HOME.lng},${HOME.lat},,X-${n},`).join('\n')}\n`;
    const records413 = await request(app).post('/api/v1/service-records/imports').set('Authorization', providerAdmin.authorization).attach('file', Buffer.from(records), 'records.csv');
    expect(records413.status).to.equal(413);
    expect(await OrderModel.countDocuments({ providerId: provider.id })).to.equal(0);
  });
});

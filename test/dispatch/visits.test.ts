import { expect } from 'chai';
import request from 'supertest';
import mongoose from 'mongoose';
import { countedOrders, OrderCountModel, repairOrderCounts } from '../../src/dispatch/order-counts.ts';
import { OrderHistoryModel, OrderModel } from '../../src/dispatch/order.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { issueMonth } from '../../src/vouchers/index.ts';
import { AccountModel, EntryModel } from '../../src/vouchers/ledger.model.ts';
import { authFor, createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { makeCaregiver, makeCommunity, makeContract, makeProvider, makeServiceType, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody } from '../seniors/senior.fixtures.ts';
import { distanceM, wgs84ToGcj02 } from '../../src/shared/geo.ts';

/** An order copied as another one: without its human number, which is unique. */
const copyOf = <T extends { number?: unknown }>({ number: _number, ...order }: T) => order;

const MONTH = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()).slice(0, 7);
// The community fixture's location, where the senior (without a location of their own) lives.
const HOME = { lng: 117.2541, lat: 31.8457 };
const FAR_AWAY = { lng: 117.2641, lat: 31.8457 }; // about 950 m east

describe('visits: assignment, check-in/out, confirmation, cancellation, disputes', function () {
  this.timeout(60_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  let w: Awaited<ReturnType<typeof world>>;

  async function world() {
    const community = await makeCommunity(await makeStreet());
    const cleaning = await makeServiceType('clean_v');
    const provider = await makeProvider([community.id], { location: { lng: 117.2594, lat: 31.8457 } });
    const skilled = await makeCaregiver(config.pii, provider.id, [cleaning.code]);
    const second = await makeCaregiver(config.pii, provider.id, [cleaning.code]);
    const unskilled = await makeCaregiver(config.pii, provider.id, [(await makeServiceType('other_v')).code]);
    await makeContract(provider.id, [community.id], [{ serviceTypeCode: cleaning.code, unitPriceFen: 4_000 }], '2020-01-01', '2099-12-31');
    const admin = await tokenFor(config, 'admin');
    await request(app).post('/api/v1/voucher-policies').set('Authorization', admin).send({
      name: '测试', effectiveFrom: '2020-01', combine: 'max', categories: [{ category: 'living_alone', monthlyAmountFen: 10_000, subsidyRatePct: 50 }],
      careLevelSupplementFen: [0, 0, 0, 0, 0, 0], defaultSubsidyRatePct: 50, fundingSplit: { cityPct: 50, districtPct: 50 }, expiry: { mode: 'end_of_month' },
    });
    const staff = await tokenFor(config, 'community_staff', { communityIds: [community.id] });
    const senior = (await request(app).post('/api/v1/seniors').set('Authorization', staff).send(enrolmentBody(community.id, { categories: ['living_alone'] }))).body;
    await SeniorModel.updateOne({ _id: senior.id }, { $set: { status: 'active' } });
    await issueMonth(MONTH, 'test');
    return {
      community, cleaning, provider, skilled, second, unskilled, admin, staff, senior,
      providerAdmin: await tokenFor(config, 'provider_admin', { providerId: provider.id }),
      caregiver: await tokenFor(config, 'caregiver', { providerId: provider.id, caregiverId: skilled.id }),
      secondCaregiver: await tokenFor(config, 'caregiver', { providerId: provider.id, caregiverId: second.id }),
      finance: await authFor(config, 'finance_officer'),
    };
  }

  beforeEach(async () => {
    await clearCollections();
    w = await world();
  });

  const post = (authorization: string, path: string, body: object = {}) => request(app).post(`/api/v1/service-orders${path}`).set('Authorization', authorization).send(body);

  /** An order accepted and assigned to the skilled caregiver; answers its id and visit code. */
  async function assignedOrder(caregiverId = w.skilled.id) {
    const created = await post(w.staff, '', { seniorId: w.senior.id, serviceTypeCode: w.cleaning.code, quantity: 1, scheduledStart: new Date(Date.now() + 3_600_000).toISOString(), source: 'staff' });
    const id = created.body.order.id as string;
    expect((await post(w.providerAdmin, `/${id}/accept`)).status).to.equal(200);
    expect((await post(w.providerAdmin, `/${id}/assign`, { caregiverId })).status).to.equal(200);
    return { id, visitCode: created.body.visitCode as string };
  }
  const backdateCheckIn = (id: string, minutes: number) => OrderModel.updateOne({ _id: id }, { $set: { 'checkIn.at': new Date(Date.now() - minutes * 60_000) } });

  it('assigns only a caregiver with the skill', async () => {
    const created = await post(w.staff, '', { seniorId: w.senior.id, serviceTypeCode: w.cleaning.code, quantity: 1, scheduledStart: new Date(Date.now() + 3_600_000).toISOString(), source: 'staff' });
    await post(w.providerAdmin, `/${created.body.order.id}/accept`);

    const refused = await post(w.providerAdmin, `/${created.body.order.id}/assign`, { caregiverId: w.unskilled.id });

    expect(refused.status).to.equal(422);
    expect(refused.body.error.code).to.equal('NOT_ELIGIBLE');
  });

  it('confirms with the right visit code at check-out and redeems the hold exactly once', async () => {
    const { id, visitCode } = await assignedOrder();
    await post(w.caregiver, `/${id}/check-in`, HOME);
    await backdateCheckIn(id, 70);

    const res = await post(w.caregiver, `/${id}/check-out`, { ...HOME, visitCode });
    const again = await post(w.staff, `/${id}/confirm`, { method: 'callback', satisfaction: 5 });

    expect(res.status).to.equal(200);
    expect(res.body.status).to.equal('confirmed');
    expect(res.body.confirmation.method).to.equal('visit_code');
    expect(res.body.flags).to.deep.equal([]);
    expect(res.body.durationMinutes).to.be.within(69, 71);
    expect(again.status).to.equal(409);
    expect(await EntryModel.countDocuments({ type: 'redeem' })).to.equal(1);
    expect(await AccountModel.findById(w.senior.id).lean()).to.include({ balanceFen: 8_000, heldFen: 0 });
  });

  it('counts wrong visit codes and locks after five (callback only)', async () => {
    const { id, visitCode } = await assignedOrder();
    await post(w.caregiver, `/${id}/check-in`, HOME);
    const wrong = visitCode === '000000' ? '111111' : '000000';

    const answers = [];
    for (let i = 0; i < 6; i += 1) answers.push(await post(w.caregiver, `/${id}/check-out`, { ...HOME, visitCode: wrong }));
    const rightButLocked = await post(w.caregiver, `/${id}/check-out`, { ...HOME, visitCode });

    expect(answers.slice(0, 5).map((r) => r.body.error.code)).to.deep.equal(Array(5).fill('VISIT_CODE_MISMATCH'));
    expect(answers[0]!.body.error.details[0]).to.deep.equal({ path: 'visitCode', message: '服务核验码不正确，还可尝试4次' });
    expect(answers[5]!.body.error.code).to.equal('VISIT_CODE_LOCKED');
    expect(rightButLocked.body.error.code).to.equal('VISIT_CODE_LOCKED');
    expect((await OrderModel.findById(id).lean())!.status).to.equal('in_service');
  });

  describe('visit records made on a phone without signal', () => {
    const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

    it('takes a record sent late at the time it was made, once however often it is sent, and flags it late', async () => {
      const visit = await assignedOrder();
      // Made yesterday; the caregiver went this morning, in a home without signal.
      await OrderModel.collection.updateOne({ _id: new mongoose.Types.ObjectId(visit.id) }, { $set: { createdAt: new Date(Date.now() - 24 * 3_600_000) } });
      const checkIn = { ...HOME, recordedAt: minutesAgo(95), accuracyM: 12, clientRecordId: 'phone-a-checkin-0001' };
      const checkOut = { ...HOME, recordedAt: minutesAgo(40), accuracyM: 8, clientRecordId: 'phone-a-checkout-0001', visitCode: visit.visitCode };

      // The queue replays out of order first: the check-out before its check-in is refused and stays queued.
      expect((await post(w.caregiver, `/${visit.id}/check-out`, checkOut)).status).to.equal(409);
      const first = await post(w.caregiver, `/${visit.id}/check-in`, checkIn);
      expect(first.status).to.equal(200);
      expect(new Date(first.body.checkIn.at).toISOString()).to.equal(checkIn.recordedAt);
      expect(first.body.checkIn.accuracyM).to.equal(12);
      expect(new Date(first.body.checkIn.receivedAt).getTime()).to.be.greaterThan(new Date(checkIn.recordedAt).getTime());
      expect(first.body.flags).to.include('late_sync');
      const again = await post(w.caregiver, `/${visit.id}/check-in`, checkIn);
      expect(again.status).to.equal(200);
      expect(again.body.checkIn).to.deep.equal(first.body.checkIn);

      const out = await post(w.caregiver, `/${visit.id}/check-out`, checkOut);
      expect(out.status).to.equal(200);
      expect(out.body.status).to.equal('confirmed');
      expect(out.body.durationMinutes).to.equal(55);
      const twice = await post(w.caregiver, `/${visit.id}/check-out`, checkOut);
      expect(twice.status).to.equal(200);
      expect(twice.body.checkOut).to.deep.equal(out.body.checkOut);
      expect(await OrderHistoryModel.countDocuments({ orderId: visit.id, action: { $in: ['check_in', 'complete', 'confirm'] } })).to.equal(2);
      // A new record (another id) for a step already taken is what it always was: refused.
      expect((await post(w.caregiver, `/${visit.id}/check-in`, { ...checkIn, clientRecordId: 'phone-a-checkin-0002' })).status).to.equal(409);
    });

    it('does not believe a phone whose clock runs ahead, nor a record older than the order, and flags both', async () => {
      const ahead = await assignedOrder();
      const inFuture = await post(w.caregiver, `/${ahead.id}/check-in`, { ...HOME, recordedAt: new Date(Date.now() + 3_600_000).toISOString() });
      expect(inFuture.body.flags).to.include('clock_drift');
      expect(Math.abs(new Date(inFuture.body.checkIn.at).getTime() - Date.now())).to.be.below(60_000);

      const behind = await assignedOrder(w.second.id);
      const beforeTheOrder = await post(w.secondCaregiver, `/${behind.id}/check-in`, { ...HOME, recordedAt: minutesAgo(24 * 60) });
      expect(beforeTheOrder.body.flags).to.include('clock_drift');
      expect(beforeTheOrder.body.flags).to.not.include('late_sync');
    });

    it('refuses a record sent after the window, and a malformed record id, changing nothing', async () => {
      const visit = await assignedOrder();
      await OrderModel.updateOne({ _id: visit.id }, { $set: { scheduledStart: new Date(Date.now() - 73 * 3_600_000) } });
      const late = await post(w.caregiver, `/${visit.id}/check-in`, { ...HOME, recordedAt: minutesAgo(73 * 60 - 5) });
      expect(late.status).to.equal(422);
      expect(late.body.error.details[0].message).to.contain('已超过补传时限');
      const malformed = await post(w.caregiver, `/${visit.id}/check-in`, { ...HOME, clientRecordId: 'x' });
      expect(malformed.status).to.equal(400);
      expect((await OrderModel.findById(visit.id).lean())?.status).to.equal('assigned');
    });
  });

  it('measures the geofence in one datum: a home picked on a Chinese map (GCJ-02) and a phone\'s GPS (WGS-84)', async () => {
    // The senior's home as a geocoder gives it (GCJ-02); the caregiver at that door reports the WGS-84 point.
    const home = { lng: 117.2541, lat: 31.8457 };
    const homeGcj = wgs84ToGcj02(home);
    expect(distanceM(home, homeGcj)).to.be.greaterThan(300); // the shift alone is beyond the geofence
    const patched = await request(app).patch(`/api/v1/seniors/${w.senior.id}`).set('Authorization', w.staff).send({ location: { ...homeGcj, coordSystem: 'gcj02' } });
    expect(patched.status).to.equal(200);
    expect(patched.body.location).to.deep.equal({ ...homeGcj, coordSystem: 'gcj02' });

    const gps = await assignedOrder();
    const atTheDoor = await post(w.caregiver, `/${gps.id}/check-in`, home);
    expect(atTheDoor.status).to.equal(200);
    expect(atTheDoor.body.checkIn.distanceM).to.be.at.most(1);
    expect(atTheDoor.body.flags).to.not.include('geofence_check_in');
    // A point given in GCJ-02 is converted before it is compared, and kept in WGS-84.
    const out = await post(w.caregiver, `/${gps.id}/check-out`, { ...homeGcj, coordSystem: 'gcj02', noCodeReason: '老人记不清核验码' });
    expect(out.body.checkOut.distanceM).to.be.at.most(1);
    expect(out.body.checkOut.lng).to.be.closeTo(home.lng, 1e-6);
    expect(out.body.flags).to.not.include('geofence_check_out');

    // The GCJ-02 numbers sent as GPS are a point a few hundred metres off: flagged.
    const mislabelled = await assignedOrder(w.second.id);
    const off = await post(w.secondCaregiver, `/${mislabelled.id}/check-in`, { ...homeGcj, coordSystem: 'wgs84' });
    expect(off.body.flags).to.include('geofence_check_in');
  });

  it('flags a check-in beyond the geofence, a short visit and a caregiver in two places, without blocking', async () => {
    const first = await assignedOrder();
    const second = await assignedOrder();
    await post(w.caregiver, `/${first.id}/check-in`, HOME);

    const farCheckIn = await post(w.caregiver, `/${second.id}/check-in`, FAR_AWAY);
    const shortCheckOut = await post(w.caregiver, `/${second.id}/check-out`, { ...HOME, noCodeReason: '老人记不清核验码' });

    expect(farCheckIn.status).to.equal(200);
    expect(farCheckIn.body.flags).to.include.members(['geofence_check_in', 'caregiver_overlap']);
    expect(farCheckIn.body.checkIn.distanceM).to.be.within(900, 1000);
    expect(shortCheckOut.body.status).to.equal('completed');
    expect(shortCheckOut.body.flags).to.include('short_visit');
    const flagged = await request(app).get('/api/v1/service-orders?flagged=true').set('Authorization', w.staff);
    expect(flagged.body.items.map((o: { id: string }) => o.id)).to.deep.equal([second.id]);
  });

  it('lets a caregiver act only on their own visits (404 for another\'s)', async () => {
    const { id } = await assignedOrder();

    expect((await post(w.secondCaregiver, `/${id}/check-in`, HOME)).status).to.equal(404);
  });

  it('confirms by callback with satisfaction, redeeming once', async () => {
    const { id } = await assignedOrder();
    await post(w.caregiver, `/${id}/check-in`, HOME);
    await backdateCheckIn(id, 60);
    await post(w.caregiver, `/${id}/check-out`, { ...HOME, noCodeReason: '老人记不清核验码' });

    const answers = await Promise.all([1, 2, 3].map(() => post(w.staff, `/${id}/confirm`, { method: 'callback', satisfaction: 4 })));

    expect(answers.map((r) => r.status).sort()).to.deep.equal([200, 409, 409]);
    expect(await EntryModel.countDocuments({ type: 'redeem' })).to.equal(1);
  });

  it('cancels before the visit and releases the hold exactly once; a provider cancel records a penalty', async () => {
    const staffCancelled = await assignedOrder();
    const providerCancelled = await assignedOrder();

    const answers = await Promise.all([1, 2].map(() => post(w.staff, `/${staffCancelled.id}/cancel`, { reason: '老人住院' })));
    const byProvider = await post(w.providerAdmin, `/${providerCancelled.id}/cancel`, { reason: '车辆故障' });

    expect(answers.map((r) => r.status).sort()).to.deep.equal([200, 409]);
    expect(byProvider.status).to.equal(200);
    expect((await OrderModel.findById(providerCancelled.id).lean())!.providerPenalty).to.include({ providerId: w.provider.id, reason: '车辆故障' });
    expect(await EntryModel.countDocuments({ type: 'release' })).to.equal(2);
    expect(await AccountModel.findById(w.senior.id).lean()).to.include({ heldFen: 0, availableFen: 10_000 });
  });

  it('refuses to cancel a visit in service (409)', async () => {
    const { id } = await assignedOrder();
    await post(w.caregiver, `/${id}/check-in`, HOME);

    expect((await post(w.staff, `/${id}/cancel`, { reason: 'x' })).status).to.equal(409);
  });

  it('rejects a disputed visit and gives the redeemed amount back as a refund', async () => {
    const { id, visitCode } = await assignedOrder();
    await post(w.caregiver, `/${id}/check-in`, HOME);
    await backdateCheckIn(id, 60);
    await post(w.caregiver, `/${id}/check-out`, { ...HOME, visitCode });

    const disputed = await post(w.staff, `/${id}/dispute`, { reason: '老人说没有上门' });
    const resolved = await post(w.finance.authorization, `/${id}/resolve-dispute`, { outcome: 'invalid', note: '回访核实未上门' });

    expect(disputed.body.status).to.equal('disputed');
    expect(resolved.body.status).to.equal('rejected');
    expect(await EntryModel.countDocuments({ type: 'refund' })).to.equal(1);
    expect(await AccountModel.findById(w.senior.id).lean()).to.include({ balanceFen: 10_000, heldFen: 0 });
  });

  it('upholds a disputed visit as confirmed', async () => {
    const { id } = await assignedOrder();
    await post(w.caregiver, `/${id}/check-in`, HOME);
    await backdateCheckIn(id, 60);
    await post(w.caregiver, `/${id}/check-out`, { ...HOME, noCodeReason: '老人记不清核验码' });
    await post(w.staff, `/${id}/dispute`, { reason: '时长有疑问' });

    const resolved = await post(w.admin, `/${id}/resolve-dispute`, { outcome: 'valid', note: '核实无误' });

    expect(resolved.body.status).to.equal('confirmed');
    expect(await EntryModel.countDocuments({ type: 'redeem' })).to.equal(1);
  });

  describe('maintained counts and cursor pages', () => {
    /** Every counter against a recount of the orders: repair finds nothing to change. */
    async function expectCountersEqualARecount() {
      const stored = new Map((await OrderCountModel.find({}).lean()).map((doc) => [String(doc._id), doc.byStatus as Record<string, number>]));
      const repaired = await repairOrderCounts();
      const after = new Map((await OrderCountModel.find({}).lean()).map((doc) => [String(doc._id), doc.byStatus as Record<string, number>]));
      expect(repaired.repaired, JSON.stringify({ stored: [...stored], after: [...after] })).to.equal(0);
      expect(repaired.orders).to.equal(await OrderModel.countDocuments({}));
    }
    const total = async (authorization: string, query = '') => (await request(app).get(`/api/v1/service-orders?pageSize=2${query}`).set('Authorization', authorization)).body;

    it('keeps every counter equal to a recount through each kind of write, and list totals exact from them', async () => {
      const confirmed = await assignedOrder();
      await post(w.caregiver, `/${confirmed.id}/check-in`, HOME);
      await backdateCheckIn(confirmed.id, 60);
      await post(w.caregiver, `/${confirmed.id}/check-out`, { ...HOME, visitCode: confirmed.visitCode });
      await expectCountersEqualARecount();
      const unconfirmed = await assignedOrder();
      await post(w.caregiver, `/${unconfirmed.id}/check-in`, HOME);
      await backdateCheckIn(unconfirmed.id, 60);
      await post(w.caregiver, `/${unconfirmed.id}/check-out`, { ...HOME, noCodeReason: '老人记不清核验码' });
      await post(w.staff, `/${unconfirmed.id}/confirm`, { satisfaction: 4 });
      const disputed = await assignedOrder();
      await post(w.caregiver, `/${disputed.id}/check-in`, HOME);
      await backdateCheckIn(disputed.id, 60);
      await post(w.caregiver, `/${disputed.id}/check-out`, { ...HOME, visitCode: disputed.visitCode });
      await post(w.staff, `/${disputed.id}/dispute`, { reason: '老人说没有上门' });
      await post(w.finance.authorization, `/${disputed.id}/resolve-dispute`, { outcome: 'invalid', note: '回访核实未上门' });
      const cancelled = await assignedOrder();
      await post(w.staff, `/${cancelled.id}/cancel`, { reason: '老人住院' });
      const byProvider = await assignedOrder();
      await post(w.providerAdmin, `/${byProvider.id}/cancel`, { reason: '车辆故障' });
      const offered = await post(w.staff, '', { seniorId: w.senior.id, serviceTypeCode: w.cleaning.code, quantity: 1, scheduledStart: new Date(Date.now() + 7_200_000).toISOString(), source: 'staff' });
      await post(w.providerAdmin, `/${offered.body.order.id}/decline`, { reason: '人手不足' }); // nobody else: unassigned
      await assignedOrder(w.second.id);
      await expectCountersEqualARecount();

      const all = await OrderModel.countDocuments({});
      const staffPage = await total(w.staff);
      const adminCancelled = await total(w.admin, '&status=cancelled');
      const caregiverPage = await total(w.caregiver);
      expect(staffPage).to.include({ total: all, totalIsEstimate: false });
      expect(adminCancelled).to.include({ total: await OrderModel.countDocuments({ status: 'cancelled' }), totalIsEstimate: false });
      expect(caregiverPage).to.include({ total: await OrderModel.countDocuments({ caregiverId: w.skilled.id }), totalIsEstimate: false });
      const day = (await OrderModel.findById(confirmed.id).lean())!.scheduledDay;
      const taken = await OrderModel.countDocuments({ providerId: w.provider.id, scheduledDay: day, status: { $in: ['accepted', 'assigned', 'in_service', 'completed', 'confirmed', 'settled'] } });
      const counted = await countedOrders([`provider-day:${w.provider.id}:${day}`], ['accepted', 'assigned', 'in_service', 'completed', 'confirmed', 'settled']);
      expect(counted).to.equal(taken).and.to.be.above(0);
    });

    it('repairs counters a crash left behind (an order written, its count not)', async () => {
      const { id } = await assignedOrder();
      await assignedOrder();
      // What a process killed between transitionOrder's update and its count leaves: the order moved alone.
      await OrderModel.updateOne({ _id: id }, { $set: { status: 'cancelled' } });
      await OrderModel.collection.insertOne({ ...copyOf((await OrderModel.findById(id).lean())!), _id: new mongoose.Types.ObjectId(), status: 'assigned' } as never);
      const before = await total(w.staff);

      const repaired = await repairOrderCounts();
      const after = await total(w.staff);

      expect(before.total).to.equal(2);
      expect(repaired.repaired).to.be.above(0);
      expect(after.total).to.equal(3);
      await expectCountersEqualARecount();
    });

    it('walks every order once by cursor while new orders are added, and refuses a forged cursor with 400', async () => {
      for (let n = 0; n < 5; n += 1) await post(w.staff, '', { seniorId: w.senior.id, serviceTypeCode: w.cleaning.code, quantity: 1, scheduledStart: new Date(Date.now() + (n + 2) * 3_600_000).toISOString(), source: 'staff' });
      const existing = (await OrderModel.find({}, { _id: 1 }).lean()).map((o) => String(o._id)).sort().reverse();
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: request.Response = await request(app).get(`/api/v1/service-orders?pageSize=2${cursor ? `&cursor=${cursor}` : ''}`).set('Authorization', w.staff);
        expect(res.status).to.equal(200);
        seen.push(...res.body.items.map((item: { id: string }) => item.id));
        cursor = res.body.nextCursor;
        pages += 1;
        // an order created between two pages is newer than the cursor: never shown, nothing shifts
        await post(w.staff, '', { seniorId: w.senior.id, serviceTypeCode: w.cleaning.code, quantity: 1, scheduledStart: new Date(Date.now() + 9 * 3_600_000).toISOString(), source: 'staff' });
      } while (cursor && pages < 10);
      const forged = await request(app).get('/api/v1/service-orders?cursor=W1sieCIsMV1d').set('Authorization', w.staff);
      const viaPage2 = await request(app).get('/api/v1/service-orders?pageSize=2&page=2').set('Authorization', w.staff);

      expect(seen).to.deep.equal(existing);
      expect(pages).to.equal(3);
      expect(forged.status).to.equal(400);
      expect(forged.body.error).to.include({ code: 'VALIDATION_FAILED' });
      expect(forged.body.error.details[0]).to.include({ path: 'cursor' });
      expect(viaPage2.body.items).to.have.length(2);
    });

    it("shows a provider the orders given to it and those offered to it, merged newest first, and no other provider's", async () => {
      const given = [(await assignedOrder()).id, (await assignedOrder()).id];
      const offered = [];
      for (let n = 0; n < 3; n += 1) offered.push((await post(w.staff, '', { seniorId: w.senior.id, serviceTypeCode: w.cleaning.code, quantity: 1, scheduledStart: new Date(Date.now() + (n + 5) * 3_600_000).toISOString(), source: 'staff' })).body.order.id as string);
      // Another provider's order and an open offer to it: never in this provider's list.
      const other = await makeProvider([w.community.id]);
      const othersOrder = await OrderModel.create({ ...copyOf((await OrderModel.findById(given[0]).lean())!), _id: new mongoose.Types.ObjectId(), providerId: other.id });
      const othersOffer = await OrderModel.create({ ...copyOf((await OrderModel.findById(offered[0]).lean())!), _id: new mongoose.Types.ObjectId(), offer: { providerId: other.id, offeredAt: new Date(), expiresAt: new Date(Date.now() + 600_000) }, offeredTo: other.id });
      const mine = [...given, ...offered].sort().reverse();

      const seen: string[] = [];
      let cursor: string | null = null;
      let first: request.Response | null = null;
      do {
        const res: request.Response = await request(app).get(`/api/v1/service-orders?pageSize=2${cursor ? `&cursor=${cursor}` : ''}`).set('Authorization', w.providerAdmin);
        expect(res.status).to.equal(200);
        first ??= res;
        seen.push(...res.body.items.map((item: { id: string }) => item.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      const page2 = await request(app).get('/api/v1/service-orders?pageSize=2&page=2').set('Authorization', w.providerAdmin);
      const onlyOffers = await request(app).get('/api/v1/service-orders?status=offered').set('Authorization', w.providerAdmin);
      const onlyAssigned = await request(app).get('/api/v1/service-orders?status=assigned').set('Authorization', w.providerAdmin);
      const othersId = await request(app).get(`/api/v1/service-orders?providerId=${other.id}`).set('Authorization', w.providerAdmin);

      expect(seen).to.deep.equal(mine);
      expect(seen).to.not.include.members([String(othersOrder._id), String(othersOffer._id)]);
      expect(first!.body).to.include({ total: 5, totalIsEstimate: false });
      expect(page2.body.items.map((item: { id: string }) => item.id)).to.deep.equal(mine.slice(2, 4));
      expect(onlyOffers.body.items.map((item: { id: string }) => item.id)).to.deep.equal([...offered].sort().reverse());
      expect(onlyAssigned.body.items.map((item: { id: string }) => item.id)).to.deep.equal([...given].sort().reverse());
      expect(othersId.body).to.include({ total: 0 });
    });

    it('lists an open offer written before offeredTo existed once the nightly repair has set it', async () => {
      const id = (await post(w.staff, '', { seniorId: w.senior.id, serviceTypeCode: w.cleaning.code, quantity: 1, scheduledStart: new Date(Date.now() + 5 * 3_600_000).toISOString(), source: 'staff' })).body.order.id as string;
      await OrderModel.collection.updateOne({ _id: new mongoose.Types.ObjectId(id) }, { $unset: { offeredTo: '' } });
      const listed = async () => (await request(app).get('/api/v1/service-orders?status=offered').set('Authorization', w.providerAdmin)).body.items.map((item: { id: string }) => item.id);
      const before = await listed();

      const repaired = await repairOrderCounts();

      expect(before).to.deep.equal([]);
      expect(repaired.offeredToRepaired).to.equal(1);
      expect(await listed()).to.deep.equal([id]);
      expect((await repairOrderCounts()).offeredToRepaired).to.equal(0);
    });
  });
});

import { expect } from 'chai';
import request from 'supertest';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { issueMonth } from '../../src/vouchers/index.ts';
import { AccountModel, EntryModel } from '../../src/vouchers/ledger.model.ts';
import { authFor, createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { makeCaregiver, makeCommunity, makeContract, makeProvider, makeServiceType, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody } from '../seniors/senior.fixtures.ts';

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
    expect(answers[5]!.body.error.code).to.equal('VISIT_CODE_LOCKED');
    expect(rightButLocked.body.error.code).to.equal('VISIT_CODE_LOCKED');
    expect((await OrderModel.findById(id).lean())!.status).to.equal('in_service');
  });

  it('flags a check-in beyond the geofence, a short visit and a caregiver in two places, without blocking', async () => {
    const first = await assignedOrder();
    const second = await assignedOrder();
    await post(w.caregiver, `/${first.id}/check-in`, HOME);

    const farCheckIn = await post(w.caregiver, `/${second.id}/check-in`, FAR_AWAY);
    const shortCheckOut = await post(w.caregiver, `/${second.id}/check-out`, HOME);

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
    await post(w.caregiver, `/${id}/check-out`, HOME);

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
    await post(w.caregiver, `/${id}/check-out`, HOME);
    await post(w.staff, `/${id}/dispute`, { reason: '时长有疑问' });

    const resolved = await post(w.admin, `/${id}/resolve-dispute`, { outcome: 'valid', note: '核实无误' });

    expect(resolved.body.status).to.equal('confirmed');
    expect(await EntryModel.countDocuments({ type: 'redeem' })).to.equal(1);
  });
});

import { expect } from 'chai';
import request from 'supertest';
import { CarePlanModel } from '../../src/care-plans/care-plan.model.ts';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { ServiceTypeModel } from '../../src/organisation/service-types.model.ts';
import { holdDispatch, resumeSeniorConsequences } from '../../src/seniors/index.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { businessDay } from '../../src/shared/time.ts';
import { AccountModel, EntryModel } from '../../src/vouchers/ledger.model.ts';
import { HOME, shanghaiDayAt, useVisitWorld } from '../dispatch/visit.fixtures.ts';

/*
 * What a senior's suspension, resumption and deactivation carry through to (issue 19, point 1):
 * orders, voucher holds, care plans, the balance — and the senior's history listing each. The
 * world (visit.fixtures.ts): an active senior with 250 yuan of vouchers, one provider, a cleaning
 * service at 40 yuan (20 yuan held per order).
 */
describe('a senior\'s status change carried through', function () {
  this.timeout(60_000);
  const { app, config, world } = useVisitWorld();
  const today = () => businessDay(new Date(), config.businessTimeZone);

  /** One order in each state a status change has to decide about, and an active care plan. */
  async function ordersInEveryState() {
    const w = world();
    const offered = (await w.post(w.staff, '/service-orders', { seniorId: w.senior.id, serviceTypeCode: (await cleaningCode()), quantity: 1, scheduledStart: shanghaiDayAt(2, '09:00').toISOString(), source: 'staff' })).body.order.id as string;
    const accepted = (await w.post(w.staff, '/service-orders', { seniorId: w.senior.id, serviceTypeCode: (await cleaningCode()), quantity: 1, scheduledStart: shanghaiDayAt(2, '14:00').toISOString(), source: 'staff' })).body.order.id as string;
    expect((await w.post(w.providerAdmin, `/service-orders/${accepted}/accept`)).status).to.equal(200);
    const inService = (await w.assignedOrder(shanghaiDayAt(1, '09:00'))).id;
    expect((await w.post(w.caregiver, `/service-orders/${inService}/check-in`, HOME)).status).to.equal(200);
    const completed = (await w.assignedOrder(shanghaiDayAt(1, '15:00'))).id;
    expect((await w.post(w.caregiver, `/service-orders/${completed}/check-in`, HOME)).status).to.equal(200);
    expect((await w.post(w.caregiver, `/service-orders/${completed}/check-out`, { ...HOME, noCodeReason: '老人记不清确认码' })).status).to.equal(200);
    // The completed visit happened yesterday: before a deactivation effective today.
    const yesterday = shanghaiDayAt(-1, '10:00');
    await OrderModel.updateOne({ _id: completed }, { $set: { scheduledStart: yesterday, scheduledDay: businessDay(yesterday, config.businessTimeZone), 'checkIn.at': yesterday, 'checkOut.at': new Date(yesterday.getTime() + 3_600_000) } });
    const plan = await w.post(w.staff, '/care-plans', { seniorId: w.senior.id, serviceTypeCode: await cleaningCode(), quantity: 1, weekdays: [1, 3, 5], time: '09:00', startDate: today() });
    expect(plan.status, JSON.stringify(plan.body)).to.equal(201);
    for (const id of [offered, accepted, inService, completed]) expect(await held(id), id).to.equal(2_000);
    return { offered, accepted, inService, completed, planId: plan.body.id as string };
  }
  const cleaningCode = async () => (await ServiceTypeModel.findOne({ emergency: false }).lean())!.code;
  const statusOf = async (id: string) => (await OrderModel.findById(id).lean())!.status;
  /** What is still held for the order: the hold less its release or redemption (0 when closed). */
  const held = async (orderId: string) => {
    const entries = await EntryModel.find({ orderId }).lean();
    return entries.reduce((sum, entry) => sum + entry.heldDeltaFen, 0);
  };
  /** The account's figures against the sum of its entries: the ledger reconciles. */
  const reconciled = async (seniorId: string) => {
    const [account, entries] = [await AccountModel.findById(seniorId).lean(), await EntryModel.find({ seniorId }).lean()];
    const sum = (key: 'balanceDeltaFen' | 'heldDeltaFen') => entries.reduce((total, entry) => total + entry[key], 0);
    expect(account!.balanceFen, 'balance = Σ entries').to.equal(sum('balanceDeltaFen'));
    expect(account!.heldFen, 'held = Σ entries').to.equal(sum('heldDeltaFen'));
    return account!;
  };

  it('deactivation cancels what has not begun, voids a visit from the effective day, keeps one before it, stops the plan and lapses the rest', async () => {
    const w = world();
    const o = await ordersInEveryState();

    const res = await w.post(w.staff, `/seniors/${w.senior.id}/deactivate`, { reason: 'deceased', effectiveDate: today() });

    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(await statusOf(o.offered)).to.equal('cancelled');
    expect(await statusOf(o.accepted)).to.equal('cancelled');
    expect(await statusOf(o.inService)).to.equal('cancelled');
    expect(await statusOf(o.completed)).to.equal('completed');
    for (const id of [o.offered, o.accepted, o.inService]) expect(await held(id), id).to.equal(0);
    expect(await held(o.completed)).to.equal(2_000);
    expect((await CarePlanModel.findById(o.planId).lean())!.status).to.equal('stopped');
    const account = await reconciled(w.senior.id);
    // Everything not held for the visit that will still settle has lapsed.
    expect(account.balanceFen - account.heldFen).to.equal(0);
    expect(account.heldFen).to.equal(2_000);
    expect((await SeniorModel.findById(w.senior.id).lean())!.consequencesPending).to.equal(null);

    const page = await request(app).get(`/api/v1/seniors/${w.senior.id}/history?pageSize=50`).set('Authorization', w.staff);
    const touched = page.body.items.flatMap((entry: { action: string; touched: { kind: string; change: string }[] }) => entry.touched.map((t) => `${entry.action} ${t.kind} ${t.change}`));
    expect(touched.filter((t: string) => t.startsWith('consequence.deactivated order 已取消'))).to.have.length(2);
    expect(touched.filter((t: string) => /^consequence\.deactivated order 已作废（服务日 \d{4}-\d{2}-\d{2}）$/.test(t))).to.have.length(1);
    expect(touched.filter((t: string) => t.startsWith('consequence.deactivated voucher_account 冻结的服务券已解除（20.00 元）'))).to.have.length(3);
    expect(touched).to.include('consequence.deactivated care_plan 已停止（老人已注销）');
    expect(touched.some((t: string) => /^consequence\.deactivated voucher_account 可用余额 \d+\.\d{2} 元已失效$/.test(t))).to.equal(true);
  });

  it('a crash between the status and its consequences is carried through by the job, to the same end, once', async () => {
    const w = world();
    const o = await ordersInEveryState();
    // As the process leaves it when it dies right after the status is stored, one order already
    // cancelled by the hook but its hold not yet released.
    await SeniorModel.updateOne({ _id: w.senior.id }, {
      $set: { status: 'deactivated', deactivation: { reason: 'deceased', effectiveDate: today() }, consequencesPending: 'deactivated' },
      $push: { statusLog: { status: 'deactivated', at: new Date(), effectiveDate: today() } },
    });
    await OrderModel.updateOne({ _id: o.offered }, { $set: { status: 'cancelled', offer: null, offeredTo: null } });

    const resumed = await resumeSeniorConsequences(config);

    expect(resumed).to.deep.equal({ pending: 1, completed: 1 });
    expect([await statusOf(o.offered), await statusOf(o.accepted), await statusOf(o.inService), await statusOf(o.completed)]).to.deep.equal(['cancelled', 'cancelled', 'cancelled', 'completed']);
    for (const id of [o.offered, o.accepted, o.inService]) expect(await held(id), id).to.equal(0);
    expect(await held(o.completed)).to.equal(2_000);
    expect((await CarePlanModel.findById(o.planId).lean())!.status).to.equal('stopped');
    const account = await reconciled(w.senior.id);
    expect(account.balanceFen - account.heldFen).to.equal(0);
    const entries = await EntryModel.countDocuments({ seniorId: w.senior.id });

    expect(await resumeSeniorConsequences(config)).to.deep.equal({ pending: 0, completed: 0 });
    await SeniorModel.updateOne({ _id: w.senior.id }, { $set: { consequencesPending: 'deactivated' } });
    expect(await resumeSeniorConsequences(config)).to.deep.equal({ pending: 1, completed: 1 });
    expect(await EntryModel.countDocuments({ seniorId: w.senior.id })).to.equal(entries);
  });

  it('suspension cancels the orders not yet begun and pauses the plan; resumption makes the plan active again', async () => {
    const w = world();
    const o = await ordersInEveryState();

    const suspended = await w.post(w.staff, `/seniors/${w.senior.id}/suspend`, { reason: '住院' });

    expect(suspended.status, JSON.stringify(suspended.body)).to.equal(200);
    expect([await statusOf(o.offered), await statusOf(o.accepted), await statusOf(o.inService), await statusOf(o.completed)]).to.deep.equal(['cancelled', 'cancelled', 'in_service', 'completed']);
    expect(await held(o.offered)).to.equal(0);
    expect(await held(o.inService)).to.equal(2_000);
    expect((await CarePlanModel.findById(o.planId).lean())!.status).to.equal('paused');
    await reconciled(w.senior.id);

    const resumed = await w.post(w.staff, `/seniors/${w.senior.id}/resume`);

    expect(resumed.status, JSON.stringify(resumed.body)).to.equal(200);
    expect((await CarePlanModel.findById(o.planId).lean())!.status).to.equal('active');
  });

  it('takes a suspension reported after the fact from its day, and refuses one from before the last change', async () => {
    const w = world();
    const threeDaysAgo = businessDay(shanghaiDayAt(-3, '12:00'), config.businessTimeZone);
    // Approved ten days ago (the world stores the senior active without a log).
    await SeniorModel.updateOne({ _id: w.senior.id }, { $set: { statusLog: [{ status: 'active', at: shanghaiDayAt(-10, '09:00'), effectiveDate: null }] } });
    const res = await w.post(w.staff, `/seniors/${w.senior.id}/suspend`, { reason: '住院', effectiveDate: threeDaysAgo });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const log = (await SeniorModel.findById(w.senior.id).lean())!.statusLog;
    expect(businessDay(log.at(-1)!.at as Date, config.businessTimeZone)).to.equal(threeDaysAgo);

    const tooEarly = await w.post(w.staff, `/seniors/${w.senior.id}/resume`, { effectiveDate: businessDay(shanghaiDayAt(-4, '12:00'), config.businessTimeZone) });
    expect(tooEarly.status).to.equal(400);
    expect(tooEarly.body.error.details[0].message).to.match(/不能早于老人上次状态变更/);
    expect((await SeniorModel.findById(w.senior.id).lean())!.status).to.equal('suspended');
  });

  it('refuses new orders while a reported death waits for confirmation', async () => {
    const w = world();
    await holdDispatch(w.senior.id, '死亡信息待核实', 'test');

    const res = await w.post(w.staff, '/service-orders', { seniorId: w.senior.id, serviceTypeCode: await cleaningCode(), quantity: 1, scheduledStart: shanghaiDayAt(2, '09:00').toISOString(), source: 'staff' });

    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('NOT_ELIGIBLE');
    expect(res.body.error.details[0].message).to.equal('暂停为该老人派单：死亡信息待核实');
    expect(await OrderModel.countDocuments({ seniorId: w.senior.id })).to.equal(0);
  });
});

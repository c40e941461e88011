import { expect } from 'chai';
import request from 'supertest';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { remindUnconfirmedVisits } from '../../src/dispatch/index.ts';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { makeCommunity, makeContract, makeProvider, makeServiceType, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody } from '../seniors/senior.fixtures.ts';

const HOUR = 60 * 60_000;

describe('unconfirmed-visit reminders', function () {
  this.timeout(60_000);
  useTestDatabase();
  const { app, config } = createTestApp();

  /** An order created through the API, then set to `completed` with check-out `hoursAgo` hours ago. */
  async function completedOrder(staff: string, seniorId: string, serviceTypeCode: string, hoursAgo: number) {
    const created = await request(app).post('/api/v1/service-orders').set('Authorization', staff).send({ seniorId, serviceTypeCode, quantity: 1, scheduledStart: new Date(Date.now() + HOUR).toISOString(), source: 'staff' });
    expect(created.status).to.equal(201);
    const checkOutAt = new Date(Date.now() - hoursAgo * HOUR);
    await OrderModel.updateOne({ _id: created.body.order.id }, { $set: { status: 'completed', checkIn: { at: new Date(checkOutAt.getTime() - HOUR), lng: 117.25, lat: 31.85, distanceM: 0 }, checkOut: { at: checkOutAt, lng: 117.25, lat: 31.85, distanceM: 0 } } });
    return created.body.order.id as string;
  }

  it('notifies the community once for a visit completed more than 48 hours ago, and not for a recent one', async () => {
    const community = await makeCommunity(await makeStreet());
    const cleaning = await makeServiceType();
    const provider = await makeProvider([community.id]);
    await makeContract(provider.id, [community.id], [{ serviceTypeCode: cleaning.code, unitPriceFen: 4_000 }], '2020-01-01', '2099-12-31');
    const staff = await tokenFor(config, 'community_staff', { communityIds: [community.id] });
    const senior = (await request(app).post('/api/v1/seniors').set('Authorization', staff).send(enrolmentBody(community.id))).body;
    await SeniorModel.updateOne({ _id: senior.id }, { $set: { status: 'active' } });
    const old = await completedOrder(staff, senior.id, cleaning.code, 49);
    await completedOrder(staff, senior.id, cleaning.code, 10);

    const first = await remindUnconfirmedVisits(config);
    const second = await remindUnconfirmedVisits(config);

    expect(first).to.deep.equal({ unconfirmed: 1, reminded: 1 });
    expect(second).to.deep.equal({ unconfirmed: 1, reminded: 0 });
    const notifications = await NotificationModel.find({ template: 'visit_unconfirmed' }).lean();
    expect(notifications).to.have.length(1);
    const [notification] = notifications;
    expect(notification!._id).to.equal(`visit-unconfirmed:${old}`);
    expect(notification).to.include({ channel: 'staff_message', template: 'visit_unconfirmed' });
    expect(notification!.recipient).to.include({ kind: 'community_staff', communityId: community.id });
    expect(notification!.subject).to.deep.include({ type: 'order', id: old });
    const scheduledDay = (await OrderModel.findById(old).lean())!.scheduledDay;
    expect(notification!.params).to.deep.equal({ orderId: old, serviceTypeCode: cleaning.code, scheduledDay });
  });
});

import { expect } from 'chai';
import request from 'supertest';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { makeCaregiver, makeCommunity, makeContract, makeProvider, makeServiceType, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody } from '../seniors/senior.fixtures.ts';

describe('emergency alerts', function () {
  this.timeout(60_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  beforeEach(clearCollections);

  it('opens an emergency order offered to the nearest able provider with the short timeout, and notifies every emergency contact', async () => {
    const community = await makeCommunity(await makeStreet());
    const help = await makeServiceType('help_e', { emergency: true });
    const far = await makeProvider([community.id], { location: { lng: 117.2858, lat: 31.8457 } });
    const near = await makeProvider([community.id], { location: { lng: 117.2594, lat: 31.8457 } });
    for (const provider of [far, near]) {
      await makeCaregiver(config.pii, provider.id, [help.code]);
      await makeContract(provider.id, [community.id], [{ serviceTypeCode: help.code, unitPriceFen: 5_000 }], '2020-01-01', '2099-12-31');
    }
    const staff = await tokenFor(config, 'community_staff', { communityIds: [community.id] });
    const contacts = [{ name: '王强', relation: '儿子', phone: '13800001111' }, { name: '王丽', relation: '女儿', phone: '13900002222' }];
    const senior = (await request(app).post('/api/v1/seniors').set('Authorization', staff).send(enrolmentBody(community.id, { emergencyContacts: contacts }))).body;
    await SeniorModel.updateOne({ _id: senior.id }, { $set: { status: 'active', preferredProviderId: far.id } });

    const res = await request(app).post('/api/v1/alerts').set('Authorization', staff).send({ seniorId: senior.id, source: 'call_button', note: '老人按下救助铃' });

    expect(res.status, JSON.stringify(res.body).slice(0, 300)).to.equal(201);
    expect(res.body.order).to.include({ priority: 'emergency', status: 'offered', source: 'emergency' });
    expect(res.body.order.offer.providerId).to.equal(near.id);
    const offerMinutes = (Date.parse(res.body.order.offer.expiresAt) - Date.parse(res.body.order.offer.offeredAt)) / 60_000;
    expect(offerMinutes).to.equal(config.emergencyOfferTimeoutMinutes);
    expect(res.body.alert).to.include({ seniorId: senior.id, source: 'call_button', contactsNotified: 2, orderId: res.body.order.id });
    const queued = await NotificationModel.find({ template: 'emergency_alert' }).lean();
    expect(queued).to.have.length(2);
    expect(JSON.stringify(queued)).not.to.match(/13800001111|13900002222/);
    const listed = await request(app).get('/api/v1/alerts').set('Authorization', staff);
    expect(listed.body.total).to.equal(1);
  });

  it('refuses an alert for a senior who is not active (422) and creates nothing', async () => {
    const community = await makeCommunity(await makeStreet());
    await makeServiceType('help_x', { emergency: true });
    const staff = await tokenFor(config, 'community_staff', { communityIds: [community.id] });
    const senior = (await request(app).post('/api/v1/seniors').set('Authorization', staff).send(enrolmentBody(community.id))).body;

    const res = await request(app).post('/api/v1/alerts').set('Authorization', staff).send({ seniorId: senior.id, source: 'hotline' });

    expect(res.status).to.equal(422);
    expect(await NotificationModel.countDocuments()).to.equal(0);
  });
});

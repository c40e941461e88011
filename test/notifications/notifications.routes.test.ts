import { expect } from 'chai';
import request from 'supertest';
import { deliverDueNotifications, enqueueNotification, logSender, setNotificationSender } from '../../src/notifications/index.ts';
import { ROLES } from '../../src/shared/roles.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { CONTACT_PHONE, emergencySms, recordingSender } from './notification.fixtures.ts';

describe('GET /api/v1/notifications', () => {
  useTestDatabase();
  const { app, config } = createTestApp();
  let admin: string;
  beforeEach(async () => {
    await clearCollections();
    admin = await tokenFor(config, 'admin');
  });
  afterEach(() => setNotificationSender(logSender));

  async function outboxOfThree() {
    const t0 = new Date('2026-05-01T02:00:00.000Z');
    await enqueueNotification(emergencySms({ dedupeKey: 'first' }), config.pii, t0);
    await enqueueNotification(emergencySms({ dedupeKey: 'second' }), config.pii, new Date(t0.getTime() + 1000));
    setNotificationSender(recordingSender());
    await deliverDueNotifications({ keys: config.pii, now: new Date(t0.getTime() + 1500) });
    await enqueueNotification(emergencySms({ dedupeKey: 'third' }), config.pii, new Date(t0.getTime() + 2000));
  }

  it('lists the outbox newest first, with masked phones and nothing encrypted', async () => {
    await outboxOfThree();

    const res = await request(app).get('/api/v1/notifications').set('Authorization', admin);

    expect(res.status).to.equal(200);
    expect(res.body).to.include({ page: 1, pageSize: 20, total: 3 });
    expect(res.body.items.map((n: { id: string }) => n.id)).to.deep.equal(['third', 'second', 'first']);
    expect(res.body.items[0]).to.deep.include({ channel: 'sms', status: 'pending', template: 'emergency_alert', createdAt: '2026-05-01T02:00:02.000Z' });
    expect(res.body.items[0].recipient).to.deep.equal({ kind: 'emergency_contact', name: '王小明', phoneMasked: '139****5678', communityId: null, userId: null });
    expect(res.text).not.to.include(CONTACT_PHONE);
    expect(res.text).not.to.include('phoneEncrypted');
    expect(res.text).not.to.match(/"v\d+:[A-Za-z0-9_-]+:/);
  });

  it('filters by status', async () => {
    await outboxOfThree();

    const sent = await request(app).get('/api/v1/notifications?status=sent').set('Authorization', admin);
    const failed = await request(app).get('/api/v1/notifications?status=failed').set('Authorization', admin);

    expect(sent.status).to.equal(200);
    expect(sent.body.items.map((n: { id: string }) => n.id)).to.deep.equal(['second', 'first']);
    expect(sent.body.items[0]).to.include({ status: 'sent', attempts: 1, nextAttemptAt: null, sentAt: '2026-05-01T02:00:01.500Z' });
    expect(failed.body).to.deep.equal({ items: [], page: 1, pageSize: 20, total: 0, totalIsEstimate: false, nextCursor: null });
  });

  it('walks the outbox by key, a page at a time from the cursor, never repeating or skipping one', async () => {
    const t0 = new Date('2026-05-01T02:00:00.000Z');
    // Keys written in the opposite of their alphabetical order, as real keys are ('settlement-sample:' before 'emergency:').
    for (const [index, key] of ['settlement-sample:x', 'order-unassigned:x', 'emergency:x'].entries()) {
      await enqueueNotification(emergencySms({ dedupeKey: key }), config.pii, new Date(t0.getTime() + index * 1000));
    }

    const first = await request(app).get('/api/v1/notifications?pageSize=2').set('Authorization', admin);
    const rest = await request(app).get(`/api/v1/notifications?pageSize=2&cursor=${encodeURIComponent(first.body.nextCursor)}`).set('Authorization', admin);

    expect(first.status).to.equal(200);
    // By key, descending (a page in creation order would sort the whole outbox: see listNotifications).
    expect(first.body.items.map((n: { id: string }) => n.id)).to.deep.equal(['settlement-sample:x', 'order-unassigned:x']);
    expect(rest.status).to.equal(200);
    expect(rest.body.items.map((n: { id: string }) => n.id)).to.deep.equal(['emergency:x']);
    expect(rest.body.nextCursor).to.equal(null);
  });

  it('filters by channel', async () => {
    await outboxOfThree();
    await enqueueNotification({ ...emergencySms({ dedupeKey: 'desk' }), channel: 'staff_message', recipient: { kind: 'community_staff', communityId: 'c1' } }, config.pii, new Date('2026-05-01T03:00:00.000Z'));

    const staff = await request(app).get('/api/v1/notifications?channel=staff_message').set('Authorization', admin);
    const sms = await request(app).get('/api/v1/notifications?channel=sms&status=sent').set('Authorization', admin);
    const unknown = await request(app).get('/api/v1/notifications?channel=fax').set('Authorization', admin);

    expect(staff.status).to.equal(200);
    expect(staff.body.items.map((n: { id: string }) => n.id)).to.deep.equal(['desk']);
    expect(staff.body.total).to.equal(1);
    expect(sms.body.items.map((n: { id: string }) => n.id)).to.deep.equal(['second', 'first']);
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['channel']);
  });

  it('refuses an unknown status with 400', async () => {
    const res = await request(app).get('/api/v1/notifications?status=lost').set('Authorization', admin);

    expect(res.status).to.equal(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['status']);
  });

  for (const role of ROLES.filter((r) => r !== 'admin')) {
    it(`answers 403 to ${role}`, async () => {
      await outboxOfThree();

      const res = await request(app).get('/api/v1/notifications').set('Authorization', await tokenFor(config, role));

      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal('FORBIDDEN');
      expect(res.text).not.to.include('139****5678');
    });
  }
});

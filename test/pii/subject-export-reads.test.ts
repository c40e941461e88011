import { expect } from 'chai';
import { auditEntriesAbout, recordAudits } from '../../src/audit/index.ts';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { backfillNotificationSubjectIds, enqueueNotifications, notificationsAbout, type NotificationInput } from '../../src/notifications/index.ts';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { testConfig } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';

/*
 * A senior's data-subject export reads the audit entries about them (entityType + entityId, in chain
 * order) and the notifications about them, their orders and alerts (by subject id). Both read far
 * more than the senior's own rows in the two collections that grow with everything the district
 * does: for {entityType, entityId} SQLite walked the entityType index (the embedded engine's guard
 * for array values is an OR it served from there: every 'senior' entry of the log), and the outbox
 * had no index on the subject at all (nor does the engine push a nested `subject.id` down,
 * DATABASE.md). Now an (entityId, _id) index on the audit log, replacing the single entityId one,
 * read by entityId alone, and a top-level subjectId with its index on the outbox. Checked here: the
 * plans on the embedded FerretDB, and that the export's reads answer exactly what a read of
 * everything answers — many ids, legacy notifications without subjectId.
 */
describe('data-subject export: the audit and outbox reads go through indexes', function () {
  this.timeout(120_000);
  useTestDatabase();
  const config = testConfig();
  const SENIOR = 'senior-A';
  // The senior's orders: more than one $in of the export holds (500), so it takes three queries.
  const orders = Array.from({ length: 1_100 }, (_, i) => `order-A-${String(i).padStart(4, '0')}`);
  const others = Array.from({ length: 300 }, (_, i) => `order-B-${String(i).padStart(4, '0')}`);

  const notification = (subjectType: string, subjectId: string, n: number): NotificationInput => ({
    dedupeKey: `test:${subjectId}:${n}`, channel: 'sms', template: 'visit_reminder', params: { n },
    recipient: { kind: n % 2 === 0 ? 'senior' : 'emergency_contact', name: '王秀英', phone: `1370000${String(n).padStart(4, '0')}` },
    subject: { type: subjectType, id: subjectId },
  });

  before(async () => {
    const at = new Date('2026-11-01T02:00:00Z');
    const inputs: NotificationInput[] = [notification('senior', SENIOR, 1), notification('senior', 'senior-B', 2)];
    orders.forEach((id, i) => { if (i % 3 === 0) inputs.push(notification('order', id, i)); });
    others.forEach((id, i) => inputs.push(notification('order', id, i)));
    await enqueueNotifications(inputs, config.pii, at);
    // Two written before subjectId existed: what the backfill is for.
    await NotificationModel.collection.insertMany([
      { ...(await NotificationModel.findById(`test:${SENIOR}:1`).lean()), _id: 'legacy:senior-A', subjectId: undefined, createdAt: new Date('2025-01-01T00:00:00Z') },
      { ...(await NotificationModel.findById(`test:${orders[3]}:3`).lean()), _id: 'legacy:order-A', subjectId: undefined, createdAt: new Date('2025-01-02T00:00:00Z') },
    ].map(({ subjectId: _dropped, ...doc }) => doc) as never[]);
    const audits = [];
    for (let i = 0; i < 40; i += 1) {
      audits.push({ actor: 'system' as const, action: 'senior.update', entityType: 'senior', entityId: i % 4 === 0 ? SENIOR : `senior-${i}`, after: { i } });
      audits.push({ actor: 'system' as const, action: 'order.create', entityType: 'service_order', entityId: i % 4 === 0 ? SENIOR : orders[i]!, after: { i } });
    }
    await recordAudits(audits);
  });

  it('reads a senior\'s audit history through the (entityId, _id) index, in chain order, no sort and no scan, only entries of that type', async () => {
    const plan = await AuditEntryModel.collection.find({ entityId: SENIOR }).sort({ _id: 1 }).explain();
    const text = JSON.stringify(plan.queryPlanner);

    expect(text).to.match(/USING INDEX \S*entityId_1__id_1/).and.not.match(/TEMP B-TREE|detail=SCAN|entityType_1/);
    const about = await auditEntriesAbout('senior', SENIOR);
    const everything = (await AuditEntryModel.find().lean()).filter((e) => e.entityType === 'senior' && e.entityId === SENIOR).sort((a, b) => a.seq - b.seq);
    expect(about.map((e) => e.seq)).to.deep.equal(everything.map((e) => e.seq));
    expect(about).to.have.length(10);
    expect(await auditEntriesAbout('service_order', SENIOR)).to.have.length(10); // same id, the other type's entries
  });

  it('reads a senior\'s notifications through the subjectId index, 500 ids a query, the same as reading the whole outbox', async () => {
    const plan = await NotificationModel.collection.find({ subjectId: { $in: orders.slice(0, 500) } }).explain();
    expect(JSON.stringify(plan.queryPlanner)).to.match(/USING INDEX \S*subjectId_1/).and.not.match(/detail=SCAN/);

    const ids = [SENIOR, ...orders];
    const reference = (await NotificationModel.find().lean()).filter((doc) => ids.includes(doc.subject.id));
    const before = await notificationsAbout(ids, config.pii);
    expect(before.map((n) => n.id)).not.to.include.members(['legacy:senior-A', 'legacy:order-A']);

    expect(await backfillNotificationSubjectIds()).to.equal(2);
    expect(await backfillNotificationSubjectIds()).to.equal(0);
    const after = await notificationsAbout(ids, config.pii);

    expect(after.map((n) => n.id).sort()).to.deep.equal(reference.map((doc) => doc._id).sort());
    expect(after).to.have.length(1 + 367 + 2);
    expect(after.slice(0, 2).map((n) => n.id)).to.deep.equal(['legacy:senior-A', 'legacy:order-A']); // oldest first
    const times = after.map((n) => n.createdAt.getTime());
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
    expect(after.every((n) => n.subject.id === SENIOR || n.subject.id.startsWith('order-A-'))).to.equal(true);
    expect(after.find((n) => n.id === `test:${SENIOR}:1`)?.recipient.phone).to.equal('13700000001');
  });
});

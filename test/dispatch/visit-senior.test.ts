import { expect } from 'chai';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { HOME, shanghaiDayAt, useVisitWorld } from './visit.fixtures.ts';

// What the caregiver sees at the door (issue 17, point 1): the senior's full name, address, a map
// link and the phone masked, only on her own visits of today and tomorrow that are not closed;
// the full phone only through an audited reveal in the same window.

describe('the caregiver\'s visits: the senior at the door and the phone reveal', function () {
  this.timeout(60_000);
  const { app, world } = useVisitWorld();
  let w: ReturnType<typeof world>;
  beforeEach(() => {
    w = world();
  });

  const list = async (authorization: string) => (await request(app).get('/api/v1/service-orders?pageSize=50').set('Authorization', authorization)).body.items as Array<{ id: string; senior?: Record<string, unknown> }>;
  const itemOf = (items: Array<{ id: string; senior?: unknown }>, id: string) => items.find((item) => item.id === id);
  const reveal = (authorization: string, id: string) => w.post(authorization, `/service-orders/${id}/senior-phone`);

  it('shows name, address, masked phone and an Amap link on her visits of today and tomorrow only', async () => {
    const today = await w.assignedOrder(new Date(Date.now() + 10 * 60_000), { notes: '老人腿脚不便，请多敲门' });
    const tomorrow = await w.assignedOrder(shanghaiDayAt(1, '09:30'));
    const later = await w.assignedOrder(shanghaiDayAt(2, '09:30'));

    const items = await list(w.caregiver);
    const staffItems = await list(w.staff);
    const detail = await request(app).get(`/api/v1/service-orders/${today.id}`).set('Authorization', w.caregiver);

    const senior = {
      name: '王玉珍', address: '合肥市蜀山区桐城路218号3幢201室', phoneMasked: '139****5678', location: HOME,
      mapUrl: `https://uri.amap.com/marker?position=${HOME.lng},${HOME.lat}&name=${encodeURIComponent('合肥市蜀山区桐城路218号3幢201室')}&coordinate=wgs84&src=starlight-care&callnative=1`,
    };
    expect(itemOf(items, today.id)!.senior).to.deep.equal(senior);
    expect(itemOf(items, tomorrow.id)!.senior).to.deep.equal(senior);
    expect(itemOf(items, later.id)).to.not.have.property('senior');
    expect(detail.body.senior).to.deep.equal(senior);
    expect(detail.body.notes).to.equal('老人腿脚不便，请多敲门');
    expect(itemOf(items, today.id)).to.include({ notes: '老人腿脚不便，请多敲门' });
    expect(staffItems.every((item) => item.senior === undefined)).to.equal(true);
    expect(JSON.stringify(items)).not.to.contain('13912345678');
  });

  it('hides the senior once the visit is closed and from another caregiver', async () => {
    const { id } = await w.assignedOrder(new Date(Date.now() + 10 * 60_000));
    await w.post(w.caregiver, `/service-orders/${id}/check-in`, HOME);
    const inService = await request(app).get(`/api/v1/service-orders/${id}`).set('Authorization', w.caregiver);
    const checkedOut = await w.post(w.caregiver, `/service-orders/${id}/check-out`, { ...HOME, noCodeReason: '老人记不清核验码' });

    expect(inService.body.senior.name).to.equal('王玉珍');
    expect(checkedOut.body.status).to.equal('completed');
    expect(checkedOut.body).to.not.have.property('senior');
    expect(itemOf(await list(w.caregiver), id)).to.not.have.property('senior');
    expect(await list(w.otherCaregiver)).to.deep.equal([]);
  });

  it('reveals the full phone to the assigned caregiver in the window and audits it', async () => {
    const { id } = await w.assignedOrder(shanghaiDayAt(1, '09:30'));
    const auditsBefore = await AuditEntryModel.countDocuments({ action: 'senior.reveal' });

    const res = await reveal(w.caregiver, id);

    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ phone: '13912345678' });
    const audits = await AuditEntryModel.find({ action: 'senior.reveal' }).lean();
    expect(audits).to.have.length(auditsBefore + 1);
    expect(audits.at(-1)).to.deep.include({ entityType: 'senior', entityId: w.senior.id, actorRole: 'caregiver' });
    expect(audits.at(-1)!.after).to.deep.equal({ fields: ['phone'], orderId: id, purpose: 'visit', reason: '上门服务联系老人（本人工单）' });
  });

  it('answers another caregiver 404, and refuses outside the window or after check-out (422), revealing nothing', async () => {
    const tomorrow = await w.assignedOrder(shanghaiDayAt(1, '09:30'));
    const later = await w.assignedOrder(shanghaiDayAt(2, '09:30'));
    const closed = await w.assignedOrder(new Date(Date.now() + 10 * 60_000));
    await w.post(w.caregiver, `/service-orders/${closed.id}/check-in`, HOME);
    await w.post(w.caregiver, `/service-orders/${closed.id}/check-out`, { ...HOME, visitCode: closed.visitCode });
    const auditsBefore = await AuditEntryModel.countDocuments({ action: 'senior.reveal' });

    const other = await reveal(w.otherCaregiver, tomorrow.id);
    const tooEarly = await reveal(w.caregiver, later.id);
    const afterwards = await reveal(w.caregiver, closed.id);
    const staff = await reveal(w.staff, tomorrow.id);

    expect(other.status).to.equal(404);
    expect(tooEarly.status).to.equal(422);
    expect(tooEarly.body.error.code).to.equal('RULE_VIOLATION');
    expect(tooEarly.body.error.details[0].message).to.contain('服务当天或前一天');
    expect(afterwards.status).to.equal(422);
    expect(staff.status).to.equal(403);
    for (const res of [other, tooEarly, afterwards, staff]) expect(JSON.stringify(res.body)).not.to.contain('13912345678');
    expect(await AuditEntryModel.countDocuments({ action: 'senior.reveal' })).to.equal(auditsBefore);
  });
});

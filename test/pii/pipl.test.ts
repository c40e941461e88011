import { ProposalModel } from '../../src/life-events/life-event.model.ts';
import { expect } from 'chai';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { enrolSenior, transitionSenior } from '../../src/seniors/index.ts';
import { SeniorHistoryModel, SeniorModel } from '../../src/seniors/senior.model.ts';
import { addDaysToDay, addMonthsToDay, businessDay } from '../../src/shared/time.ts';
import { AccountModel } from '../../src/vouchers/ledger.model.ts';
import { authFor, createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { makeCommunity, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody, idNumberBornOn } from '../seniors/senior.fixtures.ts';
import { settlementWorld, shanghai, type SettlementWorld } from '../settlement/settlement.fixtures.ts';

describe('PIPL: notice and legal basis, reasons for reveals', () => {
  useTestDatabase();
  const { app, config } = createTestApp();
  let community: { id: string; code: string };
  let staff: string;
  beforeEach(async () => {
    await clearCollections();
    community = await makeCommunity(await makeStreet());
    staff = await tokenFor(config, 'community_staff', { communityIds: [community.id] });
  });
  const enrol = (body: object) => request(app).post('/api/v1/seniors').set('Authorization', staff).send(body);

  it('refuses an enrolment without the privacy notice with 400 and stores the one given', async () => {
    const { privacyNotice: _notice, ...withoutNotice } = enrolmentBody(community.id);
    const refused = await enrol(withoutNotice);
    const badBasis = await enrol(enrolmentBody(community.id, { privacyNotice: { version: '2026-01', basis: 'implied' } }));
    const enrolled = await enrol(enrolmentBody(community.id, { privacyNotice: { version: '2026-01', basis: 'guardian_consent', givenAt: '2026-11-30T09:00:00+08:00' } }));

    expect(refused.status).to.equal(400);
    expect(refused.body.error.details.map((d: { path: string }) => d.path)).to.include('privacyNotice');
    expect(badBasis.status).to.equal(400);
    expect(enrolled.status).to.equal(201);
    expect(enrolled.body.privacyNotice).to.include({ version: '2026-01', basis: 'guardian_consent', givenAt: '2026-11-30T01:00:00.000Z', source: 'enrolment' });
    const stored = await SeniorModel.findById(enrolled.body.id).lean();
    expect(stored!.privacyNotice).to.include({ version: '2026-01', basis: 'guardian_consent' });
    expect(stored!.privacyNotice!.recordedBy).to.match(/^[0-9a-f]{24}$/);
    const shown = await request(app).get(`/api/v1/seniors/${enrolled.body.id}`).set('Authorization', staff);
    expect(shown.body.privacyNotice.basis).to.equal('guardian_consent');
  });

  it('answers privacyNotice null for a senior enrolled before notices were recorded', async () => {
    const enrolled = await enrol(enrolmentBody(community.id));
    await SeniorModel.updateOne({ _id: enrolled.body.id }, { $unset: { privacyNotice: 1 } });

    const shown = await request(app).get(`/api/v1/seniors/${enrolled.body.id}`).set('Authorization', staff);

    expect(shown.status).to.equal(200);
    expect(shown.body.privacyNotice).to.equal(null);
  });

  it('records the basis the importer declares for a whole register, without a notice time', async () => {
    const csv = `姓名,身份证号,联系电话,住址,社区编码,类别,照护等级,居住情况\n张桂兰,${idNumberBornOn('1948-02-02')},13911112222,合肥市某路1号,${community.code},独居,1,独居\n`;
    const res = await request(app).post('/api/v1/seniors/import?noticeBasis=consent&noticeVersion=2025-07').set('Authorization', staff).attach('file', Buffer.from(csv), 'register.csv');

    expect(res.status).to.equal(200);
    expect(res.body.created).to.equal(1);
    const stored = await SeniorModel.findById(res.body.rows[0].seniorId).lean();
    expect(stored!.privacyNotice).to.include({ version: '2025-07', basis: 'consent', givenAt: null, source: 'register_import' });
  });

  it('refuses a reveal without a reason with 400 and keeps the reason in the audit entry', async () => {
    const enrolled = await enrol(enrolmentBody(community.id));
    const path = `/api/v1/seniors/${enrolled.body.id}/reveal`;

    const without = await request(app).post(path).set('Authorization', staff).send({ fields: ['phone'] });
    const tooShort = await request(app).post(path).set('Authorization', staff).send({ fields: ['phone'], reason: '查' });
    const revealed = await request(app).post(path).set('Authorization', staff).send({ fields: ['phone'], reason: '老人家属来电，核对联系电话' });

    expect(without.status).to.equal(400);
    expect(tooShort.status).to.equal(400);
    expect(revealed.status).to.equal(200);
    const audit = await AuditEntryModel.find({ action: 'senior.reveal', entityId: enrolled.body.id }).lean();
    expect(audit).to.have.length(1);
    expect(audit[0]!.after).to.deep.equal({ fields: ['phone'], reason: '老人家属来电，核对联系电话' });
  });
});

describe('PIPL: retention and the data-subject export', function () {
  this.timeout(120_000);
  useTestDatabase();
  const { app, config } = createTestApp({ env: { SETTLEMENT_SAMPLE_PCT: '0' } });
  let w: SettlementWorld;
  const today = businessDay(new Date(), config.businessTimeZone);
  const noon = (day: string) => new Date(`${day}T12:00:00+08:00`);

  beforeEach(async () => {
    await clearCollections();
    w = await settlementWorld(config);
  });

  /** A senior enrolled and approved in 2023 (before any deactivation day below), with the given phone. */
  async function senior(phone: string, name = '王秀英') {
    const enrolled = await enrolSenior(enrolmentBody(w.north.id, { name, phone, categories: ['living_alone'], emergencyContacts: [{ name: '李强', relation: '儿子', phone: '13800001111' }] }), w.seniorCtx(w.registrar, shanghai('2023-07-30 10:00')));
    await transitionSenior(enrolled.id, { action: 'approve' }, w.seniorCtx(w.admin, shanghai('2023-08-01 09:00')));
    return enrolled.id;
  }
  const deactivate = (id: string, day: string) => transitionSenior(id, { action: 'deactivate', reason: 'deceased', effectiveDate: day }, w.seniorCtx(w.admin, noon(day)));
  const runJob = (name: string) => request(app).post(`/api/v1/jobs/${name}/run?wait=true`).set('Authorization', `Bearer ${adminToken}`).send({});
  let adminToken = '';
  beforeEach(async () => {
    adminToken = (await authFor(config, 'admin')).authorization.slice('Bearer '.length);
  });

  it('erases exactly the seniors deactivated more than PII_RETENTION_YEARS ago, keeps settlement and the ledger, and does nothing on a second run', async () => {
    const old = await senior('13700000001', '王秀英');
    const recent = await senior('13700000002');
    const active = await senior('13700000003');
    await w.issue('2023-09');
    await w.visit({ seniorId: old, side: 'north', at: shanghai('2023-09-12 10:00') });
    const settled = await request(app).post('/api/v1/settlements').set('Authorization', w.finance.authorization).send({ period: '2023-09' });
    expect(settled.status).to.be.oneOf([200, 201]);
    const statementId = settled.body.statements[0].id as string;
    await SeniorHistoryModel.create({ seniorId: old, at: shanghai('2023-08-20 10:00'), actorId: w.admin.id, action: 'update', changes: { address: { before: '旧地址1号', after: '新地址2号' } } });
    await deactivate(old, addDaysToDay(addMonthsToDay(today, -36), -1));
    await deactivate(recent, addMonthsToDay(today, -24));

    const first = await runJob('pii-retention');
    const second = await runJob('pii-retention');

    expect(first.status).to.equal(200);
    expect(first.body.run.counts).to.include({ erased: 1 });
    expect(second.body.run.counts).to.include({ erased: 0 });
    const erased = await SeniorModel.findById(old).lean();
    expect(erased).to.include({ name: '王*英', idNumberEncrypted: '已删除', idNumberMasked: '已删除', phoneEncrypted: '已删除', phoneMasked: '已删除', address: '已删除', location: null });
    expect(erased!.emergencyContacts).to.deep.equal([]);
    expect(erased!.idNumberHmac).to.match(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await SeniorHistoryModel.find({ seniorId: old }).lean())).not.to.match(/旧地址|新地址/);
    for (const kept of [recent, active]) {
      const doc = await SeniorModel.findById(kept).lean();
      expect(doc!.piiErasedAt).to.equal(null);
      expect(doc!.phoneEncrypted).to.match(/^v1:/);
      expect(doc!.name).to.equal('王秀英');
    }
    const audits = await AuditEntryModel.find({ action: 'senior.pii_erase' }).lean();
    expect(audits.map((a) => a.entityId)).to.deep.equal([old]);
    const reconciliation = await runJob('voucher-reconciliation');
    expect(reconciliation.body.run.counts).to.include({ mismatches: 0 });
    expect(await AccountModel.countDocuments({ _id: old })).to.equal(1);
    const statement = await request(app).get(`/api/v1/settlements/statements/${statementId}`).set('Authorization', w.finance.authorization);
    expect(statement.status).to.equal(200);
    expect(statement.body.lines).to.have.length(1);
    const shown = await request(app).get(`/api/v1/seniors/${old}`).set('Authorization', w.finance.authorization);
    expect(shown.body).to.include({ name: '王*英', phoneMasked: '已删除' });
    expect(shown.body.piiErasedAt).to.be.a('string');
    const reveal = await request(app).post(`/api/v1/seniors/${old}/reveal`).set('Authorization', `Bearer ${adminToken}`).send({ fields: ['phone'], reason: '核对联系电话' });
    expect(reveal.status).to.equal(409);
  });

  it('exports everything held about one senior and nothing about another, audited with its reason', async () => {
    const subject = await senior('13700000011', '赵桂芳');
    const other = await senior('13700000022', '钱玉兰');
    await w.issue('2023-09');
    await w.visit({ seniorId: subject, side: 'north', at: shanghai('2023-09-12 10:00') });
    await w.visit({ seniorId: other, side: 'north', at: shanghai('2023-09-13 10:00') });
    // A hospital stay reported for each: the subject's is in the file, the other's is not.
    for (const [seniorId, date] of [[subject, '2023-10-02'], [other, '2023-10-03']] as const) {
      await ProposalModel.create({ key: `${seniorId}:hospital_admission:${date}`, seniorId, streetId: w.street.id, communityId: w.north.id, event: 'hospital_admission', date, status: 'pending', sourceFile: '卫健委推送.csv', importedBy: 'importer', importedAt: new Date() });
    }
    const staffOtherCommunity = await tokenFor(config, 'community_staff', { communityIds: [w.south.id] });
    const staffHere = await tokenFor(config, 'community_staff', { communityIds: [w.north.id] });
    const path = `/api/v1/seniors/${subject}/export`;

    const withoutReason = await request(app).get(path).set('Authorization', staffHere);
    const outside = await request(app).get(path).query({ reason: '老人本人申请查阅' }).set('Authorization', staffOtherCommunity);
    const res = await request(app).get(path).query({ reason: '老人本人申请查阅（2026-12-01 书面申请）' }).set('Authorization', staffHere).buffer(true).parse((r, done) => {
      let text = '';
      r.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
      r.on('end', () => done(null, text));
    });

    expect(withoutReason.status).to.equal(400);
    expect(outside.status).to.equal(404);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/application\/json/);
    expect(res.headers['content-disposition']).to.match(/attachment/);
    const text = res.body as string;
    const file = JSON.parse(text);
    expect(file.senior).to.include({ id: subject, name: '赵桂芳', phone: '13700000011' });
    expect(file.senior.idNumber).to.match(/^\d{17}[\dX]$/);
    expect(file.senior.emergencyContacts).to.deep.equal([{ name: '李强', relation: '儿子', phone: '13800001111' }]);
    expect(file.senior.privacyNotice.basis).to.equal('public_duty');
    expect(file.orders).to.have.length(1);
    expect(file.orders[0]).to.include({ seniorId: subject, providerName: '安心养老服务中心' });
    expect(file.orders[0].checkIn).to.be.an('object');
    expect(file.vouchers.entries.length).to.be.greaterThan(0);
    expect(file.vouchers.entries.every((e: { id: string }) => typeof e.id === 'string')).to.equal(true);
    expect(file.history.map((h: { action: string }) => h.action)).to.include.members(['enrol', 'approve']);
    expect(file.auditEntries.map((a: { action: string }) => a.action)).to.include('senior.enrol');
    expect(file.auditEntries.every((a: { entityId: string }) => a.entityId === subject)).to.equal(true);
    expect(file.lifeEvents.map((e: { seniorId: string; event: string; date: string; status: string }) => [e.seniorId, e.event, e.date, e.status])).to.deep.equal([[subject, 'hospital_admission', '2023-10-02', 'pending']]);
    const otherOrder = (await request(app).get('/api/v1/service-orders').query({ seniorId: other }).set('Authorization', staffHere)).body.items?.[0]?.id;
    expect(text).not.to.include(other);
    expect(text).not.to.include('钱玉兰');
    expect(text).not.to.include('13700000022');
    if (otherOrder) expect(text).not.to.include(otherOrder);
    const audit = await AuditEntryModel.find({ action: 'senior.export', entityId: subject }).lean();
    expect(audit).to.have.length(1);
    expect(audit[0]!.after).to.deep.equal({ reason: '老人本人申请查阅（2026-12-01 书面申请）' });
  });
});

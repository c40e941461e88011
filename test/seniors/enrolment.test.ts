import { expect } from 'chai';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { makeCommunity, makeProvider, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody, idNumberBornOn } from './senior.fixtures.ts';

describe('senior enrolment', () => {
  useTestDatabase();
  const { app, config } = createTestApp();
  let communityA: { id: string; streetId: string };
  let communityB: { id: string };
  let staffA: string;
  let staffB: string;
  beforeEach(async () => {
    await clearCollections();
    const [streetA, streetB] = [await makeStreet(), await makeStreet()];
    [communityA, communityB] = [await makeCommunity(streetA), await makeCommunity(streetB)];
    staffA = await tokenFor(config, 'community_staff', { communityIds: [communityA.id] });
    staffB = await tokenFor(config, 'community_staff', { communityIds: [communityB.id] });
  });

  const enrol = (authorization: string, body: object) => request(app).post('/api/v1/seniors').set('Authorization', authorization).send(body);

  it('enrols a senior as pending_review with derived gender, birth date, age and masked PII', async () => {
    const idNumber = idNumberBornOn('1940-05-06', 'male').toLowerCase();

    const res = await enrol(staffA, enrolmentBody(communityA.id, { idNumber, assessedAt: '2026-06-01' }));

    expect(res.status).to.equal(201);
    expect(res.body).to.include({ status: 'pending_review', gender: 'male', birthDate: '1940-05-06', communityId: communityA.id, streetId: communityA.streetId, careLevel: 2, assessedAt: '2026-06-01', assessmentValidUntil: '2027-06-01' });
    expect(res.body.age).to.be.at.least(86);
    expect(res.body.categories).to.include.members(['living_alone', 'empty_nest', 'advanced_age']);
    expect(res.body.idNumberMasked).to.equal(`${idNumber.slice(0, 6)}********${idNumber.slice(-4).toUpperCase()}`);
    expect(res.body.phoneMasked).to.equal('139****5678');
    expect(res.body.emergencyContacts).to.deep.equal([{ name: '李强', relation: '儿子', phoneMasked: '138****1111' }]);
    expect(JSON.stringify(res.body)).not.to.match(new RegExp(`${idNumber.slice(6, 14)}|13912345678|13800001111`));
  });

  it('stores the ID number and every phone only encrypted (with a key version) plus the ID\'s HMAC', async () => {
    const idNumber = idNumberBornOn('1950-03-01');
    const res = await enrol(staffA, enrolmentBody(communityA.id, { idNumber }));

    const raw = await SeniorModel.collection.findOne({ name: '王秀英' });
    const text = JSON.stringify(raw);
    expect(text).not.to.include(idNumber);
    expect(text).not.to.include(idNumber.slice(6, 14));
    expect(text).not.to.include('13912345678');
    expect(text).not.to.include('13800001111');
    expect(raw!.idNumberEncrypted).to.match(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
    expect(raw!.idNumberHmac).to.match(/^[0-9a-f]{64}$/);
    expect(res.status).to.equal(201);
  });

  it('refuses a name with a NUL or a right-to-left override, and an address with a bidi isolate, writing nothing', async () => {
    for (const [field, value] of [['name', '王\u0000伟'], ['name', '王\u202E伟'], ['address', '桐城路\u2066218号']] as const) {
      const res = await enrol(staffA, enrolmentBody(communityA.id, { [field]: value }));

      expect(res.status, `${field} ${JSON.stringify(value)}`).to.equal(400);
      expect(res.body.error.details).to.deep.equal([{ path: field, message: '不能包含控制字符（如空字符）或文字方向控制符' }]);
    }
    // A line break in a free-text field is ordinary input, not a hidden character.
    expect((await enrol(staffA, enrolmentBody(communityA.id, { address: '合肥市蜀山区\n桐城路218号' }))).status).to.not.equal(400);
    expect(await SeniorModel.countDocuments({ name: { $regex: '^王.伟$' } })).to.equal(0);
  });

  it('defaults the assessment date to the enrolment day and refuses one in the future', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const ok = await enrol(staffA, enrolmentBody(communityA.id));
    const future = await enrol(staffA, enrolmentBody(communityA.id, { assessedAt: '2099-01-01' }));

    expect(ok.body.assessedAt).to.equal(today);
    expect(future.status).to.equal(400);
    expect(future.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['assessedAt']);
  });

  for (const [label, idNumber, expected] of [
    ['a wrong check character', '110105194912310021', '校验位'],
    ['an impossible date', '340104195002301234', '校验位'],
    ['the old 15-digit format', '110105491231002', '15位'],
  ] as const) {
    it(`refuses ${label} with 400 on idNumber, changing nothing`, async () => {
      const res = await enrol(staffA, enrolmentBody(communityA.id, { idNumber }));

      expect(res.status).to.equal(400);
      expect(res.body.error.details[0].path).to.equal('idNumber');
      expect(res.body.error.details[0].message).to.include(expected);
      expect(JSON.stringify(res.body)).not.to.include(idNumber);
      expect(await SeniorModel.countDocuments()).to.equal(0);
    });
  }

  it('refuses an impossible date that carries a correct check character', async () => {
    const res = await enrol(staffA, enrolmentBody(communityA.id, { idNumber: idNumberBornOn('1950-02-30') }));

    expect(res.status).to.equal(400);
    expect(res.body.error.details[0].message).to.include('出生日期');
  });

  it('refuses someone under 60, in English when asked', async () => {
    const res = await enrol(staffA, enrolmentBody(communityA.id, { idNumber: idNumberBornOn('1980-01-01') })).set('Accept-Language', 'en');

    expect(res.status).to.equal(400);
    expect(res.body.error.details).to.deep.equal([{ path: 'idNumber', message: 'Under 60 years old: not eligible' }]);
  });

  it('refuses advanced_age as input, unknown categories, no category, a bad phone and unknown fields', async () => {
    const answers = await Promise.all([
      enrol(staffA, enrolmentBody(communityA.id, { categories: ['advanced_age'] })),
      enrol(staffA, enrolmentBody(communityA.id, { categories: ['vip'] })),
      enrol(staffA, enrolmentBody(communityA.id, { categories: [] })),
      enrol(staffA, enrolmentBody(communityA.id, { phone: '12345' })),
      enrol(staffA, enrolmentBody(communityA.id, { nickname: '王奶奶' })),
    ]);

    expect(answers.map((res) => res.status)).to.deep.equal([400, 400, 400, 400, 400]);
    expect(answers[0]!.body.error.details[0]).to.deep.equal({ path: 'categories.0', message: '高龄由出生日期自动判定，不能录入' });
    expect(answers[3]!.body.error.details[0].path).to.equal('phone');
    expect(answers[4]!.body.error.details[0].path).to.equal('nickname');
    expect(await SeniorModel.countDocuments()).to.equal(0);
  });

  it('refuses a community outside the worker\'s scope as an unknown community', async () => {
    const res = await enrol(staffA, enrolmentBody(communityB.id));

    expect(res.status).to.equal(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['communityId']);
  });

  it('enrols an ID number once in the whole system: 409 naming the senior only to who may see it', async () => {
    const idNumber = idNumberBornOn('1948-08-08');
    const first = await enrol(staffA, enrolmentBody(communityA.id, { idNumber }));

    const sameCommunity = await enrol(staffA, enrolmentBody(communityA.id, { idNumber: idNumber.toLowerCase() }));
    const otherCommunity = await enrol(staffB, enrolmentBody(communityB.id, { idNumber }));

    expect(sameCommunity.status).to.equal(409);
    expect(sameCommunity.body.error.code).to.equal('DUPLICATE_SENIOR');
    expect(sameCommunity.body.error.existingSeniorId).to.equal(first.body.id);
    expect(otherCommunity.status).to.equal(409);
    expect(otherCommunity.body.error).not.to.have.property('existingSeniorId');
    expect(await SeniorModel.countDocuments()).to.equal(1);
  });

  it('checks the preferred provider exists', async () => {
    const provider = await makeProvider([communityA.id]);
    const ok = await enrol(staffA, enrolmentBody(communityA.id, { preferredProviderId: provider.id }));
    const unknown = await enrol(staffA, enrolmentBody(communityA.id, { preferredProviderId: 'cccccccccccccccccccccccc' }));

    expect(ok.body.preferredProviderId).to.equal(provider.id);
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error.details[0].path).to.equal('preferredProviderId');
  });

  it('audits the enrolment without the ID number or phones', async () => {
    const idNumber = idNumberBornOn();
    const res = await enrol(staffA, enrolmentBody(communityA.id, { idNumber }));

    const entry = await AuditEntryModel.findOne({ action: 'senior.enrol', entityId: res.body.id }).lean();
    expect(entry).not.to.equal(null);
    expect(JSON.stringify(entry)).not.to.include(idNumber);
    expect(JSON.stringify(entry)).not.to.include('13912345678');
  });
});

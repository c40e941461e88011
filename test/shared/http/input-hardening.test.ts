import { expect } from 'chai';
import request from 'supertest';
import { AuditEntryModel } from '../../../src/audit/audit.model.ts';
import { SeniorModel } from '../../../src/seniors/senior.model.ts';
import { createTestApp, tokenFor } from '../../support/app.ts';
import { useTestDatabase } from '../../support/database.ts';
import { makeCommunity, makeStreet } from '../../organisation/organisation.fixtures.ts';
import { enrolmentBody } from '../../seniors/senior.fixtures.ts';

/**
 * Hostile input on a route that writes (enrolment) and routes that read with query strings: always
 * a 4xx in the documented shape, never a 500, and nothing written — no senior, no audit entry.
 */
describe('input hardening', function () {
  this.timeout(60_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  let staff: string;
  let communityId: string;

  before(async () => {
    communityId = (await makeCommunity(await makeStreet())).id;
    staff = await tokenFor(config, 'community_staff', { communityIds: [communityId] });
  });

  const enrol = () => request(app).post('/api/v1/seniors').set('Authorization', staff);
  async function expectRefusedAndNothingWritten(res: request.Response, status: number | number[] = 400) {
    expect([status].flat(), JSON.stringify(res.body).slice(0, 300)).to.include(res.status);
    expect(res.body.error.code).to.be.a('string');
    expect(res.body.error.details).to.be.an('array');
    expect(res.body.error.requestId).to.be.a('string');
    expect(await SeniorModel.countDocuments()).to.equal(0);
    expect(await AuditEntryModel.countDocuments({ action: 'senior.enrol' })).to.equal(0);
  }

  it('refuses deeply nested JSON', async () => {
    const depth = 50_000;
    const nested = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const res = await enrol().set('Content-Type', 'application/json').send(`{"name":"王秀英","location":${nested}}`);
    await expectRefusedAndNothingWritten(res);
  });

  it('refuses $-prefixed and prototype keys in a body', async () => {
    for (const extra of [{ $where: 'sleep(1000)' }, { status: { $ne: 'x' } }, JSON.parse('{"__proto__":{"role":"admin"}}'), { 'emergencyContacts.$': 1 }]) {
      const res = await enrol().send({ ...enrolmentBody(communityId), ...extra });
      await expectRefusedAndNothingWritten(res);
    }
  });

  it('refuses operators and objects where the query expects strings', async () => {
    for (const query of ['q[$ne]=x', 'communityId[$gt]=', 'status[$in][]=active', 'name[$regex]=.*', 'page[$gt]=0', 'q=a&q=b']) {
      const res = await request(app).get(`/api/v1/seniors?${query}`).set('Authorization', staff);
      expect(res.status, query).to.equal(400);
      expect(res.body.error.code, query).to.equal('VALIDATION_FAILED');
    }
  });

  it('refuses very long strings', async () => {
    const long = '王'.repeat(100_000);
    for (const field of ['name', 'address']) {
      const res = await enrol().send({ ...enrolmentBody(communityId), [field]: long });
      await expectRefusedAndNothingWritten(res);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).to.include(field);
    }
    const query = await request(app).get(`/api/v1/seniors?q=${'1'.repeat(5_000)}`).set('Authorization', staff);
    expect(query.status).to.equal(400);
  });

  it('refuses a body that is not JSON', async () => {
    const asText = await enrol().set('Content-Type', 'text/plain').send(JSON.stringify(enrolmentBody(communityId)));
    const asForm = await enrol().type('form').send({ name: '王秀英' });
    const asXml = await enrol().set('Content-Type', 'application/xml').send('<senior><name>王秀英</name></senior>');
    for (const res of [asText, asForm, asXml]) await expectRefusedAndNothingWritten(res, [400, 415]);
  });

  it('answers ids that are not ids with 4xx, never 500', async () => {
    for (const id of ['not-an-id', '0'.repeat(25), '{"$gt":""}', encodeURIComponent('../../etc/passwd'), 'ZZZZZZZZZZZZZZZZZZZZZZZZ']) {
      for (const path of [`/api/v1/seniors/${id}`, `/api/v1/service-orders/${id}`, `/api/v1/settlements/statements/${id}`]) {
        const res = await request(app).get(path).set('Authorization', staff);
        expect(res.status, path).to.be.within(400, 404);
        expect(res.body.error.code, path).to.be.oneOf(['VALIDATION_FAILED', 'NOT_FOUND', 'FORBIDDEN']);
      }
    }
  });
});

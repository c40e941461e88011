import { expect } from 'chai';
import request from 'supertest';
import { createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { makeCommunity, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody, idNumberBornOn } from './senior.fixtures.ts';

// One senior through every route that answers about seniors: no answer but /reveal may carry the
// ID number (or its birth-date digits) or any phone in full.
describe('masking across every senior-bearing response', () => {
  useTestDatabase();
  const { app, config } = createTestApp();
  beforeEach(clearCollections);

  it('never answers a full ID number or phone outside /reveal', async () => {
    const community = await makeCommunity(await makeStreet());
    const staff = await tokenFor(config, 'community_staff', { communityIds: [community.id] });
    const admin = await tokenFor(config, 'admin');
    const idNumber = idNumberBornOn('1943-07-19');
    const phones = ['13511112222', '13633334444', '13755556666'];
    const secrets = [idNumber, idNumber.slice(6, 14), ...phones];
    const answers: { route: string; body: unknown }[] = [];
    const call = async (route: string, send: () => request.Test) => {
      const res = await send();
      expect(res.status, `${route}: ${JSON.stringify(res.body).slice(0, 200)}`).to.be.within(200, 299);
      answers.push({ route, body: res.body });
      return res.body;
    };

    const senior = await call('enrol', () => request(app).post('/api/v1/seniors').set('Authorization', staff).send(enrolmentBody(community.id, { idNumber, phone: phones[0], emergencyContacts: [{ name: '张伟', relation: '儿子', phone: phones[1] }] })));
    const path = `/api/v1/seniors/${senior.id}`;
    await call('get', () => request(app).get(path).set('Authorization', staff));
    await call('list', () => request(app).get('/api/v1/seniors').set('Authorization', staff));
    await call('search by ID', () => request(app).get(`/api/v1/seniors?q=${idNumber}`).set('Authorization', staff));
    await call('patch', () => request(app).patch(path).set('Authorization', staff).send({ phone: phones[2], emergencyContacts: [{ name: '张伟', relation: '儿子', phone: phones[0] }] }));
    await call('approve', () => request(app).post(`${path}/approve`).set('Authorization', admin));
    await call('suspend', () => request(app).post(`${path}/suspend`).set('Authorization', staff).send({ reason: '住院' }));
    await call('resume', () => request(app).post(`${path}/resume`).set('Authorization', staff));
    await call('history', () => request(app).get(`${path}/history`).set('Authorization', staff));
    await call('voucher account', () => request(app).get(`${path}/voucher-account`).set('Authorization', staff));
    await call('voucher entries', () => request(app).get(`${path}/voucher-account/entries`).set('Authorization', staff));
    await call('deactivate', () => request(app).post(`${path}/deactivate`).set('Authorization', staff).send({ reason: 'moved_out', effectiveDate: '2026-01-01' }));
    await call('audit', () => request(app).get('/api/v1/audit?pageSize=200').set('Authorization', admin));
    const duplicate = await request(app).post('/api/v1/seniors').set('Authorization', staff).send(enrolmentBody(community.id, { idNumber }));
    answers.push({ route: 'duplicate enrolment (409)', body: duplicate.body });

    for (const { route, body } of answers) {
      const text = JSON.stringify(body);
      for (const secret of secrets) expect(text, `${route} leaks ${secret.slice(0, 3)}…`).not.to.include(secret);
    }
    const revealed = await request(app).post(`${path}/reveal`).set('Authorization', staff).send({ fields: ['idNumber', 'phone'], reason: '核对身份信息' });
    expect(revealed.body).to.deep.equal({ idNumber, phone: phones[2] });
  });
});

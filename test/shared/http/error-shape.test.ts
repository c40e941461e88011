import { expect } from 'chai';
import request from 'supertest';
import { createTestApp, tokenFor } from '../../support/app.ts';
import { useTestDatabase } from '../../support/database.ts';
import { JobRunModel } from '../../../src/jobs/job.model.ts';

// Every error answers { error: { code, message, details, requestId } } (API.md conventions).
function expectErrorShape(body: unknown, code: string): void {
  expect(body).to.have.property('error');
  const error = (body as { error: Record<string, unknown> }).error;
  expect(error.code).to.equal(code);
  expect(error.message).to.be.a('string').and.not.equal('');
  expect(error.details).to.be.an('array');
  expect(error.requestId).to.be.a('string').and.not.equal('');
}

describe('HTTP error shape', () => {
  useTestDatabase();
  const { app, config } = createTestApp({ env: { JSON_BODY_LIMIT_KB: '1' } });
  let admin: string;
  before(async () => {
    admin = await tokenFor(config, 'admin');
  });

  it('answers malformed JSON with 400 VALIDATION_FAILED, never 500', async () => {
    const res = await request(app).post('/api/v1/jobs/audit-verify/run').set('Authorization', admin).set('Content-Type', 'application/json').send('{"broken": ');

    expect(res.status).to.equal(400);
    expectErrorShape(res.body, 'VALIDATION_FAILED');
    expect(res.body.error.message).to.equal('请求体不是合法的 JSON');
    expect(await JobRunModel.countDocuments()).to.equal(0);
  });

  it('rejects unknown fields with 400 and names each of them, changing nothing', async () => {
    const res = await request(app).post('/api/v1/jobs/job-runs-purge/run').set('Authorization', admin).send({ retentionDays: 90, dropEverything: true });

    expect(res.status).to.equal(400);
    expectErrorShape(res.body, 'VALIDATION_FAILED');
    expect(res.body.error.details).to.deep.include({ path: 'dropEverything', message: '不允许的字段' });
    expect(await JobRunModel.countDocuments()).to.equal(0);
  });

  it('rejects wrong types with 400 and the path of the field at fault', async () => {
    const res = await request(app).post('/api/v1/jobs/job-runs-purge/run').set('Authorization', admin).send({ retentionDays: 'ninety' });

    expect(res.status).to.equal(400);
    expectErrorShape(res.body, 'VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['retentionDays']);
  });

  it('rejects a bad query parameter with 400 (no operator injection through the query string)', async () => {
    const res = await request(app).get('/api/v1/jobs/runs?status[$ne]=x&pageSize=500').set('Authorization', admin);

    expect(res.status).to.equal(400);
    expectErrorShape(res.body, 'VALIDATION_FAILED');
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).to.include('pageSize');
  });

  it('says in plain Chinese what is wrong with each field, with no type names or operators', async () => {
    const res = await request(app).post('/api/v1/seniors').set('Authorization', admin).send({ name: '', phone: 5, idNumber: null, categories: [] });

    expect(res.status).to.equal(400);
    const messages = Object.fromEntries(res.body.error.details.map((d: { path: string; message: string }) => [d.path, d.message]));
    expect(messages).to.deep.equal({
      name: '姓名不能为空', idNumber: '不能为空', phone: '应为文字', address: '必填', communityId: '必填', livingArrangement: '必填', categories: '至少选择一个类别', careLevel: '必填', privacyNotice: '必填',
    });
    for (const message of Object.values(messages)) expect(message).to.match(/[\u4e00-\u9fff]/).and.not.match(/[A-Za-z]{2,}|[<>=]/);
  });

  it("answers a rule's detail in the caller's language (an id in the path)", async () => {
    const zh = await request(app).get('/api/v1/seniors/not-an-id').set('Authorization', admin);
    const en = await request(app).get('/api/v1/seniors/not-an-id').set('Authorization', admin).set('Accept-Language', 'en');

    expect([zh.status, en.status]).to.deep.equal([400, 400]);
    expect(zh.body.error.details).to.deep.equal([{ path: 'id', message: '编号格式不正确（应为 24 位编号）' }]);
    expect(en.body.error.details).to.deep.equal([{ path: 'id', message: 'must be a 24-character hex id' }]);
  });

  it('answers in English when the client prefers English', async () => {
    const res = await request(app).post('/api/v1/jobs/job-runs-purge/run').set('Authorization', admin).set('Accept-Language', 'en-US,en;q=0.9').send({ retentionDays: 'x' });

    expect(res.status).to.equal(400);
    expect(res.body.error.message).to.equal('The request is not valid');
    expect(res.body.error.details[0].message).to.match(/expected number/i);
  });

  it('answers an unknown route with 404 NOT_FOUND in the same shape', async () => {
    const res = await request(app).get('/api/v1/no-such-thing').set('Authorization', admin);

    expect(res.status).to.equal(404);
    expectErrorShape(res.body, 'NOT_FOUND');
  });

  it('answers an unknown job with 404 NOT_FOUND', async () => {
    const res = await request(app).post('/api/v1/jobs/no-such-job/run').set('Authorization', admin).send({});

    expect(res.status).to.equal(404);
    expectErrorShape(res.body, 'NOT_FOUND');
  });

  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await request(app).post('/api/v1/jobs/job-runs-purge/run').set('Authorization', admin).send({ padding: 'x'.repeat(4096) });

    expect(res.status).to.equal(413);
    expectErrorShape(res.body, 'PAYLOAD_TOO_LARGE');
  });

  it('answers a missing or forged token with 401 UNAUTHENTICATED', async () => {
    const missing = await request(app).get('/api/v1/jobs');
    const forged = await request(app).get('/api/v1/jobs').set('Authorization', `Bearer ${admin.slice(7, -4)}abcd`);
    const noneAlg = await request(app).get('/api/v1/jobs').set('Authorization', `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x","role":"admin"}').toString('base64url')}.`);

    for (const res of [missing, forged, noneAlg]) {
      expect(res.status).to.equal(401);
      expectErrorShape(res.body, 'UNAUTHENTICATED');
    }
  });

  it('answers a role that may never do this with 403 FORBIDDEN', async () => {
    const res = await request(app).get('/api/v1/jobs').set('Authorization', await tokenFor(config, 'community_staff', { communityIds: ['c1'] }));

    expect(res.status).to.equal(403);
    expectErrorShape(res.body, 'FORBIDDEN');
  });

  it('echoes a sane X-Request-Id and uses it in the error body', async () => {
    const res = await request(app).get('/api/v1/no-such-thing').set('X-Request-Id', 'req-abc.123');

    expect(res.headers['x-request-id']).to.equal('req-abc.123');
    expect(res.body.error.requestId).to.equal('req-abc.123');
  });

  it('replaces an unsafe X-Request-Id with a generated one', async () => {
    const res = await request(app).get('/healthz').set('X-Request-Id', 'evil\u00e9 id with spaces');

    expect(res.status).to.equal(200);
    expect(res.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
  });
});

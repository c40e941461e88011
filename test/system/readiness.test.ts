import { expect } from 'chai';
import request from 'supertest';
import { createTestApp } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';

describe('GET /readyz', () => {
  useTestDatabase();

  it('is ready when a read by key answers within READY_MAX_QUERY_MS, and says how long it took', async () => {
    const res = await request(createTestApp().app).get('/readyz');

    expect(res.status).to.equal(200);
    expect(res.body).to.include({ status: 'ready', database: 'up' });
    expect(res.body.queryMs).to.be.a('number').and.at.least(0);
  });

  it('is not ready when a read by key takes longer than the bound', async () => {
    // A bound of 0 ms: every real read is "too slow" — what a busy engine looks like against 1,000 ms.
    const res = await request(createTestApp({ env: { READY_MAX_QUERY_MS: '0' } }).app).get('/readyz');

    expect(res.status).to.equal(503);
    expect(res.body.error.code).to.equal('SERVICE_UNAVAILABLE');
    expect(res.body.error.details[0].message).to.match(/^数据库响应过慢（\d+ 毫秒）$/);
  });
});

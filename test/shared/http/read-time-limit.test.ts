import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import mongoose from 'mongoose';
import request from 'supertest';
import { readTimeLimit, setReadTimeLimitMs } from '../../../src/shared/http/pagination.ts';
import { createTestApp, tokenFor } from '../../support/app.ts';
import { useTestDatabase } from '../../support/database.ts';

// A list whose filter the engine cannot narrow (a date range: read in Go, every entry decoded):
// the shape of an expensive request, on 30,000 audit entries of which none match.
const EXPENSIVE = '/api/v1/audit?from=2100-01-01T00:00:00Z';

describe('the time limit of interactive reads', function () {
  this.timeout(120_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  const defaultLimitMs = readTimeLimit();
  let admin: string;

  before(async () => {
    admin = await tokenFor(config, 'admin');
    const pad = 'x'.repeat(1_000);
    for (let batch = 0; batch < 30; batch += 1) {
      await mongoose.connection.collection('audit_entries').insertMany(Array.from({ length: 1_000 }, (_, n) => ({
        seq: batch * 1_000 + n, at: new Date(Date.UTC(2026, 0, 1) + n * 1_000), actorId: 'bench', actorRole: 'admin', action: 'probe', entityType: 'probe', entityId: String(n), pad,
      })) as never[]);
    }
  });
  afterEach(() => setReadTimeLimitMs(defaultLimitMs));

  it('answers 503 QUERY_TIMEOUT in the error shape, in Chinese, when the read passes its limit', async () => {
    setReadTimeLimitMs(1);

    const res = await request(app).get(EXPENSIVE).set('Authorization', admin);

    expect(res.status).to.equal(503);
    expect(res.body.error).to.include({ code: 'QUERY_TIMEOUT', message: '查询超时，请缩小筛选范围后重试' });
    expect(res.body.error.requestId).to.be.a('string');
  });

  it('keeps answering every later read after reads stopped by their limit (no connection left interrupted)', async () => {
    setReadTimeLimitMs(2);
    const stopped = [];
    for (let n = 0; n < 10; n += 1) stopped.push((await request(app).get(EXPENSIVE).set('Authorization', admin)).status);
    setReadTimeLimitMs(60_000);
    const after = [];
    for (let n = 0; n < 10; n += 1) after.push((await request(app).get('/api/v1/audit?entityType=nothing&pageSize=5').set('Authorization', admin)).status);

    expect(stopped.every((status) => status === 503 || status === 200), String(stopped)).to.equal(true);
    expect(stopped).to.include(503);
    expect(after).to.deep.equal(Array(10).fill(200));
  });

  it('answers the same list within the limit when the limit allows it', async () => {
    setReadTimeLimitMs(60_000);
    const res = await request(app).get(EXPENSIVE).set('Authorization', admin);

    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ total: 0, totalIsEstimate: false, nextCursor: null });
  });

  it('stops costing the database within the limit when the client abandons the request', async function () {
    const pid = await ferretDbPid();
    if (pid === null) this.skip(); // the CPU figures below are the embedded engine's own process
    const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${EXPENSIVE}`;
      // The same abandoned request without a limit (the control) and with one of 50 ms.
      setReadTimeLimitMs(600_000);
      const unlimited = await cpuOfAbandoned(pid!, url, admin);
      setReadTimeLimitMs(50);
      const limited = await cpuOfAbandoned(pid!, url, admin);

      expect(unlimited, 'the control must be expensive enough to tell').to.be.at.least(30);
      expect(limited, `limited ${limited} ticks vs unlimited ${unlimited}`).to.be.below(unlimited / 2);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/** FerretDB's CPU ticks (1/100 s) spent from sending the request until it is idle again. */
async function cpuOfAbandoned(pid: number, url: string, authorization: string): Promise<number> {
  await untilIdle(pid);
  const before = await cpuTicks(pid);
  const controller = new AbortController();
  const answered = fetch(url, { headers: { authorization }, signal: controller.signal }).catch(() => null);
  await new Promise((resolve) => setTimeout(resolve, 20));
  controller.abort();
  await answered;
  await untilIdle(pid);
  return (await cpuTicks(pid)) - before;
}

async function untilIdle(pid: number): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const before = await cpuTicks(pid);
    await new Promise((resolve) => setTimeout(resolve, 300));
    if ((await cpuTicks(pid)) - before <= 1) return;
  }
  throw new Error('the database never went idle');
}

async function cpuTicks(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** The embedded FerretDB runs under a guard shell (src/db/embedded-ferretdb.ts): its child is the engine. */
async function ferretDbPid(): Promise<number | null> {
  const guard = process.env.TEST_FERRETDB_PID;
  if (!guard) return null;
  const children = (await readFile(`/proc/${guard}/task/${guard}/children`, 'utf8').catch(() => '')).trim().split(/\s+/).filter(Boolean);
  return children.length > 0 ? Number(children[0]) : null;
}

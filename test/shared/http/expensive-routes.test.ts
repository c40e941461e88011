import { expect } from 'chai';
import request from 'supertest';
import { AuditEntryModel } from '../../../src/audit/audit.model.ts';
import { importRegister } from '../../../src/seniors/register-import.service.ts';
import { SeniorModel } from '../../../src/seniors/senior.model.ts';
import { takeSlot } from '../../../src/shared/http/concurrency.ts';
import { authFor, createTestApp } from '../../support/app.ts';
import { useTestDatabase } from '../../support/database.ts';
import { makeCommunity, makeStreet } from '../../organisation/organisation.fixtures.ts';
import { idNumberBornOn } from '../../seniors/senior.fixtures.ts';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/*
 * Expensive work an account could pile up (issue 22): imports, exports and month-wide reports take a
 * slot per user and per instance, refused with 429 past it; an import stops when its uploader is gone.
 */
describe('expensive routes: concurrency limits and abandoned imports', function () {
  this.timeout(60_000);
  useTestDatabase();
  const { app, config } = createTestApp();

  const register = (communityCode: string, rows: number) => `name,idNumber,phone,address,communityCode,categories,careLevel,livingArrangement\n${Array.from({ length: rows }, (_, n) =>
    `王秀英,${idNumberBornOn(`19${40 + (n % 20)}-0${1 + (n % 9)}-1${n % 10}`)},13912345678,合肥市蜀山区桐城路${n}号,${communityCode},空巢,1,独居`).join('\n')}\n`;

  it('refuses a second import by the same user while the first runs (429, Retry-After, in Chinese), and takes it once the first is done', async () => {
    const community = await makeCommunity(await makeStreet());
    const staff = await authFor(config, 'community_staff', { communityIds: [community.id] });
    const other = await authFor(config, 'community_staff', { communityIds: [community.id] });
    const upload = (authorization: string) => request(app).post('/api/v1/seniors/import').set('Authorization', authorization).attach('file', Buffer.from(register(community.code, 2)), 'register.csv');
    // The first import of this user, still running.
    const release = takeSlot('import', staff.actor.id);

    const refused = await upload(staff.authorization);
    const otherUser = await upload(other.authorization);

    expect(refused.status).to.equal(429);
    expect(refused.headers['retry-after']).to.equal('30');
    expect(refused.body.error.code).to.equal('RATE_LIMITED');
    expect(refused.body.error.details[0].message).to.equal('已有一个导入正在进行，请等它完成后再上传');
    expect(otherUser.status, 'another user is not held up').to.equal(200);
    release();
    expect((await upload(staff.authorization)).status).to.equal(200);
  });

  it('refuses a third import in the instance whoever sends it, and a third month report of one user', async () => {
    const community = await makeCommunity(await makeStreet());
    const staff = await authFor(config, 'community_staff', { communityIds: [community.id] });
    const releases = [takeSlot('import', 'someone-1'), takeSlot('import', 'someone-2')];
    const res = await request(app).post('/api/v1/seniors/import').set('Authorization', staff.authorization).attach('file', Buffer.from(register(community.code, 1)), 'register.csv');
    expect(res.status).to.equal(429);
    for (const release of releases) release();

    const auditor = await authFor(config, 'auditor');
    const reports = [takeSlot('report', auditor.actor.id), takeSlot('report', auditor.actor.id)];
    const third = await request(app).get('/api/v1/reports/anomalies?month=2026-01').set('Authorization', auditor.authorization);
    expect(third.status).to.equal(429);
    for (const release of reports) release();
    expect((await request(app).get('/api/v1/reports/anomalies?month=2026-01').set('Authorization', auditor.authorization)).status).to.equal(200);
  });

  it('keeps the instance\'s last report slot for another user: one account\'s second report waits while it would take it', async () => {
    const [busy, other] = [await authFor(config, 'auditor'), await authFor(config, 'auditor')];
    const held = [takeSlot('report', busy.actor.id), takeSlot('report', 'someone-else')];
    const second = await request(app).get('/api/v1/reports/anomalies?month=2026-01').set('Authorization', busy.authorization);
    const first = await request(app).get('/api/v1/reports/anomalies?month=2026-01').set('Authorization', other.authorization);
    expect(second.status, 'the busy account\'s second report would fill the instance').to.equal(429);
    expect(first.status, 'another account\'s first report takes the free slot').to.equal(200);
    held[1]!();
    // With two slots free the busy account may take its second.
    expect((await request(app).get('/api/v1/reports/anomalies?month=2026-01').set('Authorization', busy.authorization)).status).to.equal(200);
    held[0]!();
  });

  it('stops an import between batches once its uploader is gone, keeping what was enrolled and saying where it stopped', async () => {
    const community = await makeCommunity(await makeStreet());
    const staff = await authFor(config, 'community_staff', { communityIds: [community.id] });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'abandoned-'));
    const file = path.join(dir, 'register.csv');
    await writeFile(file, register(community.code, 500));
    // The client is gone once the first batch (200 rows) has been read: the 201st look sees it.
    let looks = 0;
    const gone = { get aborted() { looks += 1; return looks > 200; } } as AbortSignal;

    await importRegister({ path: file, originalName: 'register.csv' }, { actor: staff.actor, config, requestId: null, lang: 'zh' }, gone);

    expect(await SeniorModel.countDocuments({ communityId: community.id })).to.equal(200);
    const audit = await AuditEntryModel.findOne({ action: 'senior.import' }).sort({ _id: -1 }).lean();
    expect(audit?.after).to.deep.include({ created: 200, reason: 'client gone', stoppedAfterRow: 201 });
  });
});

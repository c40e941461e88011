import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { recordAudit } from '../../src/audit/index.ts';
import { AUDIT_ACTION_ZH, AUDIT_ENTITY_ZH } from '../../src/audit/audit-labels.ts';
import { ORDER_TRANSITIONS } from '../../src/dispatch/order.state-machine.ts';
import { SENIOR_TRANSITIONS } from '../../src/seniors/senior.state-machine.ts';
import { createTestApp, createTestUser } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { signAccessToken } from '../../src/shared/http/auth.ts';

/** Every action code and entity type an audit entry is written with in src/ (literal, or `senior.${action}`). */
async function codesWritten(): Promise<{ actions: Set<string>; entityTypes: Set<string> }> {
  // The two written from a variable: `senior.${action}` (lifecycle) and `order.${action}` (every transition).
  const actions = new Set<string>([...Object.keys(SENIOR_TRANSITIONS).map((action) => `senior.${action}`), ...Object.keys(ORDER_TRANSITIONS).map((action) => `order.${action}`)]);
  const entityTypes = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.ts')) {
        const source = await readFile(full, 'utf8');
        for (const match of source.matchAll(/action: ([^,}]*)/g)) for (const code of (match[1] as string).matchAll(/'([a-z_]+\.[a-z_]+)'/g)) actions.add(code[1] as string);
        if (/recordAudits?\(/.test(source) || full.includes('/audit/')) for (const match of source.matchAll(/entityType: '([a-z_]+)'/g)) entityTypes.add(match[1] as string);
      }
    }
  };
  await walk(path.resolve('src'));
  return { actions, entityTypes };
}

describe('audit log as people read it', () => {
  useTestDatabase();
  const { app, config } = createTestApp({ env: { AUDIT_EXPORT_MAX_ROWS: '3' } });
  let auditor: string;
  let officerId: string;
  beforeEach(async () => {
    await clearCollections();
    const officer = await createTestUser('street_officer', { displayName: '刘建国', streetId: '0123456789abcdef01234567' });
    officerId = officer.id;
    auditor = `Bearer ${signAccessToken(config, await createTestUser('auditor', { displayName: '审计员' }))}`;
    await recordAudit({ actor: officer, action: 'senior.approve', entityType: 'senior', entityId: 's1', before: { status: 'pending_review' }, after: { status: 'active' }, requestId: 'r1' });
    await recordAudit({ actor: 'system', action: 'auth.token_reused', entityType: 'user', entityId: officer.id, after: { familyId: 'f1' } });
  });

  it('has a Chinese label for every action and entity type the code writes', async () => {
    const { actions, entityTypes } = await codesWritten();
    expect(actions.size).to.be.greaterThan(30);
    expect([...actions].filter((action) => !AUDIT_ACTION_ZH[action])).to.deep.equal([]);
    expect([...entityTypes].filter((type) => !AUDIT_ENTITY_ZH[type])).to.deep.equal([]);
  });

  it('names the actor and says the action and the entity in Chinese', async () => {
    const res = await request(app).get('/api/v1/audit').set('Authorization', auditor);

    expect(res.status).to.equal(200);
    expect(res.body.items.map((e: Record<string, string>) => [e.actorName, e.actionLabel, e.entityTypeLabel, e.action])).to.deep.equal([
      ['系统', '刷新令牌被重复使用（已强制下线）', '用户', 'auth.token_reused'],
      ['刘建国', '审核通过老人登记', '老人', 'senior.approve'],
    ]);
  });

  it('exports what the filters select as CSV with Chinese headings, and says where it stopped', async () => {
    const one = await request(app).get(`/api/v1/audit/export?actorId=${officerId}`).set('Authorization', auditor);

    expect(one.status).to.equal(200);
    expect(one.headers['content-type']).to.match(/^text\/csv/);
    expect(one.headers['content-disposition']).to.match(/filename\*=UTF-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97-\d{4}-\d{2}-\d{2}\.csv/);
    const lines = one.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).to.equal('序号,时间,操作人,操作人编号,角色,操作,操作代码,对象类型,对象编号,变更前,变更后,请求编号');
    expect(lines).to.have.length(2);
    expect(lines[1]).to.match(new RegExp(`^1,\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},刘建国,${officerId},街道审核员,审核通过老人登记,senior.approve,老人,s1,"{""status"":""pending_review""}","{""status"":""active""}",r1$`));

    for (let i = 0; i < 3; i += 1) await recordAudit({ actor: 'system', action: 'job.run', entityType: 'job', entityId: `j${i}` });
    const capped = await request(app).get('/api/v1/audit/export').set('Authorization', auditor);
    const cappedLines = capped.text.trim().split('\r\n');
    expect(cappedLines).to.have.length(1 + 3 + 1);
    expect(cappedLines.slice(1, 4).map((line) => line.split(',')[0])).to.deep.equal(['5', '4', '3']);
    expect(cappedLines[4]).to.equal('（仅导出最新的 3 条，还有更早的记录：请缩小时间范围后分段导出）');
  });

  it('lets only admins and auditors export, and refuses a bad filter with 400', async () => {
    const staff = `Bearer ${signAccessToken(config, await createTestUser('community_staff', { communityIds: ['0123456789abcdef01234567'] }))}`;
    expect((await request(app).get('/api/v1/audit/export').set('Authorization', staff)).status).to.equal(403);
    const bad = await request(app).get('/api/v1/audit/export?from=yesterday').set('Authorization', auditor);
    expect(bad.status).to.equal(400);
    expect(bad.body.error.details[0].path).to.equal('from');
  });
});

import { expect } from 'chai';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { deliverDueNotifications } from '../../src/notifications/index.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { signAccessToken } from '../../src/shared/http/auth.ts';
import { captureLogs, logger } from '../../src/shared/logger.ts';
import { decryptPii } from '../../src/shared/pii.ts';
import { createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { settlementWorld, shanghai } from '../settlement/settlement.fixtures.ts';
import { enrolmentBody, idNumberBornOn } from '../seniors/senior.fixtures.ts';

const binary = (res: NodeJS.ReadableStream, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

/**
 * The PII leak scan: one end-to-end scenario through every capability that touches seniors —
 * enrolment (and its errors), search, edits, import, lifecycle, orders, an emergency alert with its
 * notifications delivered, settlement with its files, the audit log — with every log line captured
 * at `trace`. Then no response body (other than /reveal), downloaded file or log line may contain
 * the full ID number or any phone number of any senior in the database.
 */
describe('PII leak scan: responses, files and logs', function () {
  this.timeout(180_000);
  useTestDatabase();

  it('never lets a full ID number or phone out, except through /reveal', async () => {
    // Capture first, then build the app: its request logger is a child made at creation, at the level then in force.
    const logs = captureLogs('trace');
    const { app, config } = createTestApp({ env: { SETTLEMENT_SAMPLE_PCT: '50', LOG_LEVEL: 'trace' } });
    await clearCollections();
    const w = await settlementWorld(config);
    await w.issue('2026-10');
    const staff = `Bearer ${signAccessToken(config, w.staff)}`;
    const admin = `Bearer ${signAccessToken(config, w.admin)}`;
    const finance = w.finance.authorization;
    const texts: { what: string; text: string }[] = [];
    const keep = (what: string, res: request.Response) => {
      expect(res.status, `${what}: ${JSON.stringify(res.body).slice(0, 200)}`).to.be.below(500);
      texts.push({ what, text: Buffer.isBuffer(res.body) ? res.body.toString('utf8') : JSON.stringify(res.body) + (res.text ?? '') });
      return res.body;
    };
    try {
      const idNumber = idNumberBornOn('1941-05-12');
      const body = enrolmentBody(w.north.id, { idNumber, phone: '13566667777', emergencyContacts: [{ name: '刘洋', relation: '女儿', phone: '13588889999' }] });
      const enrolled = keep('enrol', await request(app).post('/api/v1/seniors').set('Authorization', staff).send(body));
      keep('duplicate enrolment', await request(app).post('/api/v1/seniors').set('Authorization', staff).send(body));
      keep('invalid enrolment', await request(app).post('/api/v1/seniors').set('Authorization', staff).send({ ...body, idNumber: `${idNumber.slice(0, 17)}0`, phone: '1356666777' }));
      keep('search by ID number', await request(app).get(`/api/v1/seniors?q=${idNumber}`).set('Authorization', staff));
      keep('search by phone', await request(app).get('/api/v1/seniors?q=13566667777').set('Authorization', staff));
      const path = `/api/v1/seniors/${enrolled.id}`;
      keep('get', await request(app).get(path).set('Authorization', staff));
      keep('patch', await request(app).patch(path).set('Authorization', staff).send({ phone: '13500001234' }));
      keep('approve', await request(app).post(`${path}/approve`).set('Authorization', admin));
      keep('history', await request(app).get(`${path}/history`).set('Authorization', staff));
      const register = `name,idNumber,phone,address,communityCode,categories,careLevel,livingArrangement\n张桂兰,${idNumberBornOn('1938-02-03')},13611112222,合肥市蜀山区桐城路9号,${w.north.code},空巢,1,独居\n李明,${idNumberBornOn('1939-02-03').slice(0, 17)}0,13622223333,合肥市蜀山区桐城路10号,${w.north.code},空巢,1,独居\n`;
      keep('import', await request(app).post('/api/v1/seniors/import').set('Authorization', staff).attach('file', Buffer.from(register), 'register.csv'));

      // Orders, an emergency alert and its notifications, through to settlement.
      const senior = await w.senior('north', ['three_nos']);
      await w.visit({ seniorId: senior, side: 'north', at: shanghai('2026-10-05 09:00') });
      await w.visit({ seniorId: senior, side: 'north', service: 'meal', at: shanghai('2026-10-06 11:00'), confirm: 'callback', satisfaction: 5 });
      keep('alert', await request(app).post('/api/v1/alerts').set('Authorization', staff).send({ seniorId: enrolled.id, source: 'call_button', note: '按铃求助' }));
      await deliverDueNotifications({ keys: config.pii, logger });
      keep('notifications', await request(app).get('/api/v1/notifications?pageSize=200').set('Authorization', admin));
      keep('orders', await request(app).get('/api/v1/service-orders?pageSize=200').set('Authorization', staff));
      const run = keep('settlement', await request(app).post('/api/v1/settlements').set('Authorization', finance).send({ period: '2026-10' }));
      for (const statement of run.statements as { id: string }[]) {
        keep('statement', await request(app).get(`/api/v1/settlements/statements/${statement.id}`).set('Authorization', finance));
        keep('statement CSV', await request(app).get(`/api/v1/settlements/statements/${statement.id}/export?format=csv`).set('Authorization', finance).buffer(true).parse(binary as never));
        const xlsx = await request(app).get(`/api/v1/settlements/statements/${statement.id}/export?format=xlsx`).set('Authorization', finance).buffer(true).parse(binary as never);
        const workbook = new ExcelJS.Workbook();
        const bytes = xlsx.body as Buffer;
        await workbook.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
        const cells: string[] = [];
        workbook.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => { cells.push(String(cell.value)); })));
        texts.push({ what: 'statement XLSX', text: cells.join('\n') });
      }
      keep('sample checks', await request(app).get('/api/v1/settlements/sample-checks?pageSize=200').set('Authorization', staff));
      keep('summary', await request(app).get('/api/v1/settlements/summary?period=2026-10').set('Authorization', finance));
      keep('audit', await request(app).get('/api/v1/audit?pageSize=200').set('Authorization', admin));
      const revealed = await request(app).post(`${path}/reveal`).set('Authorization', staff).send({ fields: ['idNumber'], reason: '核对身份信息' });
      expect(revealed.body.idNumber).to.equal(idNumber);
    } finally {
      logs.stop();
    }

    // Every senior in the database, with the numbers they were enrolled with.
    const secrets = new Set<string>();
    for (const senior of await SeniorModel.find({}).lean()) {
      secrets.add(decryptPii(config.pii, senior.idNumberEncrypted));
      secrets.add(decryptPii(config.pii, senior.phoneEncrypted));
      for (const contact of senior.emergencyContacts ?? []) secrets.add(decryptPii(config.pii, contact.phoneEncrypted));
    }
    expect(secrets.size).to.be.at.least(6);
    expect(logs.lines.length).to.be.at.least(20); // a line per request at least
    expect(logs.lines.some((line) => line.includes('"msg":"request completed"') || line.includes('"res":'))).to.equal(true);
    for (const secret of secrets) {
      for (const { what, text } of texts) expect(text.includes(secret), `${what} contains ${secret.slice(0, 3)}…`).to.equal(false);
      const leaking = logs.lines.find((line) => line.includes(secret));
      expect(leaking, `a log line contains ${secret.slice(0, 3)}…: ${leaking?.slice(0, 200)}`).to.equal(undefined);
    }
  });
});

import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { upsertCommunity, upsertStreet } from '../../src/organisation/index.ts';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { SeniorHistoryModel, SeniorModel } from '../../src/seniors/senior.model.ts';
import { idNumberBornOn } from './senior.fixtures.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';

// The fixture registers and the outcome counts their README gives (../shared/fixtures, copied
// into test/fixtures so a clean clone has them).
const fixture = (name: 'zh' | 'en' | 'gbk') => fileURLToPath(new URL(`../fixtures/seniors-register-${name}.csv`, import.meta.url));

async function createFixtureCommunities(): Promise<string[]> {
  const ids: string[] = [];
  for (const streetNumber of ['001', '002', '003']) {
    const street = await upsertStreet({ name: `上城区${streetNumber}街道`, code: `330102${streetNumber}` });
    for (const communityNumber of ['001', '002', '003', '004']) {
      ids.push((await upsertCommunity({ name: `社区${streetNumber}${communityNumber}`, code: `330102${streetNumber}${communityNumber}`, streetId: street.id, location: { lng: 120.17, lat: 30.25 } })).id);
    }
  }
  return ids;
}

describe('register import', function () {
  this.timeout(120_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  let admin: string;
  let communityIds: string[];
  beforeEach(async () => {
    await clearCollections();
    communityIds = await createFixtureCommunities();
    admin = await tokenFor(config, 'admin');
  });

  const upload = (authorization: string, content: Buffer | string, name: string) =>
    request(app).post('/api/v1/seniors/import').set('Authorization', authorization).attach('file', Buffer.from(content), name);

  for (const [name, expected] of [
    ['zh', { created: 166, duplicates: 5, invalid: 29, rows: 200 }],
    ['en', { created: 50, duplicates: 0, invalid: 0, rows: 50 }],
    ['gbk', { created: 50, duplicates: 1, invalid: 9, rows: 60 }],
  ] as const) {
    it(`imports seniors-register-${name}.csv with the fixture's outcome counts`, async () => {
      const res = await upload(admin, await readFile(fixture(name)), `seniors-register-${name}.csv`);

      expect(res.status, JSON.stringify(res.body).slice(0, 300)).to.equal(200);
      expect(res.body).to.include({ created: expected.created, duplicates: expected.duplicates, invalid: expected.invalid });
      expect(res.body.rows).to.have.length(expected.rows);
      expect(res.body.rows[0].row).to.equal(2);
      expect(await SeniorModel.countDocuments({ status: 'pending_review' })).to.equal(expected.created);
      for (const row of res.body.rows.filter((r: { status: string }) => r.status === 'invalid')) expect(row.errors.length, `row ${row.row}`).to.be.at.least(1);
      expect(JSON.stringify(res.body)).not.to.match(/\d{17}[\dX]/);
    });
  }

  it('imports rows in batches with the same answer per row: a repeat within the file names the first row\'s senior, history and audit chain complete', async () => {
    const header = 'name,idNumber,phone,address,communityCode,categories,careLevel,livingArrangement,emergencyContactName,emergencyContactPhone';
    const ids = Array.from({ length: 450 }, (_, n) => idNumberBornOn(`1950-03-${String((n % 28) + 1).padStart(2, '0')}`));
    ids[299] = ids[9]!; // row 301 repeats row 11
    const rows = ids.map((id, n) => `王秀英,${id},139${String(n).padStart(8, '0')},合肥市蜀山区长江西路${n + 1}号,330102002002,living_alone,1,alone,王强,13812345678`);

    const res = await upload(admin, [header, ...rows].join('\n'), 'batched.csv');
    const verify = await request(app).get('/api/v1/audit/verify').set('Authorization', admin);

    expect(res.status, JSON.stringify(res.body).slice(0, 300)).to.equal(200);
    expect(res.body).to.include({ created: 449, duplicates: 1, invalid: 0 });
    expect(res.body.rows.map((r: { row: number }) => r.row)).to.deep.equal(ids.map((_, n) => n + 2));
    expect(res.body.rows[299]).to.deep.equal({ row: 301, status: 'duplicate', seniorId: res.body.rows[9].seniorId });
    expect(await SeniorModel.countDocuments({})).to.equal(449);
    expect(await SeniorHistoryModel.countDocuments({ action: 'enrol' })).to.equal(449);
    expect(await AuditEntryModel.countDocuments({ action: 'senior.enrol' })).to.equal(449);
    expect(verify.body).to.include({ ok: true });
  });

  it('re-imports the same file creating nothing: every enrolled row and every repeat is a duplicate', async () => {
    const content = await readFile(fixture('zh'));
    await upload(admin, content, 'register.csv');

    const again = await upload(admin, content, 'register.csv');

    expect(again.body).to.include({ created: 0, duplicates: 171, invalid: 29 });
    expect(await SeniorModel.countDocuments()).to.equal(166);
  });

  it('imports the same rows from an XLSX workbook with the same counts', async () => {
    const lines = (await readFile(fixture('zh'), 'utf8')).replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean);
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('台账');
    for (const line of lines) sheet.addRow(line.split(','));

    const res = await upload(admin, Buffer.from(await workbook.xlsx.writeBuffer()), '台账.xlsx');

    expect(res.status).to.equal(200);
    expect(res.body).to.include({ created: 166, duplicates: 5, invalid: 29 });
  });

  it('names the reason of each invalid row, in the caller\'s language', async () => {
    const res = await upload(admin, await readFile(fixture('zh')), 'register.csv').set('Accept-Language', 'en');

    const messages = res.body.rows.filter((r: { status: string }) => r.status === 'invalid').flatMap((r: { errors: { path: string; message: string }[] }) => r.errors.map((e) => `${e.path}: ${e.message}`));
    expect(messages.some((m: string) => m.startsWith('idNumber: The check character'))).to.equal(true);
    expect(messages.some((m: string) => m.startsWith('idNumber: Under 60'))).to.equal(true);
    expect(messages.some((m: string) => m.startsWith('communityCode: unknown community code 330102009009'))).to.equal(true);
    expect(messages.some((m: string) => m.startsWith('categories'))).to.equal(true);
    expect(messages.some((m: string) => m.startsWith('phone'))).to.equal(true);
    expect(messages.some((m: string) => m.startsWith('name'))).to.equal(true);
  });

  it('lets a community worker import only into their own communities (other rows invalid)', async () => {
    const staff = await tokenFor(config, 'community_staff', { communityIds: [communityIds[0] as string] });

    const res = await upload(staff, await readFile(fixture('en')), 'register.csv');

    const inOwnCommunity = (await readFile(fixture('en'), 'utf8')).split('\n').filter((line) => line.includes(',330102001001,')).length;
    expect(res.status).to.equal(200);
    expect(res.body.created).to.equal(inOwnCommunity);
    expect(res.body.invalid).to.equal(50 - inOwnCommunity);
    expect(await SeniorModel.countDocuments({ communityId: { $ne: communityIds[0] } })).to.equal(0);
  });

  it('refuses an empty file, a wrong file type and a missing file with 400, creating nothing', async () => {
    const empty = await upload(admin, Buffer.alloc(0), 'empty.csv');
    const png = await upload(admin, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), 'photo.png');
    const missing = await request(app).post('/api/v1/seniors/import').set('Authorization', admin).field('note', 'no file');

    for (const res of [empty, png, missing]) {
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
      expect(res.body.error.details[0].path).to.equal('file');
    }
    expect(await SeniorModel.countDocuments()).to.equal(0);
  });

  it('forbids roles that do not enrol (403)', async () => {
    const res = await upload(await tokenFor(config, 'finance_officer'), await readFile(fixture('en')), 'register.csv');

    expect(res.status).to.equal(403);
  });
});

describe('register import stopped part-way', function () {
  this.timeout(60_000);
  useTestDatabase();
  const { app, config } = createTestApp();

  it('refuses a file with a fault part-way as a whole, naming where it is, before enrolling anyone', async () => {
    await createFixtureCommunities();
    const admin = await tokenFor(config, 'admin');
    const lines = (await readFile(fixture('en'), 'utf8')).replace(/^\uFEFF/, '').split('\n').filter(Boolean);
    // Three good rows, then an unclosed quote that swallows the rest of the file. The whole file is
    // read (and its rows counted, IMPORT_MAX_ROWS) before the first row is enrolled, so a file that
    // cannot be read to its end is refused whole: nothing half-imported to sort out afterwards.
    const broken = [lines[0], lines[1], lines[2], lines[3], `"unclosed,${lines[4]}`, ...lines.slice(5)].join('\n');

    const res = await request(app).post('/api/v1/seniors/import').set('Authorization', admin).attach('file', Buffer.from(broken), 'broken.csv');

    expect(res.status).to.equal(400);
    expect(res.body.error.details[0].path).to.equal('file');
    expect(res.body.error.message).to.match(/第 5 行起引号未配对/);
    expect(await SeniorModel.countDocuments()).to.equal(0);
  });
});

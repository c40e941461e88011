import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import mongoose from 'mongoose';
import request from 'supertest';
import { StatementModel, ZERO_TOTALS } from '../../src/settlement/settlement.model.ts';
import { dayOfText, fenOfYuanText } from '../../src/settlement/bank-return.ts';
import { ICBC_PAYMENT_HEADER } from '../../src/settlement/payment-file.ts';
import { authFor, createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { binary } from '../letters/letters.fixtures.ts';
import { makeCommunity, makeStreet, providerBody } from '../organisation/organisation.fixtures.ts';

type Auth = { authorization: string };
const ACCOUNT_A = '6222020200112233445';
const ACCOUNT_B = '310066726018010099887';

describe('batch payment file and the bank return file', function () {
  this.timeout(120_000);
  useTestDatabase();
  const { app, config } = createTestApp({ env: { SETTLEMENT_SAMPLE_PCT: '0' } });
  let admin: Auth;
  let finance: Auth;
  let providers: { a: string; b: string; none: string };
  let communityId: string;

  const statementOf = async (providerId: string, providerName: string, period: string, status: 'draft' | 'approved' | 'paid', payableFen: number) => {
    const id = `${period}-${providerId}`;
    await StatementModel.create({
      _id: id, period, providerId, providerName, status, fundingSplit: { cityPct: 50, districtPct: 50 },
      totals: { ...ZERO_TOTALS, grossFen: payableFen, subsidyFen: payableFen, payableFen, cityFen: Math.floor(payableFen / 2), districtFen: payableFen - Math.floor(payableFen / 2) },
      ...(status === 'draft' ? {} : { approvedBy: 'someone', approvedAt: new Date('2026-12-01T02:00:00Z') }),
      ...(status === 'paid' ? { paymentRef: 'EARLIER-1', paidAt: new Date('2026-12-02T02:00:00Z') } : {}),
    });
    return id;
  };
  const download = (path: string) => binary(request(app).get(path).set('Authorization', finance.authorization));
  const upload = (csv: string, name = 'return.csv') => request(app).post('/api/v1/settlements/payment-returns').set('Authorization', finance.authorization).attach('file', Buffer.from(csv), name);
  const statuses = async (ids: string[]) => (await StatementModel.find({ _id: { $in: ids } }).sort({ _id: 1 }).lean()).map((s) => [String(s._id), s.status, s.paymentRef]);

  before(async () => {
    await clearCollections();
    admin = await authFor(config, 'admin');
    finance = await authFor(config, 'finance_officer');
    const street = await makeStreet();
    communityId = (await makeCommunity(street)).id;
    const create = async (name: string, bankAccount?: Record<string, string>) => {
      const res = await request(app).post('/api/v1/providers').set('Authorization', admin.authorization).send(providerBody([communityId], { name, ...(bankAccount ? { bankAccount } : {}) }));
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body.id as string;
    };
    providers = {
      a: await create('安心养老服务中心', { accountName: '合肥市安心养老服务中心', accountNo: '6222 0202 0011 2233 445', bankName: '中国工商银行合肥蜀山支行', bankBranchCode: '102361000123' }),
      b: await create('康乐居家养老', { accountName: '康乐居家养老服务有限公司', accountNo: ACCOUNT_B, bankName: '中国建设银行合肥分行' }),
      none: await create('无账户服务商'),
    };
  });

  describe('provider bank accounts', () => {
    it('masks the account number in every answer and keeps only its ciphertext in the database', async () => {
      const one = await request(app).get(`/api/v1/providers/${providers.a}`).set('Authorization', finance.authorization);
      expect(one.status).to.equal(200);
      expect(one.body.bankAccount).to.deep.equal({ accountName: '合肥市安心养老服务中心', accountNoMasked: '***************3445', bankName: '中国工商银行合肥蜀山支行', bankBranchCode: '102361000123' });
      const list = await request(app).get('/api/v1/providers?pageSize=200').set('Authorization', admin.authorization);
      expect(JSON.stringify(list.body)).not.to.contain(ACCOUNT_A).and.not.to.contain(ACCOUNT_B);
      expect(list.body.items.find((p: { id: string }) => p.id === providers.none).bankAccount).to.equal(null);

      const raw = await mongoose.connection.collection('providers').find({}).toArray();
      expect(JSON.stringify(raw)).not.to.contain(ACCOUNT_A).and.not.to.contain(ACCOUNT_B);
      const stored = raw.find((p) => String(p._id) === providers.a)!.bankAccount;
      expect(stored.accountNoEncrypted).to.match(/^v\d+:/);
      const audit = await mongoose.connection.collection('audit_entries').find({ entityId: providers.a }).toArray();
      expect(audit.length).to.be.greaterThan(0);
      expect(JSON.stringify(audit)).not.to.contain(ACCOUNT_A);
    });

    it('refuses an account number that is not 8 to 30 digits, in Chinese, and changes nothing', async () => {
      const res = await request(app).patch(`/api/v1/providers/${providers.b}`).set('Authorization', admin.authorization)
        .send({ bankAccount: { accountName: '康乐', accountNo: '12AB567', bankName: '中国建设银行' } });
      expect(res.status).to.equal(400);
      expect(res.body.error.details).to.deep.include({ path: 'bankAccount.accountNo', message: '银行账号应为 8 至 30 位数字' });
      const after = await request(app).get(`/api/v1/providers/${providers.b}`).set('Authorization', admin.authorization);
      expect(after.body.bankAccount.accountNoMasked).to.equal(`${'*'.repeat(ACCOUNT_B.length - 4)}9887`);
    });
  });

  describe('the payment file', () => {
    let approvedA: string;
    let approvedB: string;
    before(async () => {
      approvedA = await statementOf(providers.a, '安心养老服务中心', '2026-11', 'approved', 1_234_567);
      approvedB = await statementOf(providers.b, '康乐居家养老', '2026-11', 'approved', 89_001);
      await statementOf(providers.none, '无账户服务商', '2026-11', 'draft', 50_000);
      await statementOf(providers.a, '安心养老服务中心', '2026-10', 'paid', 70_000);
      await statementOf(providers.b, '康乐居家养老', '2026-10', 'approved', 0);
      await statementOf(providers.a, '安心养老服务中心', '2026-09', 'approved', 10_000);
      await statementOf(providers.none, '无账户服务商', '2026-09', 'approved', 20_000);
    });

    it('holds every approved, unpaid payable of the period and nothing else; its sum equals the payables and its checksum line validates', async () => {
      const res = await download('/api/v1/settlements/payment-file?period=2026-11&format=csv&layout=generic');

      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.contain('text/csv');
      const text = (res.body as Buffer).toString('utf8');
      expect(text.startsWith('\uFEFF')).to.equal(true);
      const lines = text.slice(1).split('\r\n').filter((line) => line !== '');
      expect(lines[0]).to.equal('序号,结算单号,收款账户名称,收款账号,开户银行,联行号,金额（元）,用途');
      const detail = lines.slice(1, -1);
      const rows = parse(detail.join('\r\n')) as string[][];
      // Provider A was registered first, so its statement number sorts first.
      expect(rows).to.deep.equal([
        ['1', approvedA, '合肥市安心养老服务中心', ACCOUNT_A, '中国工商银行合肥蜀山支行', '102361000123', '12345.67', `星光助老 2026年11月 服务结算 ${approvedA}`],
        ['2', approvedB, '康乐居家养老服务有限公司', ACCOUNT_B, '中国建设银行合肥分行', '', '890.01', `星光助老 2026年11月 服务结算 ${approvedB}`],
      ]);

      const approved = await StatementModel.find({ period: '2026-11', status: 'approved', 'totals.payableFen': { $gt: 0 } }).lean();
      const payablesFen = approved.reduce((sum, s) => sum + s.totals.payableFen, 0);
      const fileFen = rows.reduce((sum, row) => sum + Math.round(Number(row[6]) * 100), 0);
      expect(fileFen).to.equal(payablesFen).and.to.equal(1_323_568);

      const trailer = (parse(lines.at(-1)!) as string[][])[0]!;
      const checksum = createHash('sha256').update(detail.map((line) => `${line}\r\n`).join(''), 'utf8').digest('hex');
      expect(trailer).to.deep.equal(['校验', '2', '1323568', '13235.68', checksum]);
      expect(res.headers['x-payment-checksum']).to.equal(checksum);
      expect(res.headers['x-payment-total-fen']).to.equal('1323568');

      const audit = await mongoose.connection.collection('audit_entries').find({ action: 'settlement.payment_file', entityId: '2026-11' }).toArray();
      expect(audit).to.have.length(1);
      expect(JSON.stringify(audit)).not.to.contain(ACCOUNT_A);
    });

    it('writes the ICBC layout in GBK: its 19 columns, one row per payment, the same sum and checksum', async () => {
      const res = await download('/api/v1/settlements/payment-file?period=2026-11&layout=icbc');

      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.contain('gbk');
      const bytes = res.body as Buffer;
      const rows = parse(iconv.decode(bytes, 'gbk')) as string[][];
      expect(rows[0]).to.deep.equal(ICBC_PAYMENT_HEADER);
      expect(rows).to.have.length(3);
      for (const row of rows.slice(1)) expect(row).to.have.length(19);
      const a = rows.find((row) => row[18] === approvedA)!;
      expect([a[0], a[11], a[12], a[13], a[14]]).to.deep.equal(['RMB', ACCOUNT_A, '合肥市安心养老服务中心', '12345.67', `星光助老 2026年11月 服务结算 ${approvedA}`]);
      expect(a[1]).to.match(/^\d{8}$/);
      expect(rows.slice(1).reduce((sum, row) => sum + Math.round(Number(row[13]) * 100), 0)).to.equal(1_323_568);
      const headerBytes = iconv.encode(`${ICBC_PAYMENT_HEADER.join(',')}\r\n`, 'gbk').length;
      expect(res.headers['x-payment-checksum']).to.equal(createHash('sha256').update(bytes.subarray(headerBytes)).digest('hex'));
    });

    it('refuses with 422 naming the providers without a bank account (the sum must equal the payables)', async () => {
      const res = await download('/api/v1/settlements/payment-file?period=2026-09');

      expect(res.status).to.equal(422);
      const body = JSON.parse((res.body as Buffer).toString('utf8'));
      expect(body.error.code).to.equal('RULE_VIOLATION');
      expect(body.error.details).to.deep.equal([{ path: 'providers', message: '服务商“无账户服务商”未登记银行账户' }]);
    });
  });

  describe('the bank return file', () => {
    it('reads amounts to the fen without floats and days in the forms banks write them', () => {
      expect(['1000.50', '1,000.5', '¥0.01', '12', '1.234', '-1', 'abc'].map(fenOfYuanText)).to.deep.equal([100_050, 100_050, 1, 1_200, null, null, null]);
      expect(['2026-12-03', '20261203', '2026/12/3', '2026-12-03 10:15:00', '2026-02-30', '2026123'].map(dayOfText)).to.deep.equal(['2026-12-03', '2026-12-03', '2026-12-03', '2026-12-03', null, null]);
    });

    const header = '结算单号,金额,状态,银行流水号,日期\n';
    let ids: { a: string; b: string; c: string; other: string };
    before(async () => {
      ids = {
        a: await statementOf(providers.a, '安心养老服务中心', '2026-08', 'approved', 100_050),
        b: await statementOf(providers.b, '康乐居家养老', '2026-08', 'approved', 20_000),
        c: await statementOf(providers.none, '无账户服务商', '2026-08', 'approved', 30_000),
        other: await statementOf(providers.a, '安心养老服务中心', '2026-07', 'approved', 40_000),
      };
    });

    it('refuses a mismatched amount with 422 per row and marks nothing paid', async () => {
      const before = await statuses(Object.values(ids));
      const res = await upload(`${header}${ids.a},1000.50,成功,ICBC001,2026-12-03\n${ids.b},200.01,成功,ICBC002,2026-12-03\n`);

      expect(res.status).to.equal(422);
      expect(res.body.error.code).to.equal('RULE_VIOLATION');
      expect(res.body.error.details).to.deep.equal([{ path: 'rows.3.amount', message: '第 3 行：金额 200.01 元与结算单应付 200.00 元不符' }]);
      expect(await statuses(Object.values(ids))).to.deep.equal(before);
    });

    it('marks exactly the listed successful statements paid, reports the failed ones, and the same file again changes nothing', async () => {
      const file = `${header}星光助老 2026年08月 服务结算 ${ids.a},"1,000.50",成功,ICBC001,2026-12-03\n${ids.b.toUpperCase()},200.00,成功,ICBC002,20261203\n${ids.c},300.00,失败,,2026-12-03\n`;
      const res = await upload(file);

      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({ paid: 2, alreadyPaid: 0, failed: 1 });
      expect(res.body.rows.map((r: { statementId: string; status: string; amountFen: number }) => [r.statementId, r.status, r.amountFen])).to.deep.equal([[ids.a, 'paid', 100_050], [ids.b, 'paid', 20_000], [ids.c, 'failed', 30_000]]);
      const paidA = await StatementModel.findById(ids.a).lean();
      expect(paidA!.paidAt!.toISOString()).to.equal('2026-12-02T16:00:00.000Z');
      expect(await statuses(Object.values(ids))).to.deep.equal([[ids.other, 'approved', null], [ids.a, 'paid', 'ICBC001'], [ids.b, 'paid', 'ICBC002'], [ids.c, 'approved', null]].sort((x, y) => String(x[0]).localeCompare(String(y[0]))));

      const again = await upload(file);
      expect(again.status).to.equal(200);
      expect(again.body).to.include({ paid: 0, alreadyPaid: 2, failed: 1 });
      const audits = await mongoose.connection.collection('audit_entries').countDocuments({ action: 'statement.pay', entityId: { $in: [ids.a, ids.b] } });
      expect(audits).to.equal(2);
    });

    it('finishes a return cut off half-way when it is uploaded again (one statement paid, the other not yet)', async () => {
      const first = await statementOf(providers.a, '安心养老服务中心', '2026-06', 'approved', 11_100);
      const second = await statementOf(providers.b, '康乐居家养老', '2026-06', 'approved', 22_200);
      // As if the process stopped after the first statement of the file was paid.
      await StatementModel.updateOne({ _id: first }, { $set: { status: 'paid', paymentRef: 'ICBC101', paidAt: new Date('2026-12-03T00:00:00+08:00') } });

      const res = await upload(`${header}${first},111.00,成功,ICBC101,2026-12-03\n${second},222.00,成功,ICBC102,2026-12-03\n`);

      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({ paid: 1, alreadyPaid: 1, failed: 0 });
      expect(await statuses([first, second])).to.deep.equal([[first, 'paid', 'ICBC101'], [second, 'paid', 'ICBC102']].sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
    });

    it('refuses unknown and draft statements, a different serial for a paid one and a future day, all at once, changing nothing', async () => {
      const draft = await statementOf(providers.b, '康乐居家养老', '2026-05', 'draft', 5_000);
      const ok = await statementOf(providers.a, '安心养老服务中心', '2026-05', 'approved', 6_000);
      const unknown = `2026-05-${new mongoose.Types.ObjectId().toHexString()}`;
      const res = await upload(`${header}${unknown},1.00,成功,X1,2026-12-03\n${draft},50.00,成功,X2,2026-12-03\n${ids.a},1000.50,成功,OTHER,2026-12-03\n${ok},60.00,成功,X4,2999-01-01\n`);

      expect(res.status).to.equal(422);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['rows.2.statementRef', 'rows.3.statementRef', 'rows.4.bankSerial', 'rows.5.date']);
      expect(await statuses([draft, ok])).to.deep.equal([[draft, 'draft', null], [ok, 'approved', null]].sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
    });
  });
});

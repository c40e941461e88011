import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import type { Browser, Page } from 'playwright-core';
import { storedBankAccount } from '../../src/organisation/bank-account.ts';
import { ProviderModel } from '../../src/organisation/providers.model.ts';
import { StatementModel, ZERO_TOTALS } from '../../src/settlement/settlement.model.ts';
import { makeCommunity, makeProvider, makeStreet } from '../organisation/organisation.fixtures.ts';
import { TEST_USER_PASSWORD, createTestUser, testConfig } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { choose, launchChromium, openPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';

// The month's payment in the console (issue 21, point 5): the finance officer downloads the batch
// payment file of last month's approved statements in both layouts, uploads a bank return with a
// wrong amount (refused, every row at fault listed, nothing paid), then the right one (each row's
// result shown, exactly the listed statements paid).
const lastMonth = () => {
  const [year, month] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()).split('-').map(Number) as [number, number];
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
};
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

describe('web console: the batch payment file and the bank return (e2e, headless Chromium)', function () {
  this.timeout(120_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  const period = lastMonth();
  const ids: { a: string; b: string } = { a: '', b: '' };

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    const config = testConfig();
    const community = await makeCommunity(await makeStreet());
    const statementOf = async (name: string, accountNo: string, payableFen: number) => {
      const provider = await makeProvider([community.id], { name });
      await ProviderModel.updateOne({ _id: provider.id }, { $set: { bankAccount: storedBankAccount(config.pii, { accountName: `${name}有限公司`, accountNo, bankName: '中国工商银行合肥分行' }) } });
      const id = `${period}-${provider.id}`;
      await StatementModel.create({
        _id: id, period, providerId: provider.id, providerName: name, status: 'approved', fundingSplit: { cityPct: 50, districtPct: 50 },
        totals: { ...ZERO_TOTALS, grossFen: payableFen, subsidyFen: payableFen, payableFen, cityFen: payableFen / 2, districtFen: payableFen / 2 }, approvedBy: 'someone', approvedAt: new Date(Date.now() - 86_400_000),
      });
      return id;
    };
    ids.a = await statementOf('安心养老服务中心', '6222020200112233445', 123_456);
    ids.b = await statementOf('康乐居家养老', '6227001234567890123', 50_000);
    await createTestUser('finance_officer', { username: 'e2e.payfinance', displayName: '周会计' });
    browser = await launchChromium();
    page = await openPage(browser, server.baseUrl);
    await signIn(page, 'e2e.payfinance', TEST_USER_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('downloads the payment file whose sum is the approved payables and whose checksum line validates, and the ICBC layout in GBK', async () => {
    await page.goto(`/settlement?period=${period}`);
    const panel = page.locator('[data-test="payment-file"]');
    await panel.waitFor();
    const [generic] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: '下载支付文件' }).click()]);
    const lines = (await readFile((await generic.path())!, 'utf8')).replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
    const detail = lines.slice(1, -1);
    expect(detail).to.have.length(2);
    const trailer = (parse(lines.at(-1)!) as string[][])[0]!;
    expect(trailer.slice(0, 4)).to.deep.equal(['校验', '2', '173456', '1734.56']);
    expect(trailer[4]).to.equal(createHash('sha256').update(detail.map((line) => `${line}\r\n`).join('')).digest('hex'));

    await choose(page, '文件格式', '工商银行');
    const [icbc] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: '下载支付文件' }).click()]);
    const rows = parse(iconv.decode(await readFile((await icbc.path())!), 'gbk')) as string[][];
    expect(rows[0]![0]).to.equal('币种');
    expect(rows.slice(1).map((row) => row[13])).to.have.members(['1234.56', '500.00']);
  });

  it('refuses a return with a wrong amount, listing the row, and pays nothing; then records the right one row by row', async () => {
    const header = '结算单号,金额,状态,银行流水号,日期\n';
    const wrong = `${header}${ids.a},1234.55,成功,ICBC9001,${today()}\n`;
    await page.locator('#payment-return').setInputFiles({ name: '回单.csv', mimeType: 'text/csv', buffer: Buffer.from(wrong) });
    await page.getByRole('button', { name: '上传回单并登记支付' }).click();
    const refusals = page.locator('[data-test="payment-return-refusals"]');
    await refusals.waitFor();
    expect(await refusals.innerText()).to.contain('未登记任何支付').and.contain('第 2 行：金额 1234.55 元与结算单应付 1234.56 元不符');
    expect(await StatementModel.countDocuments({ period, status: 'paid' })).to.equal(0);

    const right = `${header}${ids.a},1234.56,成功,ICBC9001,${today()}\n${ids.b},500.00,失败,,${today()}\n`;
    await page.locator('#payment-return').setInputFiles({ name: '回单.csv', mimeType: 'text/csv', buffer: Buffer.from(right) });
    await page.getByRole('button', { name: '上传回单并登记支付' }).click();
    const table = page.locator('[data-test="payment-return-rows"]');
    await table.waitFor();
    expect(await table.innerText()).to.contain('已登记支付').and.contain('银行支付失败').and.contain('ICBC9001');
    expect((await StatementModel.findById(ids.a).lean())).to.include({ status: 'paid', paymentRef: 'ICBC9001' });
    expect((await StatementModel.findById(ids.b).lean())!.status).to.equal('approved');
    await screenshot(page, 'finance-payment-return');
  });
});

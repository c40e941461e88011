import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { RunProgressModel, StatementModel } from '../../src/settlement/settlement.model.ts';
import { settlementWorld, shanghai, type SettlementWorld } from '../settlement/settlement.fixtures.ts';
import { TEST_USER_PASSWORD, createTestUser, testConfig } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { launchChromium, openPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';

// Month end as the finance officer does it (issue 17, point 7): run last month's settlement behind
// a confirmation, read where every order went (the figures add up to the orders seen), open a
// statement whose visits carry their GD numbers, export it (file named by provider and month, rows
// with the number and the senior's masked name), approve and pay, each behind a confirmation that
// names the provider and the amount — and cancelling a confirmation sends nothing.
//
// The month's visits come from the settlement fixtures (test/settlement/settlement.fixtures.ts):
// they drive the real services on the visit's own clock, which a past month needs (world.ts
// enrols its seniors today, so their visits could only be this month's, and at a month's end
// the run would straddle two periods).

const ENV = { SETTLEMENT_SAMPLE_PCT: '0' };
const lastMonth = () => {
  const [year, month] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()).split('-').map(Number) as [number, number];
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
};

describe('web console: the finance officer\'s month end (e2e, headless Chromium)', function () {
  this.timeout(120_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let w: SettlementWorld;
  const period = lastMonth();
  const [year, month] = period.split('-') as [string, string];
  const chineseMonth = `${year}年${Number(month)}月`;
  const visits: Record<'fine' | 'meal' | 'duplicate' | 'south', string> = { fine: '', meal: '', duplicate: '', south: '' };
  const numberOf = async (orderId: string) => (await OrderModel.findById(orderId).lean())!.number as string;
  // Element Plus keeps a closed message box in the page, hidden: the open one is the visible one.
  const dialog = () => page.locator('.el-message-box:visible');

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer(ENV);
    w = await settlementWorld(testConfig(ENV));
    await w.issue(period);
    const poor = await w.senior('north', ['three_nos']);
    const nest = await w.senior('south', ['empty_nest']);
    visits.fine = await w.visit({ seniorId: poor, side: 'north', at: shanghai(`${period}-05 09:00`) });
    visits.meal = await w.visit({ seniorId: poor, side: 'north', service: 'meal', at: shanghai(`${period}-06 11:00`) });
    // Overlaps the visit of the 5th: held back, its reason naming that visit's number.
    visits.duplicate = await w.visit({ seniorId: poor, side: 'north', at: shanghai(`${period}-05 09:30`), secondCaregiver: true });
    visits.south = await w.visit({ seniorId: nest, side: 'south', at: shanghai(`${period}-07 09:00`) });
    await w.cancelledByProvider({ seniorId: poor, side: 'north', at: shanghai(`${period}-12 09:00`) });
    await createTestUser('finance_officer', { username: 'e2e.finance', displayName: '周会计' });
    browser = await launchChromium();
    page = await openPage(browser, server.baseUrl);
    await signIn(page, 'e2e.finance', TEST_USER_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('asks before running the month and runs nothing when the officer cancels', async () => {
    await page.goto('/settlement');
    expect(await page.locator('#settlement-period').inputValue()).to.equal(chineseMonth);

    await page.getByRole('button', { name: '运行结算' }).click();
    await dialog().waitFor();
    expect(await dialog().innerText()).to.contain(`运行${chineseMonth}结算`).and.contain('已审核的结算单不会改动');
    await dialog().getByRole('button', { name: '取消' }).click();
    await dialog().waitFor({ state: 'detached' });

    expect(await RunProgressModel.findById(period).lean()).to.equal(null);
    expect(await StatementModel.countDocuments({ period })).to.equal(0);
    expect(await page.locator('[data-test="settlement-progress"]').count()).to.equal(0);
  });

  it('runs the month once confirmed and shows where every order went, adding up to the orders seen', async () => {
    await page.getByRole('button', { name: '运行结算' }).click();
    await dialog().getByRole('button', { name: '运行结算' }).click();
    await page.locator('[data-test="settlement-result"]').waitFor();
    await page.locator('[data-test="settlement-progress"]', { hasText: '已完成' }).waitFor();

    expect(await page.locator('[data-test="settlement-progress"]').innerText()).to.contain('已处理 5 个工单');
    const breakdown = page.locator('[data-test="run-breakdown"]');
    expect(await breakdown.locator('h2').innerText()).to.equal('本次处理的 5 个工单去向');
    const count = async (bucket: string) => Number(await breakdown.locator(`[data-test="bucket-${bucket}"] .count`).innerText());
    const buckets = ['newLines', 'carriedOver', 'unchanged', 'heldBack', 'alreadySettled', 'deferred', 'disputed', 'notBillable'];
    const figures = Object.fromEntries(await Promise.all(buckets.map(async (bucket) => [bucket, await count(bucket)] as const)));
    expect(figures).to.deep.equal({ newLines: 3, carriedOver: 0, unchanged: 0, heldBack: 1, alreadySettled: 0, deferred: 0, disputed: 0, notBillable: 1 });
    expect(await breakdown.locator('[data-test="bucket-newLines"] th').innerText()).to.equal('新增结算明细');
    expect(await breakdown.locator('[data-test="held-back-DUPLICATE_VISIT"]').innerText()).to.equal('重复服务 1');
    const total = breakdown.locator('[data-test="bucket-total"]');
    expect(await total.locator('.count').innerText()).to.equal('5');
    expect(await total.innerText()).to.contain('与已处理工单数一致');
    expect(await page.locator('[data-test="settlement-result"]').innerText()).to.contain('共 2 张结算单').and.contain('含服务明细 3 条');
    await screenshot(page, 'finance-run-breakdown');
  });

  it('shows the statement\'s visits and the held-back one by their GD numbers', async () => {
    await page.locator('[data-test="statements"]').getByRole('link', { name: '安心养老服务中心' }).click();
    await page.waitForURL(/\/settlement\/statements\//);

    // The lines load after the page: wait for both before reading them (a slow run read none).
    await page.locator('[data-test="statement-lines"] [data-test="order-number"]').nth(1).waitFor();
    const numbers = await page.locator('[data-test="statement-lines"] [data-test="order-number"]').allInnerTexts();
    expect(numbers).to.deep.equal([await numberOf(visits.fine), await numberOf(visits.meal)]);
    for (const number of numbers) expect(number).to.match(/^GD\d{12}$/);
    await page.getByRole('tab', { name: /暂缓结算/ }).click();
    const held = page.locator('.el-tab-pane:visible .el-table__row');
    expect(await held.innerText()).to.contain(await numberOf(visits.duplicate)).and.contain('重复服务').and.contain(`工单 ${await numberOf(visits.fine)} 时间重叠`);
    await page.getByRole('tab', { name: /扣款与调整/ }).click();
    expect(await page.locator('.el-tab-pane:visible .el-table__row').innerText()).to.match(/接单后取消[\s\S]*GD\d{12}/);
  });

  it('exports the statement as files named by provider and month, rows with the GD number and the masked name', async () => {
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV' }).click()]);
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载 XLSX' }).click()]);

    expect(csv.suggestedFilename()).to.equal(`结算单-安心养老服务中心-${year}年${month}月.csv`);
    expect(xlsx.suggestedFilename()).to.equal(`结算单-安心养老服务中心-${year}年${month}月.xlsx`);
    const rows = (await readFile(await csv.path(), 'utf8')).replace(/^\uFEFF/, '').split('\r\n').map((row) => row.split(','));
    expect(rows[0]!.slice(2, 5)).to.deep.equal(['工单编号', '老人', '社区']);
    const fineNumber = await numberOf(visits.fine);
    const fine = rows.find((row) => row[2] === fineNumber);
    expect(fine, JSON.stringify(rows)).to.not.equal(undefined);
    expect(fine!.slice(1, 5)).to.deep.equal(['服务', fineNumber, '王*英', '北社区']);
    expect((await readFile(await xlsx.path())).subarray(0, 2).toString('latin1')).to.equal('PK');
  });

  it('approves behind a confirmation naming provider, month and amount; cancelling leaves the draft', async () => {
    const statement = (await StatementModel.findOne({ period, providerId: w.providerA.id }).lean())!;
    const payable = `¥${(statement.totals.payableFen / 100).toFixed(2)}`;

    await page.getByRole('button', { name: '审核通过' }).click();
    await dialog().waitFor();
    expect(await dialog().innerText()).to.contain(`审核通过安心养老服务中心${chineseMonth}结算单`).and.contain(`应付 ${payable}`);
    await dialog().getByRole('button', { name: '取消' }).click();
    await dialog().waitFor({ state: 'detached' });
    expect((await StatementModel.findById(statement._id).lean())!.status).to.equal('draft');
    expect(await page.locator('[data-test="statement-status"]').innerText()).to.equal('草稿');

    await page.getByRole('button', { name: '审核通过' }).click();
    await dialog().getByRole('button', { name: '审核通过' }).click();
    await page.locator('[data-test="statement-status"]', { hasText: '已审核' }).waitFor();
    expect((await StatementModel.findById(statement._id).lean())!.status).to.equal('approved');
    expect((await OrderModel.findById(visits.fine).lean())!.status).to.equal('settled');
  });

  it('records the payment behind a confirmation with the amount and voucher number', async () => {
    const statement = (await StatementModel.findOne({ period, providerId: w.providerA.id }).lean())!;
    const payable = `¥${(statement.totals.payableFen / 100).toFixed(2)}`;
    await page.getByLabel('支付凭证号').fill('HF-2026-118');

    await page.getByRole('button', { name: /登记已支付/ }).click();
    await dialog().waitFor();
    expect(await dialog().innerText()).to.contain(`登记已向安心养老服务中心支付${chineseMonth}结算款 ${payable}`).and.contain('凭证号 HF-2026-118');
    await dialog().getByRole('button', { name: '取消' }).click();
    await dialog().waitFor({ state: 'detached' });
    expect((await StatementModel.findById(statement._id).lean())!.status).to.equal('approved');

    await page.getByRole('button', { name: /登记已支付/ }).click();
    await dialog().getByRole('button', { name: '确认登记' }).click();
    await page.locator('[data-test="statement-status"]', { hasText: '已支付' }).waitFor();
    expect(await StatementModel.findById(statement._id).lean()).to.include({ status: 'paid', paymentRef: 'HF-2026-118' });
  });
});

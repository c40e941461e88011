import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { runSettlement } from '../../src/settlement/index.ts';
import { LineModel, StatementModel } from '../../src/settlement/settlement.model.ts';
import { settlementWorld, shanghai, type SettlementWorld } from '../settlement/settlement.fixtures.ts';
import { TEST_USER_PASSWORD, createTestUser, testConfig } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
// After the modules above: bank-account.ts's schemas need zod's OpenAPI extension they load first.
import { storedBankAccount } from '../../src/organisation/bank-account.ts';
import { ProviderModel } from '../../src/organisation/providers.model.ts';
import { launchChromium, openPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';

// Month end with two signatures (issue 21): above the threshold (¥10 here) the statement needs two
// finance officers, the second neither the first nor the one who started the run; a manual
// adjustment one officer enters waits for another. Three officers, each in their own browser:
// 周会计 ran the month and enters a correction; 吴会计 approves it and signs first; 周会计 is refused
// the second signature (he started the run); 郑会计 signs second and the statement is approved, then
// downloads the month's batch payment file: its rows add up to the approved payable, its checksum
// line holds.

const ENV = { SETTLEMENT_SAMPLE_PCT: '0', SECOND_APPROVAL_ABOVE_FEN: '1000' };
const lastMonth = () => {
  const [year, month] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()).split('-').map(Number) as [number, number];
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
};

describe('web console: a two-signature approval with a correction reviewed by another officer (e2e, headless Chromium)', function () {
  this.timeout(120_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  const pages: Record<'zhou' | 'wu' | 'zheng', Page> = {} as never;
  let w: SettlementWorld;
  let statementId: string;
  const period = lastMonth();
  const dialog = (page: Page) => page.locator('.el-message-box:visible');
  const stored = async () => (await StatementModel.findById(statementId).lean())!;

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer(ENV);
    const config = testConfig(ENV);
    w = await settlementWorld(config);
    await w.issue(period);
    const poor = await w.senior('north', ['three_nos']);
    await w.visit({ seniorId: poor, side: 'north', at: shanghai(`${period}-05 09:00`) });
    await w.visit({ seniorId: poor, side: 'north', service: 'meal', at: shanghai(`${period}-06 11:00`) });
    const zhou = await createTestUser('finance_officer', { username: 'e2e.zhou', displayName: '周会计' });
    await createTestUser('finance_officer', { username: 'e2e.wu', displayName: '吴会计' });
    await createTestUser('finance_officer', { username: 'e2e.zheng', displayName: '郑会计' });
    await runSettlement(period, { by: 'system', startedBy: zhou.id, runId: 'e2e-two-signatures', config });
    await ProviderModel.updateOne({ _id: w.providerA.id }, { $set: { bankAccount: storedBankAccount(config.pii, { accountName: '安心养老服务中心', accountNo: '1302010109024561234', bankName: '中国工商银行合肥分行' }) } });
    statementId = `${period}-${w.providerA.id}`;
    browser = await launchChromium();
    for (const [who, username] of [['zhou', 'e2e.zhou'], ['wu', 'e2e.wu'], ['zheng', 'e2e.zheng']] as const) {
      pages[who] = await openPage(browser, server.baseUrl);
      await signIn(pages[who], username, TEST_USER_PASSWORD);
    }
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('enters a correction of the month that waits for another officer, and approval waits for it', async () => {
    const page = pages.zhou;
    await page.goto(`/settlement/statements/${statementId}`);
    const payableBefore = (await stored()).totals.payableFen;
    await page.locator('[data-test="signatures"]').waitFor();
    expect(await page.locator('[data-test="signatures"]').innerText()).to.contain('需两名财务人员先后签字');

    await page.getByLabel('金额（元）').fill('-12.34');
    await page.getByLabel('理由').fill('重复结算一次助餐，追回');
    await page.getByLabel('依据（可选）').fill('审计意见 2026-07');
    await page.locator('[data-test="add-adjustment"]').click();
    await dialog(page).getByRole('button', { name: '录入' }).click();
    await page.locator('[data-test="pending-adjustments"]').waitFor();

    const line = (await LineModel.findOne({ statementId, reason: 'manual' }).lean())!;
    expect(line).to.include({ amountFen: -1_234, adjustmentStatus: 'pending', correctsPeriod: period, reference: '审计意见 2026-07' });
    // The world's policy: 60% city. −12.34 → the city −7.40, the district −4.94.
    expect(line.cityFen).to.equal(-740);
    expect((await stored()).totals.payableFen, 'a pending adjustment is not counted').to.equal(payableBefore);
    expect(await page.locator('[data-test="approve"]').isDisabled()).to.equal(true);
    await page.getByRole('tab', { name: /扣款与调整/ }).click();
    const row = page.locator('[data-test="charges"] .el-table__row', { hasText: '财务手工调整' });
    expect(await row.innerText()).to.contain('待复核（未计入）').and.contain('录入：周会计').and.contain('市级 -¥7.40').and.contain('区级 -¥4.94');
    expect(await row.locator('[data-test="approve-adjustment"]').count(), 'not his own to approve').to.equal(0);
  });

  it('lets another officer approve the correction, then sign first: the statement stays a draft', async () => {
    const page = pages.wu;
    const payableBefore = (await stored()).totals.payableFen;
    await page.goto(`/settlement/statements/${statementId}`);
    await page.getByRole('tab', { name: /扣款与调整/ }).click();
    await page.locator('[data-test="approve-adjustment"]').click();
    await dialog(page).getByRole('button', { name: '复核通过' }).click();
    await page.locator('[data-test="adjustment-status"]', { hasText: '已复核' }).waitFor();
    expect((await stored()).totals.payableFen).to.equal(payableBefore - 1_234);

    await page.locator('[data-test="approve"]', { hasText: '第一签' }).click();
    expect(await dialog(page).innerText()).to.contain('签第一签').and.contain('还需另一名财务人员签第二签');
    await dialog(page).getByRole('button', { name: '第一签' }).click();
    await page.locator('[data-test="signatures"]', { hasText: '第一签：吴会计' }).waitFor();
    expect(await page.locator('[data-test="approve"]').isDisabled(), 'the first signer cannot sign again').to.equal(true);
    expect(await page.locator('[data-test="statement-status"]').innerText()).to.equal('草稿');
    const statement = await stored();
    expect(statement.status).to.equal('draft');
    expect(statement.approvals).to.have.length(1);
    // The month's list says which statements wait for a second signature.
    await page.goto('/settlement');
    expect(await page.locator('[data-test="statements"] .el-table__row', { hasText: '安心养老服务中心' }).innerText()).to.contain('草稿').and.contain('待第二签');
  });

  it('refuses the second signature of the officer who started the run, in Chinese, and changes nothing', async () => {
    const page = pages.zhou;
    await page.reload();
    await page.locator('[data-test="approve"]', { hasText: '第二签' }).click();
    await dialog(page).getByRole('button', { name: /第二签/ }).click();
    await page.locator('.el-message', { hasText: '您发起了本期结算，不能作第二签' }).waitFor();
    const statement = await stored();
    expect(statement.status).to.equal('draft');
    expect(statement.approvals).to.have.length(1);
  });

  it('approves with a third officer\'s second signature and shows who signed', async () => {
    const page = pages.zheng;
    await page.goto(`/settlement/statements/${statementId}`);
    expect(await page.locator('[data-test="signatures"]').innerText()).to.contain('第一签：吴会计').and.contain('请核对后签第二签');
    await page.locator('[data-test="approve"]', { hasText: '第二签' }).click();
    await dialog(page).getByRole('button', { name: /第二签/ }).click();
    await page.locator('[data-test="statement-status"]', { hasText: '已审核' }).waitFor();
    expect(await page.locator('[data-test="signed-by"]').innerText()).to.equal('吴会计、郑会计');
    const statement = await stored();
    expect(statement.status).to.equal('approved');
    expect(statement.approvals.map((signature) => signature.by)).to.have.length(2);
    await screenshot(page, 'finance-two-signatures');
  });

  it('downloads the month\'s payment file: the approved payable to the provider\'s account, its checksum line valid', async () => {
    const page = pages.zheng;
    await page.goto('/settlement');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="payment-file-download"]').click()]);
    const text = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '');
    const lines = text.split('\r\n').filter(Boolean);
    const [header, ...rest] = lines;
    const trailer = rest.pop()!.split(',');
    expect(header!.split(',').slice(0, 4)).to.deep.equal(['序号', '结算单号', '收款账户名称', '收款账号']);
    const statement = await stored();
    expect(rest).to.have.length(1);
    const row = rest[0]!.split(',');
    expect(row.slice(1, 4)).to.deep.equal([statementId, '安心养老服务中心', '1302010109024561234']);
    const payable = `${Math.floor(statement.totals.payableFen / 100)}.${String(statement.totals.payableFen % 100).padStart(2, '0')}`;
    expect(row[6]).to.equal(payable);
    const detail = rest.map((line) => `${line}\r\n`).join('');
    expect(trailer).to.deep.equal(['校验', '1', String(statement.totals.payableFen), payable, createHash('sha256').update(detail, 'utf8').digest('hex')]);
  });
});

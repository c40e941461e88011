import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { CarePlanModel } from '../../src/care-plans/care-plan.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { signAccessToken } from '../../src/shared/http/auth.ts';
import { EntryModel } from '../../src/vouchers/ledger.model.ts';
import { TEST_USER_PASSWORD, testConfig } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { choose, launchChromium, openPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';
import { buildWorld } from './world.ts';

// A senior's record after enrolment, as the community worker and finance keep it: edit, suspend
// and resume, care plans, deactivation, a voucher correction, the import template, and printing
// the service card and a statement.

describe('web console: a senior\'s record over time (e2e, headless Chromium)', function () {
  this.timeout(120_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let world: Awaited<ReturnType<typeof buildWorld>>;
  let staff: Page;
  let seniorId = '';

  const statusOf = async () => (await SeniorModel.findById(seniorId).lean())?.status;

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    world = await buildWorld(server.baseUrl);
    const response = await fetch(`${server.baseUrl}/api/v1/seniors?pageSize=10&q=${encodeURIComponent('赵德明')}`, { headers: { Authorization: `Bearer ${signAccessToken(testConfig(), world.users.community)}` } });
    seniorId = ((await response.json()) as { items: { id: string }[] }).items[0]!.id;
    browser = await launchChromium();
    staff = await openPage(browser, server.baseUrl);
    // window.print opens no dialog headless; record the calls and what was meant to print.
    await staff.addInitScript('window.__printed = []; window.print = () => window.__printed.push(document.body.className);');
    await signIn(staff, world.users.community.username, TEST_USER_PASSWORD);
    await staff.goto(`/seniors/${seniorId}`);
    await staff.getByRole('heading', { name: '赵德明' }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('edits the address and care level, with field errors in Chinese before anything is sent', async () => {
    await staff.getByRole('button', { name: '编辑档案' }).click();
    const dialog = staff.locator('.el-dialog', { hasText: '编辑老人档案' });
    await dialog.getByLabel('住址').fill('');
    await dialog.getByLabel('联系电话').fill('12345');
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.locator('.el-form-item__error', { hasText: '请填写住址' }).waitFor();
    await dialog.locator('.el-form-item__error', { hasText: '电话号码格式不正确' }).waitFor();
    await dialog.getByLabel('联系电话').fill('');
    expect(await dialog.locator('.el-form-item__error', { hasText: '电话号码格式不正确' }).count()).to.equal(0);

    await dialog.getByLabel('住址').fill('合肥市蜀山区黄山路88号2幢301室');
    await dialog.getByLabel('照护等级').fill('3');
    await dialog.getByRole('button', { name: '保存' }).click();
    await staff.getByText('已保存；类别和照护等级的变化从下月起影响服务券').waitFor();
    await staff.locator('.el-descriptions', { hasText: '黄山路88号' }).waitFor();
    const stored = await SeniorModel.findById(seniorId).lean();
    expect(stored?.careLevel).to.equal(3);
  });

  it('suspends with a reason and resumes', async () => {
    await staff.getByRole('button', { name: '暂停服务' }).click();
    await staff.locator('.el-message-box textarea').fill('住院治疗');
    await staff.locator('.el-message-box').getByRole('button', { name: '暂停服务' }).click();
    await staff.getByText('已暂停服务').waitFor();
    expect(await statusOf()).to.equal('suspended');

    await staff.getByRole('button', { name: '恢复服务' }).click();
    await staff.locator('.el-message-box').getByRole('button', { name: '恢复服务' }).click();
    await staff.getByText('已恢复服务').waitFor();
    expect(await statusOf()).to.equal('active');
  });

  it('plans weekly visits, refusing a plan without days, and stops the plan', async () => {
    await staff.getByRole('tab', { name: '照护计划' }).click();
    await staff.getByRole('button', { name: '新建照护计划' }).click();
    const dialog = staff.locator('.el-dialog', { hasText: '新建照护计划' });
    await choose(staff, '服务项目', '助洁');
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.locator('.el-form-item__error', { hasText: '请至少选择一天' }).waitFor();
    await dialog.locator('label.el-checkbox', { hasText: '周一' }).click();
    await dialog.locator('label.el-checkbox', { hasText: '周四' }).click();
    expect(await dialog.locator('.el-form-item__error', { hasText: '请至少选择一天' }).count()).to.equal(0);
    await choose(staff, '上门时间', /^\s*09:00\s*$/);
    await dialog.getByRole('button', { name: '保存' }).click();
    const plan = staff.locator('[data-test="care-plans"] .el-table__row', { hasText: '每周一、四 09:00' });
    await plan.waitFor();
    expect(await plan.innerText()).to.contain('执行中').and.contain('长期');
    await screenshot(staff, 'community-care-plans');

    await plan.getByRole('button', { name: '停止' }).click();
    await staff.locator('.el-message-box').getByRole('button', { name: '停止计划' }).click();
    await plan.getByText('已停止').waitFor();
    expect((await CarePlanModel.find({ seniorId }).lean()).map((p) => [p.weekdays, p.status])).to.deep.equal([[[1, 4], 'stopped']]);
  });

  it('downloads the service card as a PDF to print (test/e2e/letters.test.ts reads it)', async () => {
    const [download] = await Promise.all([staff.waitForEvent('download'), staff.getByRole('button', { name: '打印服务卡（PDF）' }).click()]);
    expect(download.suggestedFilename()).to.equal('服务卡-赵德明.pdf');
    expect((await readFile(await download.path())).subarray(0, 5).toString('latin1')).to.equal('%PDF-');
  });

  it('deactivates from a day, after saying what it ends', async () => {
    await staff.getByRole('button', { name: '注销' }).click();
    const dialog = staff.locator('.el-dialog', { hasText: '注销老人' });
    await dialog.getByRole('button', { name: '注销' }).click();
    await dialog.locator('.el-form-item__error', { hasText: '请选择注销原因' }).waitFor();
    await dialog.locator('.el-radio', { hasText: '迁出本区' }).click();
    await dialog.getByRole('button', { name: '注销' }).click();
    expect(await staff.locator('.el-message-box').innerText()).to.contain('未开始的工单将取消').and.contain('不能撤销');
    await staff.locator('.el-message-box').getByRole('button', { name: '注销' }).click();
    await staff.getByText('已注销', { exact: true }).first().waitFor();
    expect(await statusOf()).to.equal('deactivated');
    expect(await staff.getByRole('button', { name: '编辑档案' }).count()).to.equal(0);
  });

  it('lets finance correct a voucher balance with a reason', async () => {
    const live = ((await (await fetch(`${server.baseUrl}/api/v1/seniors?pageSize=10&q=${encodeURIComponent('孙玉兰')}`, { headers: { Authorization: `Bearer ${signAccessToken(testConfig(), world.users.community)}` } })).json()) as { items: { id: string }[] }).items[0]!.id;
    const finance = await openPage(browser, server.baseUrl);
    await signIn(finance, world.users.finance.username, TEST_USER_PASSWORD);
    await finance.goto(`/seniors/${live}`);
    const available = finance.locator('[data-test="voucher-account"]');
    await available.waitFor();
    const before = await available.innerText();

    await finance.getByRole('button', { name: '调整余额' }).click();
    const dialog = finance.locator('.el-dialog', { hasText: '调整服务券余额' });
    await dialog.getByLabel('金额（元）').fill('12.345');
    await dialog.getByRole('button', { name: '确认调整' }).click();
    await dialog.locator('.el-form-item__error', { hasText: '最多两位小数' }).waitFor();
    await dialog.getByLabel('金额（元）').fill('12.50');
    await dialog.getByLabel('原因').fill('补发上月漏发的服务券');
    await dialog.getByRole('button', { name: '确认调整' }).click();
    await finance.getByText('已调整服务券余额').waitFor();
    await finance.locator('.el-table__row', { hasText: '调整' }).filter({ hasText: '¥12.50' }).waitFor();
    expect(await available.innerText()).to.not.equal(before);
    const entry = await EntryModel.findOne({ type: 'adjust' }).lean();
    expect([entry?.balanceDeltaFen, entry?.reason]).to.deep.equal([1_250, '补发上月漏发的服务券']);
  });

  it('downloads the register template with the columns the import reads', async () => {
    await staff.goto('/seniors/import');
    const [download] = await Promise.all([staff.waitForEvent('download'), staff.getByRole('button', { name: '下载导入模板' }).click()]);
    expect(download.suggestedFilename()).to.equal('老人名册导入模板.csv');
    expect((await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '').trim()).to.equal('姓名,身份证号,联系电话,住址,社区编码,类别,照护等级,居住情况,紧急联系人,紧急联系电话');
  });
});

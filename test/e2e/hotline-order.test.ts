import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { upsertServiceType } from '../../src/organisation/index.ts';
import { enrolmentBody, idNumberBornOn } from '../seniors/senior.fixtures.ts';
import { TEST_USER_PASSWORD } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { choose, launchChromium, openPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';
import { buildWorld, callAs } from './world.ts';

// The hotline desk: two seniors with one name told apart by what a caller can confirm, no slot in
// the past, and no "¥0.00" for an order no provider could take yet.

describe('web console: a hotline order (e2e, headless Chromium)', function () {
  this.timeout(120_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    const world = await buildWorld(server.baseUrl);
    // A second 王秀英 (the world has one, born 1942, at 桐城路218号) and a service no provider has a contract for.
    const twin = await callAs<{ id: string }>(server.baseUrl, world.users.community, 'POST', '/seniors', enrolmentBody(world.community.id, { name: '王秀英', idNumber: idNumberBornOn('1955-02-11', 'female'), address: '合肥市蜀山区稻香村街道45号1幢102室' }));
    await callAs(server.baseUrl, world.users.street, 'POST', `/seniors/${twin.id}/approve`, {});
    await upsertServiceType({ code: 'meal_delivery', name: '助餐', unit: 'meal', minutesPerUnit: 30, emergency: false, onSite: true });
    browser = await launchChromium();
    page = await openPage(browser, server.baseUrl);
    await signIn(page, world.users.community.username, TEST_USER_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('says everything missing before sending, and drops each error once its field is filled', async () => {
    await page.goto('/orders/new');
    await page.getByRole('button', { name: '提交工单' }).click();
    for (const message of ['请选择老人', '请选择服务项目', '请选择时间']) await page.locator('.el-form-item__error', { hasText: message }).waitFor();
    await choose(page, '服务项目', '助洁');
    await page.locator('.el-form-item__error', { hasText: '请选择服务项目' }).waitFor({ state: 'detached' });
    expect((await page.locator('.el-form-item__error').allInnerTexts()).filter(Boolean)).to.deep.equal(['请选择老人', '请选择时间']);
  });

  it('tells two seniors of one name apart by age, community and address', async () => {
    await page.goto('/orders/new');
    await page.getByLabel('老人', { exact: true }).fill('王秀英');
    const options = page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '王秀英' });
    await options.nth(1).waitFor();
    await screenshot(page, 'community-hotline-seniors');
    const texts = (await options.allInnerTexts()).sort();
    expect(texts).to.have.length(2);
    expect(texts.find((text) => text.includes('桐城路218号'))).to.match(/8\d岁 · 安居苑社区 · /);
    expect(texts.find((text) => text.includes('稻香村街道45号'))).to.match(/7\d岁 · 安居苑社区 · /);
    await options.filter({ hasText: '稻香村街道45号' }).click();
    await page.locator('[data-test="senior-balance"]', { hasText: '稻香村街道45号' }).waitFor();
  });

  it('offers no time slot that has begun today', async () => {
    await page.getByRole('combobox', { name: /服务时间/ }).click({ force: true });
    // 00:00 has begun whenever the test runs (except in the first second of a day); 23:30 has not (except in the day's last half hour).
    const slot = (time: string) => page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: new RegExp(`^\\s*${time}\\s*$`) });
    await slot('00:00').waitFor();
    expect(await slot('00:00').getAttribute('class')).to.contain('is-disabled');
    const lastSlotOpen = new Date().toLocaleTimeString('en-GB', { timeZone: 'Asia/Shanghai', hour12: false }) < '23:30';
    if (lastSlotOpen) expect(await slot('23:30').getAttribute('class')).to.not.contain('is-disabled');
    await page.keyboard.press('Escape');
  });

  it('shows what an order nobody could take will cost instead of ¥0.00', async () => {
    await choose(page, '服务项目', '助餐');
    const tomorrow = new Date(Date.now() + 86_400_000).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'numeric', day: 'numeric' }).split('/');
    await page.getByRole('combobox', { name: '服务日期' }).fill(`${tomorrow[0]}年${tomorrow[1]}月${tomorrow[2]}日`);
    await page.keyboard.press('Enter');
    await choose(page, '服务时间', /^\s*10:00\s*$/);
    await page.getByRole('button', { name: '提交工单' }).click();

    const card = page.locator('[data-test="order-created"]');
    await card.waitFor();
    expect(await card.innerText()).to.contain('暂无可派服务商，已转人工').and.not.contain('¥0.00');
    expect(await card.locator('[data-test="price"]').innerText()).to.equal('派给服务商后按其合同价计算，届时冻结服务券补贴');
  });
});

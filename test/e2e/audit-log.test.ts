import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { TEST_USER_PASSWORD, createTestUser } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { launchChromium, openPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';
import { buildWorld } from './world.ts';

// The auditor's page: who (by name and role), did what (in words), to what, and what changed —
// not action codes, role + hex id and clipped JSON — and the selection as a CSV file.

describe('web console: the audit log (e2e, headless Chromium)', function () {
  this.timeout(120_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    await buildWorld(server.baseUrl);
    const auditor = await createTestUser('auditor', { username: 'e2e.auditor', displayName: '孙审计' });
    browser = await launchChromium();
    // A sign-in of the street officer first, so the log holds a login by a named person.
    const officer = await openPage(browser, server.baseUrl);
    await signIn(officer, 'e2e.street', TEST_USER_PASSWORD);
    page = await openPage(browser, server.baseUrl, { acceptDownloads: true });
    await signIn(page, auditor.username, TEST_USER_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('names people and actions in Chinese and shows what changed field by field', async () => {
    await page.goto('/audit');
    const table = page.locator('[data-test="audit-entries"]');
    const login = table.locator('.el-table__row', { hasText: '刘建国' }).filter({ hasText: '登录' }).first();
    await login.waitFor();
    expect(await login.innerText()).to.contain('（街道审核员）').and.contain('用户');

    const approval = table.locator('.el-table__row', { hasText: '审核通过老人登记' }).first();
    expect(await approval.innerText()).to.contain('刘建国').and.contain('老人');
    expect(await table.innerText()).to.not.match(/auth\.login|senior\.approve|street_officer/);

    await approval.locator('.el-table__expand-icon').click();
    const changes = page.locator('[data-test="audit-changes"]').first();
    await changes.waitFor();
    const status = changes.locator('.el-table__row', { hasText: '状态' });
    expect((await status.innerText()).split(/\s+/).filter(Boolean)).to.deep.equal(['状态', '待审核', '在册']);
    await screenshot(page, 'auditor-audit-log');
  });

  it('narrows to one kind of entity and exports the selection as a CSV file', async () => {
    await page.getByRole('combobox', { name: '对象类型' }).click({ force: true });
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '老人' }).first().click();
    await page.getByRole('button', { name: '查询' }).click();
    await page.locator('[data-test="audit-entries"] .el-table__row', { hasText: '登记老人' }).first().waitFor();
    await page.waitForFunction(`!document.querySelector('[data-test="audit-entries"]').textContent.includes('登录')`);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 CSV' }).click()]);
    expect(download.suggestedFilename()).to.match(/^审计日志-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).to.equal('序号,时间,操作人,操作人编号,角色,操作,操作代码,对象类型,对象编号,变更前,变更后,请求编号');
    const kinds = new Set(lines.slice(1).map((line) => line.split(',')[7]));
    expect([...kinds]).to.deep.equal(['老人']);
    expect(lines.slice(1).some((line) => line.includes('审核通过老人登记'))).to.equal(true);
  });
});

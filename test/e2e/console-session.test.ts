import { expect } from 'chai';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { makeCommunity, makeStreet } from '../organisation/organisation.fixtures.ts';
import { idNumberBornOn } from '../seniors/senior.fixtures.ts';
import { TEST_USER_PASSWORD, createTestUser } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { launchChromium, openPage, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';

// Sign-in, role menus, the silent token refresh and logout, and a register import, through the
// built console.

const STORE_KEY = 'starlight.session';
// The page's sessionStorage, typed here because the tests compile without the DOM library.
interface PageStorage { getItem(key: string): string | null; setItem(key: string, value: string): void }
type PageGlobals = { sessionStorage: PageStorage };
const storedSession = (page: Page) => page.evaluate(
  (key) => JSON.parse((globalThis as unknown as PageGlobals).sessionStorage.getItem(key) ?? 'null') as { accessToken: string; refreshToken: string } | null,
  STORE_KEY,
);
const menuLabels = (page: Page) => page.getByRole('menuitem').allInnerTexts();

describe('web console: session and roles (e2e, headless Chromium)', function () {
  this.timeout(90_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let community: { username: string };
  let communityCode = '';
  let admin: { username: string };
  let caregiver: { username: string };

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    const place = await makeCommunity(await makeStreet());
    communityCode = place.code;
    community = await createTestUser('community_staff', { displayName: '张晓梅', communityIds: [place.id] });
    admin = await createTestUser('admin', { displayName: '区民政局管理员' });
    caregiver = await createTestUser('caregiver', { displayName: '李桂英' });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('refuses a wrong password with the API\'s message and stays on the login page', async () => {
    const page = await openPage(browser, server.baseUrl);
    await page.goto('/');
    await page.waitForURL(/\/login$/);
    await page.getByLabel('用户名').fill(community.username);
    await page.getByLabel('密码').fill('not-the-password');
    await page.getByRole('button', { name: '登录' }).click();

    await page.getByRole('alert').filter({ hasText: '用户名或密码错误' }).waitFor();
    expect(page.url()).to.match(/\/login$/);
  });

  it('shows each role only its own menu and sends it back from pages it may not open', async () => {
    const staff = await openPage(browser, server.baseUrl);
    await signIn(staff, community.username, TEST_USER_PASSWORD);
    expect(await menuLabels(staff)).to.include.members(['老人名册', '登记老人', '热线下单', '待处理工单']).and.not.include('用户');
    await staff.goto('/admin/users');
    await staff.waitForURL(/\/seniors$/);

    const boss = await openPage(browser, server.baseUrl);
    await signIn(boss, admin.username, TEST_USER_PASSWORD);
    expect(await menuLabels(boss)).to.include.members(['用户', '定时任务', '审计日志', '服务商']).and.not.include('热线下单');

    const phone = await openPage(browser, server.baseUrl, { viewport: { width: 390, height: 844 } });
    await signIn(phone, caregiver.username, TEST_USER_PASSWORD);
    expect(phone.url()).to.match(/\/visits$/);
    expect(await menuLabels(phone)).to.deep.equal([]);
  });

  it('refreshes an expired access token silently and keeps working', async () => {
    const page = await openPage(browser, server.baseUrl);
    await signIn(page, community.username, TEST_USER_PASSWORD);
    const before = (await storedSession(page)) as { accessToken: string; refreshToken: string };
    // An access token the API no longer accepts, as after its 15 minutes.
    const broken = `${before.accessToken.slice(0, -4)}${before.accessToken.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    await page.evaluate(([key, token]) => {
      const storage = (globalThis as unknown as PageGlobals).sessionStorage;
      storage.setItem(key, JSON.stringify({ ...JSON.parse(storage.getItem(key) as string), accessToken: token }));
    }, [STORE_KEY, broken] as const);
    await page.reload();

    await page.getByRole('menuitem', { name: '老人名册' }).click();
    await page.waitForURL(/\/seniors$/);
    // The pair was renewed (refresh tokens rotate at every use) and the new access token works.
    await page.waitForFunction(([key, old]) => JSON.parse((globalThis as unknown as PageGlobals).sessionStorage.getItem(key) ?? '{}').refreshToken !== old, [STORE_KEY, before.refreshToken] as const);
    const after = (await storedSession(page)) as { accessToken: string };
    expect(after.accessToken).to.not.equal(broken);
    const me = await page.evaluate(async (token) => (await fetch('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } })).status, after.accessToken);
    expect(me).to.equal(200);
    expect(page.url()).to.match(/\/seniors$/);
  });

  it('logs out through the API: the refresh token is revoked and pages ask for a login again', async () => {
    const page = await openPage(browser, server.baseUrl);
    await signIn(page, community.username, TEST_USER_PASSWORD);
    const { refreshToken } = (await storedSession(page)) as { refreshToken: string };

    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL(/\/login$/);
    const refreshed = await page.evaluate(async (token) => (await fetch('/api/v1/auth/refresh', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken: token }),
    })).status, refreshToken);

    expect(refreshed).to.equal(401);
    expect(await storedSession(page)).to.equal(null);
    await page.goto('/seniors');
    await page.waitForURL(/\/login\?redirect=/);
  });

  it('imports a register: a result per row, and the rows not created as a downloadable report', async () => {
    const valid = idNumberBornOn('1946-07-12');
    const badCheck = idNumberBornOn('1949-02-03');
    const csv = [
      '姓名,身份证号,联系电话,住址,社区编码,类别,照护等级,居住情况,紧急联系人,紧急联系电话',
      `吴桂兰,${valid},13912340001,合肥市蜀山区桐城路1号,${communityCode},独居,1,独居,吴军,13912340002`,
      `钱德顺,${badCheck.slice(0, 17)}${badCheck[17] === '0' ? '1' : '0'},13912340003,合肥市蜀山区桐城路2号,${communityCode},空巢,0,与配偶同住,,`,
      `吴桂兰,${valid},13912340001,合肥市蜀山区桐城路1号,${communityCode},独居,1,独居,吴军,13912340002`,
    ].join('\n');
    const folder = await mkdtemp(path.join(os.tmpdir(), 'register-'));
    const file = path.join(folder, 'register.csv');
    await writeFile(file, `\uFEFF${csv}\n`);
    const page = await openPage(browser, server.baseUrl);
    await signIn(page, community.username, TEST_USER_PASSWORD);

    await page.getByRole('menuitem', { name: '台账导入' }).click();
    await page.getByLabel('台账文件').setInputFiles(file);
    await page.getByRole('button', { name: '开始导入' }).click();

    const summary = page.locator('[data-test="import-summary"]');
    await summary.waitFor();
    expect(await summary.innerText()).to.contain('新登记 1').and.contain('重复 1').and.contain('有误 1');
    expect(await page.locator('.el-table__row').count()).to.equal(3);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载错误报告' }).click()]);
    expect(download.suggestedFilename()).to.equal('导入错误报告-register.csv');
    const report = await readFile(await download.path(), 'utf8');
    expect(report).to.contain('身份证号校验位不正确').and.contain('重复');
    expect(report).not.to.contain('吴桂兰');
  });
});

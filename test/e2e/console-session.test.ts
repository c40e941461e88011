import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { makeCommunity, makeStreet } from '../organisation/organisation.fixtures.ts';
import { TEST_USER_PASSWORD, createTestUser } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { launchChromium, openPage, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';

// Sign-in, role menus, the silent token refresh and logout, through the built console.

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
  let admin: { username: string };
  let caregiver: { username: string };

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    const place = await makeCommunity(await makeStreet());
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
    const before = await storedSession(page);
    // An access token the API no longer accepts, as after its 15 minutes.
    await page.evaluate((key) => {
      const storage = (globalThis as unknown as PageGlobals).sessionStorage;
      const saved = JSON.parse(storage.getItem(key) as string) as { accessToken: string };
      storage.setItem(key, JSON.stringify({ ...saved, accessToken: `${saved.accessToken.slice(0, -4)}AAAA` }));
    }, STORE_KEY);
    await page.reload();

    await page.getByRole('menuitem', { name: '老人名册' }).click();
    await page.locator('.el-table').waitFor();
    const after = await storedSession(page);
    expect(page.url()).to.match(/\/seniors$/);
    expect(after?.accessToken).to.be.a('string').and.not.equal(before?.accessToken);
    expect(after?.refreshToken).to.not.equal(before?.refreshToken);
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
});

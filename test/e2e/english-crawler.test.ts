import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { menuFor } from '../../web/src/menu.ts';
import type { Role } from '../../web/src/api/types.ts';
import { TEST_USER_PASSWORD, createTestUser } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { PHONE, launchChromium, openPage, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';
import { englishIn, visibleText } from './english.ts';
import { HOME, buildWorld, callAs, visitUntil } from './world.ts';

// Every route of every role's menu (and the detail pages they lead to), visited as that person
// with data on the page: the test fails on any visible English — text, placeholders, titles — and
// on any browser console error, uncaught exception or failed request. What may stay Latin is a
// short allow-list: file formats, units, codes people type or read as codes, and the logins.

describe('web console: every page of every role in Chinese, with no errors (e2e, headless Chromium)', function () {
  this.timeout(600_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let world: Awaited<ReturnType<typeof buildWorld>>;
  const details: Record<string, string> = {};

  before(async function () {
    this.timeout(240_000);
    server = await startConsoleServer({ SETTLEMENT_SAMPLE_PCT: '100' });
    world = await buildWorld(server.baseUrl);
    // A working desk: a visit done and confirmed by callback, one waiting for its callback, one
    // offered, the month settled into a statement.
    const seniors = (await callAs<{ items: { id: string }[] }>(server.baseUrl, world.users.community, 'GET', '/seniors?pageSize=10')).items;
    const notes = '老人腿脚不便，请敲门后稍等';
    details.order = await visitUntil(server.baseUrl, world, seniors[0]!.id, 'completed', { at: new Date(Date.now() + 10 * 60_000), notes });
    await callAs(server.baseUrl, world.users.community, 'POST', `/service-orders/${details.order}/confirm`, { method: 'callback', satisfaction: 5 });
    await visitUntil(server.baseUrl, world, seniors[1]!.id, 'completed', { at: new Date(Date.now() + 30 * 60_000), notes });
    await visitUntil(server.baseUrl, world, seniors[2]!.id, 'offered', { at: new Date(Date.now() + 90 * 60_000), notes });
    details.senior = seniors[0]!.id;
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date());
    const run = await callAs<{ statements: { id: string }[] }>(server.baseUrl, world.users.finance, 'POST', '/settlements', { period: month });
    details.statement = run.statements[0]!.id;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function crawl(role: Role, username: string, paths: string[], options: Parameters<typeof openPage>[2] = {}): Promise<string[]> {
    const page = await openPage(browser, server.baseUrl, options);
    const problems: string[] = [];
    let where = 'sign-in';
    page.on('console', (message) => { if (message.type() === 'error') problems.push(`${where}: console error: ${message.text()}`); });
    page.on('pageerror', (error) => problems.push(`${where}: uncaught: ${error.message}`));
    // A request cut short by leaving the page (a poll, a list still loading) is the crawler's doing, not the console's.
    page.on('requestfailed', (request) => { if (request.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`${where}: request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText ?? ''}`); });
    page.on('response', (response) => { if (response.status() >= 400) problems.push(`${where}: ${response.status()} ${response.request().method()} ${response.url()}`); });
    await signIn(page, username, TEST_USER_PASSWORD);
    for (const path of paths) {
      where = `${role} ${path}`;
      await page.goto(path);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300); // charts and lazy panels after the last response
      const english = englishIn(await visibleText(page));
      if (english.length > 0) problems.push(`${where}: English on the page: ${english.join(', ')}`);
    }
    await page.context().close();
    return problems;
  }

  const pathsOf = (role: Role) => menuFor(role).flatMap((group) => group.items.map((item) => item.path));

  it('finds English words and lets data through (the check itself)', () => {
    expect(englishIn('对象类型，如 senior')).to.deep.equal(['senior']);
    expect(englishIn('must be a 24-character hex id')).to.deep.equal(['must', 'be', 'character', 'hex', 'id']);
    expect(englishIn('工单 GD202612030001 · 老人 65a1b2c3d4e5f60718293a4b（…5fe3a9ea）· 下载 XLSX · e2e.community · 2026-12-03')).to.deep.equal([]);
    expect(englishIn('deadbeef cafe')).to.deep.equal(['deadbeef', 'cafe']);
  });

  const roles: { role: Role; user: () => { username: string }; extra: () => string[] }[] = [
    { role: 'community_staff', user: () => world.users.community, extra: () => [`/orders/${details.order}`, `/seniors/${details.senior}`] },
    { role: 'street_officer', user: () => world.users.street, extra: () => [`/seniors/${details.senior}`] },
    { role: 'provider_admin', user: () => world.users.provider, extra: () => [`/orders/${details.order}`, `/settlement/statements/${details.statement}`] },
    { role: 'finance_officer', user: () => world.users.finance, extra: () => [`/settlement/statements/${details.statement}`, `/seniors/${details.senior}`] },
  ];
  for (const { role, user, extra } of roles) {
    it(`shows ${role} only Chinese on every page, with no console error or failed request`, async () => {
      expect(await crawl(role, user().username, [...pathsOf(role), ...extra()])).to.deep.equal([]);
    });
  }

  it('shows the admin and the auditor only Chinese on every page', async () => {
    const admin = await createTestUser('admin', { username: 'e2e.crawladmin', displayName: '区管理员' });
    const auditor = await createTestUser('auditor', { username: 'e2e.crawlaudit', displayName: '区审计' });
    const problems = [
      ...await crawl('admin', admin.username, [...pathsOf('admin'), `/orders/${details.order}`, `/seniors/${details.senior}`, `/settlement/statements/${details.statement}`]),
      ...await crawl('auditor', auditor.username, [...pathsOf('auditor'), `/settlement/statements/${details.statement}`]),
    ];
    expect(problems).to.deep.equal([]);
  });

  it('shows the caregiver only Chinese on her phone', async () => {
    const problems = await crawl('caregiver', world.users.caregiver.username, pathsOf('caregiver'), {
      viewport: PHONE, isMobile: true, hasTouch: true, geolocation: { latitude: HOME.lat, longitude: HOME.lng }, permissions: ['geolocation'],
    });
    expect(problems).to.deep.equal([]);
  });
});

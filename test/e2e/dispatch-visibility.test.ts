import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { TEST_USER_PASSWORD } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { launchChromium, openPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';
import { buildWorld, callAs, visitUntil } from './world.ts';

// Dispatch in the open: the provider's dispatcher sees whom an offer is for and why it came to
// them, the day's schedule says which caregiver makes each visit, and the community worker sees
// on the order why it went to that provider.

describe('web console: why an order went where it went (e2e, headless Chromium)', function () {
  this.timeout(120_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let world: Awaited<ReturnType<typeof buildWorld>>;
  const orders: { offered: string; assigned: string } = { offered: '', assigned: '' };

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    world = await buildWorld(server.baseUrl);
    const seniors = (await callAs<{ items: { id: string; name: string }[] }>(server.baseUrl, world.users.community, 'GET', '/seniors?pageSize=10')).items;
    const idOf = (name: string) => seniors.find((senior) => senior.name === name)!.id;
    orders.assigned = await visitUntil(server.baseUrl, world, idOf('赵德明'), 'assigned', { at: new Date(Date.now() + 60 * 60_000) });
    orders.offered = await visitUntil(server.baseUrl, world, idOf('王秀英'), 'offered', { at: new Date(Date.now() + 120 * 60_000) });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function as(username: string): Promise<Page> {
    const page = await openPage(browser, server.baseUrl);
    await signIn(page, username, TEST_USER_PASSWORD);
    return page;
  }

  it('shows the dispatcher the senior, the address to the door and why the offer came to them', async () => {
    const page = await as(world.users.provider.username);
    await page.goto('/provider/offers');
    const offer = page.locator('[data-test="offers"] .el-table__row', { hasText: '王*英' });
    await offer.waitFor();
    const text = await offer.innerText();
    expect(text).to.contain('安居苑社区 · 合肥市蜀山区桐城路218号').and.not.contain('3幢201室').and.not.contain('王秀英');
    await screenshot(page, 'provider-offer-why');
    expect(await offer.locator('[data-test="offer-reasons"]').innerText()).to.match(/^第 1 选择（共 1 家）：在15分钟服务圈内（[\d.]+ 公里）；今日已接 \d+\/\d+ 单；/);
  });

  it("shows which caregiver makes each of the day's visits", async () => {
    const page = await as(world.users.provider.username);
    await page.goto('/provider/schedule');
    const visit = page.locator('[data-test="schedule"] .el-table__row', { hasText: '已指派护理员' });
    await visit.waitFor();
    await visit.getByText('李桂英').waitFor();
  });

  it('shows the community worker on the order why it went to that provider', async () => {
    const page = await as(world.users.community.username);
    await page.goto(`/orders/${orders.offered}`);
    const why = page.locator('[data-test="offer-why"]');
    await why.waitFor();
    expect(await why.innerText()).to.match(/^派给 安心养老服务中心 的原因：排名第 1（共 1 家候选）：在15分钟服务圈内/);
  });
});

import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { OrderHistoryModel, OrderModel } from '../../src/dispatch/order.model.ts';
import { TEST_USER_PASSWORD } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { launchChromium, openPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';
import { buildWorld, callAs, visitUntil } from './world.ts';

// The community worker's callback for visits no code confirmed. A 0-minute visit arrives flagged;
// the dialog must not be clickable through (no outcome, no rating preselected), and "未服务" /
// "有投诉" must hold the visit out of settlement as a dispute rather than confirm it.

describe('web console: the confirmation callback (e2e, headless Chromium)', function () {
  this.timeout(120_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let world: Awaited<ReturnType<typeof buildWorld>>;
  let page: Page;
  const orders: { served: string; notServed: string } = { served: '', notServed: '' };

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    world = await buildWorld(server.baseUrl);
    const seniors = await callAs<{ items: { id: string }[] }>(server.baseUrl, world.users.community, 'GET', '/seniors?pageSize=10');
    const [first, second] = seniors.items.map((senior) => senior.id);
    // Checked in and straight out without a code: 0 minutes, so flagged short, waiting for the callback.
    orders.served = await visitUntil(server.baseUrl, world, first as string, 'completed', { at: new Date(Date.now() + 20 * 60_000) });
    orders.notServed = await visitUntil(server.baseUrl, world, second as string, 'completed', { at: new Date(Date.now() + 40 * 60_000) });
    browser = await launchChromium();
    page = await openPage(browser, server.baseUrl);
    await signIn(page, world.users.community.username, TEST_USER_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openCallback(orderId: string): Promise<ReturnType<Page['locator']>> {
    await page.goto(`/orders/${orderId}`);
    await page.getByRole('button', { name: '回访确认' }).click();
    const dialog = page.locator('.el-dialog', { hasText: '回访确认' });
    await dialog.waitFor();
    return dialog;
  }

  it('opens with nothing chosen, shows the flags, and confirms only with an outcome and a rating', async () => {
    const dialog = await openCallback(orders.served);
    expect(await dialog.locator('[data-test="callback-flags"]').innerText()).to.contain('服务时长不足');
    expect(await dialog.locator('.el-radio.is-checked').count()).to.equal(0);
    await screenshot(page, 'community-callback');

    await dialog.getByRole('button', { name: '确认已服务' }).click();
    await dialog.locator('[data-test="callback-error"]', { hasText: '请选择回访结果' }).waitFor();
    await dialog.locator('.el-radio', { hasText: '已服务' }).click();
    expect(await dialog.locator('.el-rate__item .is-active').count()).to.equal(0);
    await dialog.getByRole('button', { name: '确认已服务' }).click();
    await dialog.locator('[data-test="callback-error"]', { hasText: '请选择老人的满意度' }).waitFor();
    expect((await OrderModel.findById(orders.served).lean())?.status).to.equal('completed');

    await dialog.locator('.el-rate__item').nth(3).click();
    await dialog.getByRole('button', { name: '确认已服务' }).click();
    await page.getByText('已确认服务').waitFor();
    const confirmed = await OrderModel.findById(orders.served).lean();
    expect([confirmed?.status, confirmed?.confirmation?.method, confirmed?.confirmation?.satisfaction]).to.deep.equal(['confirmed', 'callback', 4]);
  });

  it('records "未服务" as a dispute with what the senior said, never as a confirmation', async () => {
    const dialog = await openCallback(orders.notServed);
    await dialog.locator('.el-radio', { hasText: '未服务' }).click();
    expect(await dialog.locator('.el-rate').count()).to.equal(0);
    await dialog.getByRole('button', { name: '登记为争议' }).click();
    await dialog.locator('[data-test="callback-error"]', { hasText: '请写明老人反映的情况' }).waitFor();
    expect((await OrderModel.findById(orders.notServed).lean())?.status).to.equal('completed');

    await dialog.getByLabel('老人反映').fill('老人说护理员没有上门');
    await dialog.getByRole('button', { name: '登记为争议' }).click();
    await page.getByText('已登记为争议工单，该服务暂不结算').waitFor();
    await page.getByText('有争议').first().waitFor();
    const disputed = await OrderModel.findById(orders.notServed).lean();
    expect(disputed?.status).to.equal('disputed');
    expect(disputed?.confirmation ?? null).to.equal(null);
    const dispute = await OrderHistoryModel.findOne({ orderId: orders.notServed, action: 'dispute' }).lean();
    expect([dispute?.actorId, dispute?.reason]).to.deep.equal([world.users.community.id, '电话回访：老人称未服务。老人说护理员没有上门']);
  });
});

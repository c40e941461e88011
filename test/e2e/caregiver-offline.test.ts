import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { OrderHistoryModel, OrderModel } from '../../src/dispatch/order.model.ts';
import { TEST_USER_PASSWORD } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { PHONE, launchChromium, openPage, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';
import { HOME, buildWorld, callAs, visitUntil } from './world.ts';

// A home without signal: the caregiver checks in and out with the phone offline; the phone keeps
// both records with their own times and sends them, in order, once the network is back — and a
// second sending changes nothing.

describe('web console: a visit recorded without signal (e2e, headless Chromium, phone offline)', function () {
  this.timeout(120_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let visitId = '';
  let world: Awaited<ReturnType<typeof buildWorld>>;
  let queued: { clientRecordId: string; recordedAt: string; step: string; body: Record<string, unknown> }[] = [];

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    world = await buildWorld(server.baseUrl);
    const seniors = (await callAs<{ items: { id: string }[] }>(server.baseUrl, world.users.community, 'GET', '/seniors?pageSize=1')).items;
    visitId = await visitUntil(server.baseUrl, world, seniors[0]!.id, 'assigned', { at: new Date(Date.now() + 15 * 60_000) });
    browser = await launchChromium();
    page = await openPage(browser, server.baseUrl, {
      viewport: PHONE, isMobile: true, hasTouch: true, geolocation: { latitude: HOME.lat, longitude: HOME.lng }, permissions: ['geolocation'],
    });
    context = page.context();
    await signIn(page, world.users.caregiver.username, TEST_USER_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('keeps the check-in and the check-out on the phone while offline, and changes nothing on the server', async () => {
    const card = page.locator(`[data-test="visit-${visitId}"]`);
    await card.waitFor();
    await context.setOffline(true);

    await card.getByRole('button', { name: /签到/ }).click();
    await page.getByText('当前无网络：签到已保存在手机上，恢复网络后自动上传').waitFor();
    await card.getByRole('button', { name: '签退' }).click();
    await page.locator('.el-dialog .el-radio', { hasText: '老人无法提供核验码' }).click();
    await page.locator('.el-dialog textarea').fill('老人外出未带服务卡');
    await page.locator('.el-dialog').getByRole('button', { name: '确认签退' }).click();
    await page.getByText('当前无网络：签退已保存在手机上，恢复网络后自动上传').waitFor();

    expect(await page.locator('[data-test="queued-records"]').innerText()).to.contain('2 条签到/签退记录保存在手机上');
    expect(await card.locator('[data-test="visit-waiting"]').innerText()).to.equal('已保存在手机上，待上传');
    const stored = await OrderModel.findById(visitId).lean();
    expect([stored?.status, stored?.checkIn ?? null]).to.deep.equal(['assigned', null]);
  });

  it('sends both in order when the network returns, at the times they were taken', async () => {
    queued = await page.evaluate<typeof queued>("JSON.parse(localStorage.getItem('starlight.visit-records'))");
    expect(queued.map((record) => record.step)).to.deep.equal(['check-in', 'check-out']);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the records are older than their arrival
    await context.setOffline(false);

    await page.getByText('已上传离线保存的 2 条记录').waitFor();
    await page.locator('[data-test="queued-records"]').waitFor({ state: 'detached' });
    const stored = await OrderModel.findById(visitId).lean();
    expect(stored?.status).to.equal('completed');
    expect(stored?.noCodeReason).to.equal('老人外出未带服务卡');
    expect(stored?.checkIn?.at?.toISOString()).to.equal(queued[0]!.recordedAt);
    expect(stored?.checkOut?.at?.toISOString()).to.equal(queued[1]!.recordedAt);
    expect((stored?.checkIn?.receivedAt as Date).getTime()).to.be.greaterThan(new Date(queued[0]!.recordedAt).getTime());
    await page.locator(`[data-test="visit-${visitId}"]`, { hasText: '已签退，待社区回访确认' }).waitFor();
  });

  it('changes nothing when the phone sends the same records again (an answer it never saw)', async () => {
    const before = await OrderModel.findById(visitId).lean();
    expect(await page.evaluate<unknown>("localStorage.getItem('starlight.visit-records')")).to.equal('[]');
    for (const record of queued) {
      const again = await callAs<{ status: string }>(server.baseUrl, world.users.caregiver, 'POST', `/service-orders/${visitId}/${record.step}`, {
        ...record.body, clientRecordId: record.clientRecordId, recordedAt: record.recordedAt,
      });
      expect(again.status).to.equal('completed');
    }
    expect(await OrderHistoryModel.countDocuments({ orderId: visitId, action: { $in: ['check_in', 'complete'] } })).to.equal(2);
    const after = await OrderModel.findById(visitId).lean();
    expect([after?.checkIn, after?.checkOut, after?.updatedAt]).to.deep.equal([before?.checkIn, before?.checkOut, before?.updatedAt]);
  });
});

import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { signAccessToken } from '../../src/shared/http/auth.ts';
import { TEST_USER_PASSWORD, testConfig } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { launchChromium, openPage, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';
import { HOME, buildWorld } from './world.ts';

// The monthly overview must not mislead: a month with no money shows no funding ring (a ring of
// one 0% part used to fill the chart as "老人自付 0%"), and the statements awaiting payment are not
// called overdue before their due day.

describe('web console: the monthly overview figures (e2e, headless Chromium)', function () {
  this.timeout(120_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer({ SETTLEMENT_SAMPLE_PCT: '0' });
    const world = await buildWorld(server.baseUrl);
    const call = async (user: Parameters<typeof signAccessToken>[1], method: string, path: string, body?: unknown) => {
      const response = await fetch(`${server.baseUrl}/api/v1${path}`, {
        method, headers: { Authorization: `Bearer ${signAccessToken(testConfig(), user)}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return await response.json() as Record<string, unknown>;
    };
    // One visit, confirmed, settled this month and approved: a statement awaiting payment, not yet due.
    const [senior] = (await call(world.users.community, 'GET', '/seniors?pageSize=1')).items as { id: string }[];
    const created = await call(world.users.community, 'POST', '/service-orders', {
      seniorId: senior!.id, serviceTypeCode: world.cleaning.code, quantity: 1, scheduledStart: new Date(Date.now() + 600_000).toISOString(), source: 'staff',
    });
    const orderId = (created.order as { id: string }).id;
    await call(world.users.provider, 'POST', `/service-orders/${orderId}/accept`);
    await call(world.users.provider, 'POST', `/service-orders/${orderId}/assign`, { caregiverId: world.caregiver.id });
    await call(world.users.caregiver, 'POST', `/service-orders/${orderId}/check-in`, HOME);
    await call(world.users.caregiver, 'POST', `/service-orders/${orderId}/check-out`, { ...HOME, visitCode: created.visitCode });
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date());
    const run = await call(world.users.finance, 'POST', '/settlements', { period: month });
    await call(world.users.finance, 'POST', `/settlements/statements/${(run.statements as { id: string }[])[0]!.id}/approve`, {});
    browser = await launchChromium();
    page = await openPage(browser, server.baseUrl);
    await signIn(page, world.users.finance.username, TEST_USER_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists a statement awaiting payment as not yet due, and counts none overdue', async () => {
    await page.goto('/overview');
    const unpaid = page.locator('[data-test="unpaid-statements"]');
    await unpaid.locator('.el-table__row', { hasText: '安心养老服务中心' }).waitFor();
    const header = await unpaid.locator('.el-card__header').innerText();
    expect(header).to.contain('共 1 张').and.contain('其中逾期 0 张');
    expect(header).to.not.contain('逾期未付');
    expect(await unpaid.locator('.el-table__row').innerText()).to.contain('未到期').and.not.contain('逾期');
  });

  it('shows no funding ring for a month without money, and the sources that paid for a month with it', async () => {
    await page.locator('canvas').first().waitFor();
    expect(await page.locator('[data-test="funding-empty"]').count()).to.equal(0);

    await page.getByRole('combobox', { name: '月份' }).fill('2020年1月');
    await page.keyboard.press('Enter');
    await page.locator('[data-test="funding-empty"]', { hasText: '还没有结算或自付金额' }).waitFor();
  });
});

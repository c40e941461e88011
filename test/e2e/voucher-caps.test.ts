import { expect } from 'chai';
import type { Browser, Request } from 'playwright-core';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { addMonths, businessMonth } from '../../src/shared/time.ts';
import { issueMonth } from '../../src/vouchers/index.ts';
import { CapUsageModel } from '../../src/vouchers/cap-usage.model.ts';
import { VoucherPolicyModel } from '../../src/vouchers/policy.model.ts';
import { TEST_USER_PASSWORD, createTestUser } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { choose, launchChromium, openPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';
import { englishIn, visibleText } from './english.ts';
import { buildWorld, callAs } from './world.ts';

// Issue 21, point 1 in the console: the district admin writes a policy's caps (the month's subsidy
// per senior, a service's share of the price and its monthly visits) and an anchor-date expiry
// into the policy form; the senior's voucher panel shows each cap with what is used and left; and
// the hotline desk, refused an order over a cap, reads the reason in Chinese while the caller waits.

const TZ = 'Asia/Shanghai';
const MONTH = businessMonth(new Date(), TZ);
// This month's vouchers went out when the world's seniors were approved, so a new policy starts next
// month; the visits are booked on its 2nd (the panel's month picker shows that month's caps).
const NEXT_MONTH = addMonths(MONTH, 1);
const VISIT_DAY = `${NEXT_MONTH}-02`;
const inWords = (month: string) => `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;

describe('web console: voucher policy caps (e2e, headless Chromium)', function () {
  this.timeout(120_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let world: Awaited<ReturnType<typeof buildWorld>>;
  let seniorId: string;
  const posts: string[] = [];

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    world = await buildWorld(server.baseUrl);
    const seniors = await callAs<{ items: { id: string; name: string }[] }>(server.baseUrl, world.users.community, 'GET', `/seniors?q=${encodeURIComponent('王秀英')}`);
    seniorId = seniors.items[0]!.id;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lets the admin write caps and an anchor-date expiry into a policy, checked before sending, and lists them in Chinese', async () => {
    const admin = await createTestUser('admin', { username: 'e2e.capadmin', displayName: '区管理员' });
    const page = await openPage(browser, server.baseUrl);
    page.on('request', (request: Request) => { if (request.method() === 'POST' && request.url().includes('/api/v1/voucher-policies')) posts.push(request.url()); });
    await signIn(page, admin.username, TEST_USER_PASSWORD);
    await page.goto('/admin/policies');
    await page.getByRole('button', { name: '新增政策' }).click();
    const dialog = page.locator('.el-dialog', { hasText: '新增补贴政策' });
    await dialog.getByLabel('名称').fill('居家养老服务券（限额）');
    await dialog.getByRole('combobox', { name: '起始月份' }).fill(inWords(NEXT_MONTH));
    await page.keyboard.press('Enter');
    await dialog.getByLabel('独居月额度（元）').fill('600');
    await dialog.getByLabel('独居补贴比例').fill('80');
    await dialog.getByText('固定日期失效').click();
    await dialog.getByLabel('失效日期').fill('6-30');
    await dialog.getByLabel('每月补贴上限').fill('30.001');
    await dialog.getByRole('button', { name: '添加服务限额' }).click();
    await dialog.getByRole('button', { name: '添加服务限额' }).click();

    // Everything the form can tell is said at once, in Chinese, and nothing is sent.
    posts.length = 0;
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.locator('.el-form-item__error', { hasText: '请选择服务' }).first().waitFor();
    const errors = (await dialog.locator('.el-form-item__error').allInnerTexts()).filter(Boolean);
    expect(errors).to.have.members(['请按“月-日”填写失效日期，如 06-30（该月须有这一天）', '请填写金额（元，最多两位小数）；不设上限请留空', '请选择服务', '请选择服务']);
    expect(posts).to.deep.equal([]);

    await dialog.getByLabel('失效日期').fill('06-30');
    await dialog.getByLabel('每月补贴上限').fill('30.00');
    await choose(page, '服务限额 1 的服务', /^助洁$/);
    // The first list fades out before the second opens (else its option is the one found).
    await page.locator('.el-select-dropdown:visible').waitFor({ state: 'detached' });
    await choose(page, '服务限额 2 的服务', /^助洁$/);
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.locator('.el-form-item__error', { hasText: '同一服务只能设置一条限额' }).waitFor();
    await dialog.locator('[data-test="cap-row"]').nth(1).getByRole('button', { name: '删除' }).click();
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.locator('.el-form-item__error', { hasText: '请填写补贴比例上限或每月补贴次数' }).waitFor();
    expect(posts).to.deep.equal([]);

    await dialog.getByLabel('服务限额 1 的补贴比例上限').fill('50');
    await dialog.getByLabel('服务限额 1 的每月次数').fill('1');
    await dialog.getByLabel('间隔年数').fill('1');
    await screenshot(page, 'admin-policy-caps-form');
    await dialog.getByRole('button', { name: '保存' }).click();
    await page.locator('.el-message--success', { hasText: '已新增补贴政策' }).waitFor();
    expect(posts).to.have.length(1);

    const stored = await VoucherPolicyModel.findById(NEXT_MONTH).lean();
    expect(stored, 'the policy of next month').to.not.equal(null);
    expect(stored!.expiry).to.deep.include({ mode: 'anchor_date', lapsesOn: '06-30', lapsesAfterYears: 1 });
    expect(stored!.caps.monthlyFen).to.equal(3_000);
    expect(stored!.caps.perService.map((cap) => ({ serviceTypeCode: cap.serviceTypeCode, maxSubsidySharePct: cap.maxSubsidySharePct, monthlyVisits: cap.monthlyVisits })))
      .to.deep.equal([{ serviceTypeCode: world.cleaning.code, maxSubsidySharePct: 50, monthlyVisits: 1 }]);

    const row = page.locator('.el-table__row', { hasText: '居家养老服务券（限额）' });
    await row.waitFor();
    const rowText = await row.innerText();
    await screenshot(page, 'admin-policy-caps-list');
    expect(rowText).to.contain('每月补贴上限 ¥30.00').and.contain('助洁：补贴不超过价格的 50%，每月限 1 次').and.contain('次年 6 月 30 日失效');
    expect(englishIn(await visibleText(page))).to.deep.equal([]);
    await page.context().close();
  });

  it("shows the senior's caps with what is used and what is left", async () => {
    await issueMonth(NEXT_MONTH, 'test');
    // One cleaning next month (¥40.00, the share capped at 50% of the senior's 80%: ¥20.00 subsidy).
    const first = await callAs<{ order: { subsidyFen: number } }>(server.baseUrl, world.users.community, 'POST', '/service-orders', {
      seniorId, serviceTypeCode: world.cleaning.code, quantity: 1, scheduledStart: new Date(`${VISIT_DAY}T09:00:00+08:00`).toISOString(), source: 'staff',
    });
    expect(first.order.subsidyFen).to.equal(2_000);
    expect(await CapUsageModel.findById(`${seniorId}:${NEXT_MONTH}`).lean()).to.deep.include({ subsidyFen: 2_000, visits: { [world.cleaning.code]: 1 } });

    const page = await openPage(browser, server.baseUrl);
    await signIn(page, world.users.community.username, TEST_USER_PASSWORD);
    await page.goto(`/seniors/${seniorId}`);
    const caps = page.locator('[data-test="voucher-caps"]');
    // This month's policy (the world's) sets no caps.
    await caps.locator('[data-test="no-caps"]', { hasText: '本月无额度上限' }).waitFor();
    expect(await caps.locator('.caps-title').innerText()).to.equal(`${inWords(MONTH)}补贴限额`);
    await caps.getByRole('combobox', { name: '限额月份' }).fill(inWords(NEXT_MONTH));
    await page.keyboard.press('Enter');
    await caps.locator('[data-test="cap-monthly"]').waitFor();
    expect(await caps.locator('.caps-title').innerText()).to.equal(`${inWords(NEXT_MONTH)}补贴限额`);
    expect(await caps.locator('[data-test="cap-monthly"]').innerText()).to.equal('每月补贴上限：已用 ¥20.00 / 上限 ¥30.00，剩余 ¥10.00');
    await screenshot(page, 'senior-voucher-caps');
    expect(await caps.locator(`[data-test="cap-service-${world.cleaning.code}"]`).innerText()).to.equal('助洁：补贴不超过价格的 50%；每月补贴 1 次，已用 1 次，剩余 0 次');
    expect(englishIn(await visibleText(page))).to.deep.equal([]);
    await page.context().close();
  });

  it('refuses an order over the visit quota at the hotline desk with the reason in Chinese, nothing stored', async () => {
    const ordersBefore = await OrderModel.countDocuments({ seniorId });
    const page = await openPage(browser, server.baseUrl);
    await signIn(page, world.users.community.username, TEST_USER_PASSWORD);
    await page.goto(`/orders/new?seniorId=${seniorId}`);
    await page.locator('[data-test="senior-balance"]', { hasText: '王秀英' }).waitFor();
    await choose(page, '服务项目', '助洁');
    await page.getByRole('combobox', { name: '服务日期' }).fill(`${inWords(NEXT_MONTH)}2日`);
    await page.keyboard.press('Enter');
    await choose(page, '服务时间', /^\s*10:00\s*$/);
    const answer = page.waitForResponse((response) => response.url().endsWith('/api/v1/service-orders') && response.request().method() === 'POST');
    await page.getByRole('button', { name: '提交工单' }).click();
    const response = await answer;
    expect(response.status()).to.equal(422);
    expect(((await response.json()) as { error: { code: string } }).error.code).to.equal('CAP_EXCEEDED');

    const refusal = page.locator('[data-test="cap-refusal"]');
    await refusal.waitFor();
    await screenshot(page, 'hotline-cap-refusal');
    const text = await refusal.innerText();
    expect(text).to.contain('超出服务券政策的限额').and.contain(`服务“助洁”每月补贴限 1 次，${inWords(NEXT_MONTH)} 已用 1 次`);
    expect(englishIn(await visibleText(page))).to.deep.equal([]);
    expect(await page.locator('[data-test="order-created"]').count()).to.equal(0);
    expect(await OrderModel.countDocuments({ seniorId })).to.equal(ordersBefore);
    expect(await CapUsageModel.findById(`${seniorId}:${NEXT_MONTH}`).lean()).to.deep.include({ subsidyFen: 2_000, visits: { [world.cleaning.code]: 1 } });

    // Changing the order takes the refusal away.
    await page.getByLabel('备注').fill('老人改约其他服务');
    await refusal.waitFor({ state: 'detached' });
    await page.context().close();
  });
});

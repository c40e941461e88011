import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { yuan } from '../../web/src/format.ts';
import { TEST_USER_PASSWORD } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { launchChromium, openPage, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';
import { buildWorld, callAs, visitUntil } from './world.ts';

// The monthly overview must not mislead: a month with no money shows no funding ring (a ring of
// one 0% part used to fill the chart as "老人自付 0%"), and the statements awaiting payment are not
// called overdue before their due day. A city budget of 1 yuan makes the approved month's run-rate
// pass 90 % of it, so the overview warns in Chinese (the district has no budget: no warning).

describe('web console: the monthly overview figures (e2e, headless Chromium)', function () {
  this.timeout(120_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let world: Awaited<ReturnType<typeof buildWorld>>;

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer({ SETTLEMENT_SAMPLE_PCT: '0', ANNUAL_BUDGET_CITY_FEN: '100' });
    world = await buildWorld(server.baseUrl);
    // One visit, confirmed by its code, settled this month and approved: a statement awaiting payment, not yet due.
    const [senior] = (await callAs<{ items: { id: string }[] }>(server.baseUrl, world.users.community, 'GET', '/seniors?pageSize=1')).items;
    await visitUntil(server.baseUrl, world, senior!.id, 'completed', { at: new Date(Date.now() + 600_000), proof: 'visitCode' });
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date());
    const run = await callAs<{ statements: { id: string }[] }>(server.baseUrl, world.users.finance, 'POST', '/settlements', { period: month });
    // The visit is flagged (0 minutes), so it is called back before approval: approved here with a reason.
    await callAs(server.baseUrl, world.users.finance, 'POST', `/settlements/statements/${run.statements[0]!.id}/approve`, { overrideReason: '回访已电话完成，系统登记稍后补录' });
    browser = await launchChromium();
    page = await openPage(browser, server.baseUrl);
    await signIn(page, world.users.finance.username, TEST_USER_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('warns that the city funds will pass 90% of the budget by year end at this month\'s run-rate', async () => {
    type Source = { source: string; warning: boolean; projectedYearEndFen: number; projectedOverBudgetFen: number; runRateFen: number };
    const report = await callAs<{ spend: { settlement: { runRate: { settledMonths: number; sources: Source[] } } } }>(server.baseUrl, world.users.finance, 'GET', '/reports/overview');
    const [city, district] = report.spend.settlement.runRate.sources;
    expect(report.spend.settlement.runRate.settledMonths).to.equal(1);
    expect([city!.warning, district!.warning]).to.deep.equal([true, false]);

    await page.goto('/overview');
    const warning = page.locator('[data-test="budget-warning"]');
    await warning.first().waitFor();
    expect(await warning.count()).to.equal(1);
    const text = await warning.innerText();
    expect(text).to.contain('按目前每月支出，市级财政资金预计年底用到年度预算的')
      .and.contain(`预计全年 ${yuan(city!.projectedYearEndFen)}`).and.contain(`预计超支 ${yuan(city!.projectedOverBudgetFen)}`);
    const projections = await page.locator('[data-test="budget-projection"]').allInnerTexts();
    expect(projections[0]).to.contain(`按已审核的 1 个月平均每月 ${yuan(city!.runRateFen)}`);
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

  it('prints a statement as it is on screen, without the menu and the buttons', async () => {
    await page.locator('[data-test="unpaid-statements"] .el-table__row').getByRole('link', { name: '安心养老服务中心' }).click();
    await page.waitForURL(/\/settlement\/statements\//);
    await page.evaluate("window.__printed = 0; window.print = () => { window.__printed += 1; }");
    await page.getByRole('button', { name: '打印结算单' }).click();
    expect(await page.evaluate('window.__printed')).to.equal(1);
    // What the print style leaves: the statement, not the side menu or the buttons.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.console > .aside').isVisible()).to.equal(false);
    expect(await page.getByRole('button', { name: '打印结算单' }).isVisible()).to.equal(false);
    expect(await page.getByText('安心养老服务中心').first().isVisible()).to.equal(true);
    await page.emulateMedia({ media: 'screen' });
    await page.goto('/overview');
  });

  it('shows no funding ring for a month without money, and the sources that paid for a month with it', async () => {
    await page.locator('canvas').first().waitFor();
    expect(await page.locator('[data-test="funding-empty"]').count()).to.equal(0);

    await page.getByRole('combobox', { name: '月份' }).fill('2020年1月');
    await page.keyboard.press('Enter');
    await page.locator('[data-test="funding-empty"]', { hasText: '还没有结算或自付金额' }).waitFor();
  });
});

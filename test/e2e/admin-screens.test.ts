import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import type { Browser, Page, Request } from 'playwright-core';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { ServiceTypeModel } from '../../src/organisation/service-types.model.ts';
import { yuan } from '../../web/src/format.ts';
import { TEST_USER_PASSWORD, createTestUser } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { launchChromium, openPage, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';
import { HOME, buildWorld, callAs, confirmedVisit, type ApiUser } from './world.ts';

// Four screens of the console over APIs that had none (issue 17): the service catalogue (create
// and edit, with checks in Chinese under the fields), the notification outbox, the anomaly list and
// the period summary. Each test makes its data through the API and reads what a person sees.

type World = Awaited<ReturnType<typeof buildWorld>>;
type Statement = { id: string; providerName: string; totals: Record<string, number>; lineCount: number };

/** About 2 km east of the senior's home: well past the check-in geofence. */
const FAR_FROM_HOME = { lng: HOME.lng + 0.02, lat: HOME.lat };
const HEX_ID = /\b[0-9a-f]{24}\b/;

describe('web console: catalogue, outbox, anomalies and period summary (e2e, headless Chromium)', function () {
  this.timeout(120_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let world: World;
  let admin: Page;
  let month: string;
  let farVisit: { id: string; number: string };
  let statement: Statement;
  let seniorId: string;

  const call = (user: ApiUser, method: string, path: string, body?: unknown) => callAs(server.baseUrl, user, method, path, body);

  before(async function () {
    this.timeout(240_000);
    server = await startConsoleServer({ SETTLEMENT_SAMPLE_PCT: '0' });
    world = await buildWorld(server.baseUrl);
    const seniors = (await call(world.users.community, 'GET', '/seniors?pageSize=10')).items as { id: string }[];
    seniorId = seniors[0]!.id;
    // Both visits end at once, so both are short (less than half the 60 minutes booked); the
    // second also starts 2 km from the senior's home. Both are confirmed by their codes and settled.
    await confirmedVisit(server.baseUrl, world, seniors[0]!.id, 10, {});
    farVisit = await confirmedVisit(server.baseUrl, world, seniors[1]!.id, 30, { checkInAt: FAR_FROM_HOME });
    month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date());
    const run = await call(world.users.finance, 'POST', '/settlements', { period: month });
    statement = (run.statements as Statement[])[0]!;
    browser = await launchChromium();
    admin = await openPage(browser, server.baseUrl);
    await signIn(admin, (await createTestUser('admin', { username: 'e2e.screens', displayName: '区管理员' })).username, TEST_USER_PASSWORD);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  describe('服务项目', () => {
    it('checks a new service as it is typed, sending nothing until it is right, and shows the server\'s refusal under the field', async () => {
      const posts: Request[] = [];
      const countPosts = (request: Request) => { if (request.method() === 'POST' && request.url().includes('/service-types')) posts.push(request); };
      admin.on('request', countPosts);
      await admin.goto('/admin/service-types');
      const table = admin.locator('[data-test="service-types"]');
      await table.locator('.el-table__row', { hasText: world.cleaning.name }).waitFor();

      await admin.getByRole('button', { name: '新增服务项目' }).click();
      const dialog = admin.locator('.el-dialog', { hasText: '新增服务项目' });
      await dialog.getByRole('button', { name: '保存' }).click();
      const codeItem = dialog.locator('.el-form-item', { has: admin.locator('#service-code') });
      const nameItem = dialog.locator('.el-form-item', { has: admin.locator('#service-name') });
      expect(await codeItem.locator('.el-form-item__error').innerText()).to.equal('请填写编码');
      expect(await nameItem.locator('.el-form-item__error').innerText()).to.equal('请填写名称');

      await admin.locator('#service-code').fill('Emergency-Help');
      expect(await codeItem.locator('.el-form-item__error').innerText()).to.equal('编码须为小写字母、数字和下划线，以字母开头');
      await admin.locator('#service-name').fill('助急');
      // An error leaves with a short transition: its going is waited for, not read at once.
      await nameItem.locator('.el-form-item__error').waitFor({ state: 'detached' });
      await dialog.getByRole('button', { name: '保存' }).click();
      expect(posts).to.have.length(0);

      // A code already in the catalogue: only the server knows, and says so under the code.
      await admin.locator('#service-code').fill(world.cleaning.code);
      await codeItem.locator('.el-form-item__error').waitFor({ state: 'detached' });
      await dialog.getByRole('button', { name: '保存' }).click();
      await codeItem.locator('.el-form-item__error', { hasText: '该值已被使用' }).waitFor();
      expect(posts).to.have.length(1);

      await admin.locator('#service-code').fill('emergency_help');
      await codeItem.locator('.el-form-item__error').waitFor({ state: 'detached' });
      await admin.locator('#service-minutes').fill('30');
      await dialog.locator('.el-switch').click(); // the switch's own input is hidden under its drawing
      await dialog.getByRole('button', { name: '保存' }).click();
      const row = table.locator('.el-table__row', { hasText: '助急' });
      await row.waitFor();
      admin.off('request', countPosts);

      expect((await row.innerText()).split(/\s+/).filter(Boolean)).to.deep.equal(['助急', 'emergency_help', '次', '30', '是', '上门服务', '编辑']);
      expect(await ServiceTypeModel.findOne({ code: 'emergency_help' }).lean()).to.include({ name: '助急', unit: 'visit', minutesPerUnit: 30, emergency: true, onSite: false });
    });

    it('edits a service: the list and the database show the change, the code stays, the audit log names the fields in Chinese', async () => {
      const table = admin.locator('[data-test="service-types"]');
      await table.locator('.el-table__row', { hasText: '助急' }).getByRole('button', { name: '编辑' }).click();
      const dialog = admin.locator('.el-dialog', { hasText: '编辑服务项目：助急' });
      expect(await dialog.locator('#service-code').isDisabled()).to.equal(true);
      await dialog.locator('#service-name').fill('');
      const nameItem = dialog.locator('.el-form-item', { has: admin.locator('#service-name') });
      expect(await nameItem.locator('.el-form-item__error').innerText()).to.equal('请填写名称');
      await dialog.locator('#service-name').fill('紧急助援');
      await nameItem.locator('.el-form-item__error').waitFor({ state: 'detached' });
      await dialog.locator('#service-minutes').fill('45');
      await dialog.getByRole('button', { name: '保存' }).click();

      const row = table.locator('.el-table__row', { hasText: '紧急助援' });
      await row.waitFor();
      expect((await row.innerText()).split(/\s+/).filter(Boolean)).to.deep.equal(['紧急助援', 'emergency_help', '次', '45', '是', '上门服务', '编辑']);
      expect(await table.locator('.el-table__row', { hasText: /^助急/ }).count()).to.equal(0);
      expect(await ServiceTypeModel.findOne({ code: 'emergency_help' }).lean()).to.include({ name: '紧急助援', minutesPerUnit: 45, emergency: true });
      const audit = await AuditEntryModel.findOne({ action: 'service_type.update', entityId: 'emergency_help' }).lean();
      expect(audit?.after).to.deep.equal({ name: '紧急助援', minutesPerUnit: 45 });

      // The auditor's page says the change in words, field by field.
      await admin.goto('/admin/audit');
      const entry = admin.locator('[data-test="audit-entries"] .el-table__row', { hasText: '修改服务项目' }).first();
      await entry.locator('.el-table__expand-icon').click();
      const changes = admin.locator('[data-test="audit-changes"]').first();
      await changes.waitFor();
      const fields = (await changes.locator('.el-table__row').allInnerTexts()).map((line) => line.split(/\s+/).filter(Boolean));
      expect(fields).to.deep.equal([['名称', '助急', '紧急助援'], ['每单位时长（分钟）', '30', '45']]);
    });
  });

  describe('通知发件箱', () => {
    it('lists an emergency alert\'s text message in Chinese with the contact\'s phone masked, and filters by status and channel', async () => {
      // The catalogue now has an emergency service (the test above), which an alert needs.
      await call(world.users.community, 'POST', '/alerts', { seniorId, source: 'hotline', note: '老人摔倒' });
      const stored = await NotificationModel.findOne({ template: 'emergency_alert' }).lean();
      expect(stored?.status).to.equal('pending');

      await admin.goto('/admin/notifications');
      const outbox = admin.locator('[data-test="outbox"]');
      const row = outbox.locator('.el-table__row', { hasText: '紧急救助通知' });
      await row.waitFor();
      const text = await row.innerText();
      expect(text).to.contain('短信').and.contain('紧急联系人').and.contain('李强').and.contain('138****1111')
        .and.contain('待发送').and.contain('关系：').and.contain('儿子');
      expect(text).to.not.contain('13800001111').and.not.match(HEX_ID).and.not.contain('emergency_alert');
      // Not tried yet: its first sending is due, not a retry.
      expect(text).to.contain('发送').and.not.contain('重试');
      expect(await outbox.innerText()).to.not.contain('13800001111');
      expect(await row.locator('a', { hasText: '工单' }).getAttribute('href')).to.equal(`/orders/${String(stored?.subject.id)}`);

      await admin.getByRole('combobox', { name: '发送状态' }).click({ force: true });
      await admin.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '已发送' }).click();
      await outbox.locator('.el-table__empty-text', { hasText: '没有通知' }).waitFor();
      await admin.getByRole('combobox', { name: '发送状态' }).click({ force: true });
      await admin.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '待发送' }).click();
      await row.waitFor();

      // The alert's order found no provider (the new service has no contract): the community's desk got a message too.
      await admin.getByRole('combobox', { name: '渠道' }).click({ force: true });
      await admin.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '站内消息' }).click();
      const desk = outbox.locator('.el-table__row', { hasText: '工单无人接单' });
      await desk.waitFor();
      await row.waitFor({ state: 'detached' });
      expect(await desk.innerText()).to.contain('社区工作者').and.contain('安居苑社区').and.contain('服务项目：紧急助援');
    });
  });

  describe('异常监测', () => {
    it('shows the flagged visit with its reasons in Chinese, names instead of ids, and a link to the order by its number', async () => {
      await admin.goto('/anomalies');
      const flagged = admin.locator('[data-test="flagged-visits"]');
      const row = flagged.locator('.el-table__row', { hasText: '签到位置超出范围' });
      await row.waitFor();
      const text = await row.innerText();
      expect(text).to.contain('服务时长不足').and.contain('安居苑社区').and.contain(world.cleaning.name).and.contain('安心养老服务中心').and.contain('李桂英');
      expect(text).to.not.match(HEX_ID).and.not.match(/geofence|short_visit/);
      const link = row.locator(`a[href="/orders/${farVisit.id}"]`);
      expect(farVisit.number).to.match(/^GD\d{12}$/);
      expect(await link.innerText()).to.equal(farVisit.number);
      // Both visits ended at once: both are short, and only the second started far from home.
      expect(await flagged.locator('.el-card__header').innerText()).to.contain('（2）');
      expect(await flagged.locator('.el-table__row', { hasText: '服务时长不足' }).count()).to.equal(2);
      expect(await admin.locator('[data-test="late-payments"] .el-card__header').innerText()).to.contain('逾期未支付的结算单（0）');

      await link.click();
      await admin.waitForURL(`**/orders/${farVisit.id}`);
    });

    it('shows the street officer the same visit in her street, without the district\'s late payments', async () => {
      const officer = await openPage(browser, server.baseUrl);
      await signIn(officer, world.users.street.username, TEST_USER_PASSWORD);
      await officer.goto(`/anomalies?month=${month}`);
      await officer.locator('[data-test="flagged-visits"] .el-table__row', { hasText: '签到位置超出范围' }).waitFor();
      expect(await officer.locator('.toolbar').innerText()).to.contain('统计范围：本街道');
      expect(await officer.locator('[data-test="late-payments"]').count()).to.equal(0);
      await officer.context().close();
    });
  });

  describe('结算汇总', () => {
    it('shows the totals of the month\'s statement by provider, funding source, community and service, and downloads the workbook', async () => {
      const finance = await openPage(browser, server.baseUrl, { acceptDownloads: true });
      await signIn(finance, world.users.finance.username, TEST_USER_PASSWORD);
      await finance.goto(`/settlement/summary?period=${month}`);
      const byProvider = finance.locator('[data-test="by-provider"] .el-table__row', { hasText: statement.providerName });
      await byProvider.waitFor();
      const { totals } = statement;
      expect(totals.payableFen).to.be.greaterThan(0);
      const cells = (await byProvider.locator('td').allInnerTexts()).map((cell) => cell.trim());
      expect(cells).to.deep.equal([
        statement.providerName, '草稿', String(statement.lineCount), yuan(totals.grossFen!), yuan(totals.subsidyFen!), yuan(totals.selfPayFen!),
        yuan(totals.penaltyFen!), yuan(totals.adjustmentFen!), yuan(totals.payableFen!), yuan(totals.cityFen!), yuan(totals.districtFen!),
      ]);
      expect(await byProvider.locator('a').getAttribute('href')).to.equal(`/settlement/statements/${statement.id}`);
      const cards = await finance.locator('[data-test="summary-totals"]').innerText();
      expect(cards).to.contain(`应付服务商\n${yuan(totals.payableFen!)}`).and.contain(`服务总额\n${yuan(totals.grossFen!)}`);
      const funding = (await finance.locator('[data-test="by-funding"] .el-table__row').allInnerTexts()).map((line) => line.split(/\s+/).filter(Boolean));
      expect(funding).to.deep.equal([['市级财政', yuan(totals.cityFen!)], ['区级财政', yuan(totals.districtFen!)], ['老人自付', yuan(totals.selfPayFen!)]]);
      const community = (await finance.locator('[data-test="by-community"] .el-table__row').innerText()).split(/\s+/).filter(Boolean);
      expect(community).to.deep.equal(['安居苑社区', String(statement.lineCount), String(statement.lineCount), yuan(totals.grossFen!), yuan(totals.subsidyFen!), yuan(totals.selfPayFen!)]);
      expect(await finance.locator('[data-test="by-service-type"] .el-table__row').innerText()).to.contain(world.cleaning.name);
      expect(await finance.locator('[data-test="by-category"]').innerText()).to.not.match(/[a-z]_[a-z]/);

      const [download] = await Promise.all([finance.waitForEvent('download'), finance.getByRole('button', { name: '下载 XLSX' }).click()]);
      const [year, monthNumber] = month.split('-');
      expect(download.suggestedFilename()).to.equal(`结算汇总-${year}年${monthNumber}月.xlsx`);
      expect((await readFile(await download.path())).subarray(0, 2).toString('latin1')).to.equal('PK');
      const [csv] = await Promise.all([finance.waitForEvent('download'), finance.getByRole('button', { name: '下载 CSV' }).click()]);
      expect(csv.suggestedFilename()).to.equal(`结算汇总-${year}年${monthNumber}月.csv`);
      const csvText = (await readFile(await csv.path())).toString('utf8');
      expect(csvText.startsWith('\uFEFF')).to.equal(true);
      expect(csvText).to.contain('按服务商').and.contain('按资金来源').and.contain(`合计,,${statement.lineCount},`);
      await finance.context().close();
    });
  });
});

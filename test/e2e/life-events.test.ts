import { expect } from 'chai';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { ProposalModel } from '../../src/life-events/life-event.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { enrolSenior, transitionSenior } from '../../src/seniors/index.ts';
import { signAccessToken } from '../../src/shared/http/auth.ts';
import { businessMonth } from '../../src/shared/time.ts';
import { AccountModel, EntryModel } from '../../src/vouchers/ledger.model.ts';
import { issueMonth } from '../../src/vouchers/index.ts';
import { TEST_USER_PASSWORD, createTestUser, testConfig } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { enrolmentBody, idNumberBornOn } from '../seniors/senior.fixtures.ts';
import { launchChromium, openPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';
import { englishIn, visibleText } from './english.ts';
import { buildWorld, callAs, visitUntil, type ApiUser } from './world.ts';

// The life-event feed and its proposal queue (issue 19, point 4): an admin imports a feed with a
// death for a senior who has an offered order, a hospital admission, a move, the death again, a
// discharge nobody was admitted for, an unknown ID number and a bad row; the page shows each row's
// result in Chinese and the error report; the senior with the reported death cannot get a new order
// while it waits. The street officer — not the importer — confirms the death (the senior is 已注销,
// the history lists the cancelled order and the released hold) and rejects the admission with a
// reason; a move decided by someone else meanwhile is refused in the server's words. The importer
// cannot decide their own rows. Checked in the database too. Data made through services and the API.

const TZ = 'Asia/Shanghai';
const DAY_MS = 86_400_000;
const shanghaiDay = (instant: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(instant);
const chineseDay = (day: string) => { const [y, m, d] = day.split('-').map(Number); return `${y}年${m}月${d}日`; };
const squeeze = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('web console: life events imported, confirmed and rejected (e2e, headless Chromium)', function () {
  this.timeout(240_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let world: Awaited<ReturnType<typeof buildWorld>>;
  let importer: ApiUser & { username: string };
  let otherAdmin: ApiUser & { username: string };
  let file: string;
  let orderId: string;
  const seniors: Record<'died' | 'admitted' | 'discharged' | 'moved', { id: string; idNumber: string; name: string }> = {} as never;
  const days = { death: shanghaiDay(new Date(Date.now() - 2 * DAY_MS)), admission: shanghaiDay(new Date(Date.now() - 3 * DAY_MS)), discharge: shanghaiDay(new Date(Date.now() - DAY_MS)) };

  /** Seniors on the register since ten days ago (so the feed's days may be back-dated to), with their vouchers. */
  async function enrolSeniors(): Promise<void> {
    const config = testConfig();
    const [enroller, approver] = [await createTestUser('admin'), await createTestUser('admin')];
    const enrolledAt = new Date(Date.now() - 10 * DAY_MS);
    const names = { died: ['钱桂兰', '1939-02-14'], admitted: ['郑国强', '1941-07-30'], discharged: ['冯淑珍', '1945-12-01'], moved: ['韩志远', '1943-04-18'] } as const;
    for (const [key, [name, birthDate]] of Object.entries(names) as [keyof typeof names, readonly [string, string]][]) {
      const idNumber = idNumberBornOn(birthDate);
      const { id } = await enrolSenior(enrolmentBody(world.community.id, { name, idNumber }), { actor: enroller, config, requestId: null, lang: 'zh', now: enrolledAt });
      await transitionSenior(id, { action: 'approve' }, { actor: approver, config, requestId: null, lang: 'zh', now: new Date(enrolledAt.getTime() + 60_000) });
      seniors[key] = { id, idNumber, name };
    }
    for (const month of new Set([businessMonth(enrolledAt, TZ), businessMonth(new Date(), TZ)])) await issueMonth(month, 'test');
  }

  /** An order for the senior as the community's hotline would ask for it: the status and the error code. */
  async function tryOrder(seniorId: string): Promise<{ status: number; code: string | null }> {
    const response = await fetch(`${server.baseUrl}/api/v1/service-orders`, {
      method: 'POST', headers: { Authorization: `Bearer ${signAccessToken(testConfig(), world.users.community)}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ seniorId, serviceTypeCode: world.cleaning.code, quantity: 1, scheduledStart: new Date(Date.now() + 3 * 3_600_000).toISOString(), source: 'staff' }),
    });
    const body = await response.json() as { error?: { code: string } };
    return { status: response.status, code: body.error?.code ?? null };
  }

  before(async function () {
    this.timeout(240_000);
    server = await startConsoleServer();
    world = await buildWorld(server.baseUrl);
    importer = await createTestUser('admin', { username: 'e2e.lifeadmin', displayName: '区民政局管理员' });
    otherAdmin = await createTestUser('admin', { username: 'e2e.lifeadmin2', displayName: '区民政局复核员' });
    await enrolSeniors();
    orderId = await visitUntil(server.baseUrl, world, seniors.died.id, 'offered');
    const csv = [
      '身份证号,事件,日期',
      `${seniors.died.idNumber},死亡,${days.death}`,
      `${seniors.admitted.idNumber},住院,${days.admission.replaceAll('-', '/')}`,
      `${seniors.moved.idNumber},迁出,${days.death}`,
      `${seniors.died.idNumber},去世,${days.death}`,
      `${seniors.discharged.idNumber},出院,${days.discharge}`,
      `${idNumberBornOn('1947-01-01')},死亡,${days.death}`,
      `${seniors.admitted.idNumber},失踪,2026/13/40`,
    ].join('\n');
    file = path.join(await mkdtemp(path.join(os.tmpdir(), 'life-events-')), 'feed.csv');
    await writeFile(file, `\uFEFF${csv}\n`);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const resultRows = (page: Page) => page.locator('[data-test="import-rows"] .el-table__row');
  const queueRow = (page: Page, name: string) => page.locator('[data-test="proposals"] .el-table__body-wrapper .el-table__row', { hasText: name });
  const proposalOf = async (seniorId: string) => (await ProposalModel.findOne({ seniorId }).lean())!;
  const englishOnPage = async (page: Page) => englishIn((await visibleText(page)).replaceAll(path.basename(file), ' '));

  it('shows the importer a result per row in Chinese, with the reasons and the error report, and holds the reported death\'s orders at once', async () => {
    const page = await openPage(browser, server.baseUrl);
    await signIn(page, importer.username, TEST_USER_PASSWORD);
    await page.getByRole('menuitem', { name: '生命事件导入' }).click();
    expect(squeeze(await page.locator('[data-test="import-explained"]').innerText())).to.contain('须由另一位街道工作人员或区管理员').and.contain('立即停止为该老人新派工单');
    await page.getByLabel('生命事件文件').setInputFiles(file);
    await page.getByRole('button', { name: '开始导入' }).click();

    const summary = page.locator('[data-test="import-summary"]');
    await summary.waitFor();
    expect(squeeze(await summary.innerText())).to.contain('共 7 行').and.contain('已匹配待确认 3').and.contain('重复 1').and.contain('非登记老人 1').and.contain('存疑 1').and.contain('格式错误 1');
    const cells = (await resultRows(page).allInnerTexts()).map((text) => text.split(/\s+/).filter(Boolean).slice(0, 2));
    expect(cells).to.deep.equal([['2', '已匹配待确认'], ['3', '已匹配待确认'], ['4', '已匹配待确认'], ['5', '重复'], ['6', '存疑'], ['7', '非登记老人'], ['8', '格式错误']]);
    expect(await resultRows(page).nth(5).locator('.problem').allInnerTexts()).to.deep.equal(['身份证号：没有找到登记在册的这位老人，请核对身份证号']);
    expect(await resultRows(page).nth(6).locator('.problem').allInnerTexts()).to.deep.equal(['事件：无法识别的事件“失踪”：应为死亡、住院（入院）、出院或迁出', '日期：日期应写作 2026-10-15 或 2026/10/15']);
    expect((await resultRows(page).nth(4).locator('.problem').allInnerTexts())[0]).to.match(/^事件：没有 \d{4}-\d{2}-\d{2} 或之前的住院（入院）信息/);
    // The matched rows and the repeated one lead to the queue.
    expect(await resultRows(page).nth(0).locator('a').getAttribute('href')).to.equal('/life-events/proposals');
    expect(await resultRows(page).nth(3).locator('a').getAttribute('href')).to.equal('/life-events/proposals');
    expect(await englishOnPage(page)).to.deep.equal([]);
    await screenshot(page, 'admin-life-event-import');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载错误报告' }).click()]);
    expect(download.suggestedFilename()).to.equal('生命事件错误报告-feed.csv');
    const report = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '').trim().split(/\r\n/);
    expect(report[0]).to.equal('行号,结果,字段,原因');
    expect(report.slice(1).map((line) => line.split(',').slice(0, 3).join(','))).to.deep.equal(['6,存疑,事件', '7,非登记老人,身份证号', '8,格式错误,事件', '8,格式错误,日期']);

    // Three proposals wait; the death holds the senior's dispatch while it waits.
    const stored = await ProposalModel.find({}).lean();
    expect(stored.map((proposal) => [proposal.seniorId, proposal.event, proposal.status]).sort()).to.deep.equal([
      [seniors.died.id, 'death', 'pending'], [seniors.admitted.id, 'hospital_admission', 'pending'], [seniors.moved.id, 'moved_out', 'pending'],
    ].sort());
    expect(await tryOrder(seniors.died.id)).to.deep.equal({ status: 422, code: 'NOT_ELIGIBLE' });
    expect((await tryOrder(seniors.admitted.id)).status).to.equal(201);

    // The importer's own rows wait for someone else: no buttons, and the API refuses them.
    await page.getByRole('menuitem', { name: '生命事件待确认' }).click();
    const own = queueRow(page, seniors.died.name);
    await own.waitFor();
    expect(await own.locator('[data-test="own-import"]').innerText()).to.equal('本人导入，须由其他工作人员确认或驳回');
    expect(await own.getByRole('button').count()).to.equal(0);
    const refused = await callAs(server.baseUrl, importer, 'POST', `/life-events/proposals/${String((await proposalOf(seniors.died.id))._id)}/confirm`).catch((error: Error) => error.message);
    expect(refused).to.match(/^POST .*: 422 /).and.contain('SELF_APPROVAL').and.contain('导入该信息的人不能自己确认或驳回，请由另一位街道工作人员处理');
    expect(await englishOnPage(page)).to.deep.equal([]);
    await page.context().close();
  });

  it('lets the street officer confirm the death and reject the admission, shows a decision made meanwhile in the server\'s words, and keeps the rows with what was done', async () => {
    const page = await openPage(browser, server.baseUrl);
    await signIn(page, world.users.street.username, TEST_USER_PASSWORD);
    await page.getByRole('menuitem', { name: '生命事件待确认' }).click();
    const died = queueRow(page, seniors.died.name);
    await died.waitFor();
    expect(await queueRow(page, seniors.moved.name).count()).to.equal(1);
    const text = squeeze(await died.innerText());
    expect(text).to.contain('死亡').and.contain(chineseDay(days.death)).and.contain('feed.csv').and.contain('其他工作人员').and.contain('待确认');
    const masked = `${seniors.died.idNumber.slice(0, 6)}${'*'.repeat(8)}${seniors.died.idNumber.slice(-4)}`;
    expect(text).to.contain(masked).and.not.contain(seniors.died.idNumber); // the ID number as the API masks it

    // The move is confirmed by another admin while the page is open: rejecting it is refused in the server's words, and the list is read again.
    await callAs(server.baseUrl, otherAdmin, 'POST', `/life-events/proposals/${String((await proposalOf(seniors.moved.id))._id)}/confirm`, { note: '户籍迁出名单' });
    await queueRow(page, seniors.moved.name).getByRole('button', { name: '驳回' }).click();
    await page.locator('.el-message-box textarea').fill('核实中');
    await page.locator('.el-message-box').getByRole('button', { name: '驳回' }).click();
    await page.locator('.el-message', { hasText: '该信息已确认' }).waitFor();
    await queueRow(page, seniors.moved.name).waitFor({ state: 'detached' });

    // Confirming says what will happen first; the note is optional.
    await died.getByRole('button', { name: '确认' }).click();
    const box = page.locator('.el-message-box');
    expect(squeeze(await box.innerText())).to.contain(`确认后老人将从${chineseDay(days.death)}起注销（去世），未开始的工单取消、冻结的服务券解除`).and.contain('已付款的去世后服务将在下期结算中追回');
    expect(await englishOnPage(page)).to.deep.equal([]);
    await box.locator('textarea').fill('民政部门死亡名单，已电话核实');
    await box.getByRole('button', { name: '确认' }).click();
    await died.locator('[data-test="proposal-status"]', { hasText: '已确认' }).waitFor();
    expect(squeeze(await died.locator('[data-test="proposal-outcome"]').innerText())).to.equal('老人已注销；没有需要追回的服务');
    expect(squeeze(await died.innerText())).to.contain('本人').and.contain('备注：民政部门死亡名单，已电话核实');

    const admitted = queueRow(page, seniors.admitted.name);
    await admitted.getByRole('button', { name: '驳回' }).click();
    await page.locator('.el-message-box textarea').fill('经电话核实老人在家，未住院');
    await page.locator('.el-message-box').getByRole('button', { name: '驳回' }).click();
    await admitted.locator('[data-test="proposal-status"]', { hasText: '已驳回' }).waitFor();
    expect(squeeze(await admitted.locator('[data-test="proposal-note"]').innerText())).to.equal('驳回原因：经电话核实老人在家，未住院');
    await screenshot(page, 'street-life-event-queue');

    // The decided ones, by who decided.
    await page.locator('label.el-radio-button', { hasText: '已确认' }).click();
    await queueRow(page, seniors.moved.name).waitFor();
    expect(squeeze(await queueRow(page, seniors.moved.name).innerText())).to.contain('其他工作人员').and.contain('备注：户籍迁出名单').and.contain('老人已注销');
    expect(squeeze(await queueRow(page, seniors.died.name).innerText())).to.contain('本人 ·');
    expect(await queueRow(page, seniors.admitted.name).count()).to.equal(0);
    await page.locator('label.el-radio-button', { hasText: '已驳回' }).click();
    await queueRow(page, seniors.admitted.name).waitFor();
    expect(await page.locator('[data-test="proposals"] .el-table__body-wrapper .el-table__row').count()).to.equal(1);
    expect(await englishOnPage(page)).to.deep.equal([]);

    // In the database: the decisions, the senior deactivated as deceased from the day, the offered order cancelled and its hold released.
    const [death, admission, move] = [await proposalOf(seniors.died.id), await proposalOf(seniors.admitted.id), await proposalOf(seniors.moved.id)];
    expect([death.status, death.decidedBy, death.note]).to.deep.equal(['confirmed', world.users.street.id, '民政部门死亡名单，已电话核实']);
    expect([admission.status, admission.decidedBy, admission.note]).to.deep.equal(['rejected', world.users.street.id, '经电话核实老人在家，未住院']);
    expect([move.status, move.decidedBy]).to.deep.equal(['confirmed', otherAdmin.id]);
    const senior = (await SeniorModel.findById(seniors.died.id).lean())!;
    expect(senior.status).to.equal('deactivated');
    expect((await SeniorModel.findById(seniors.admitted.id).lean())!.status).to.equal('active');
    const order = (await OrderModel.findById(orderId).lean())!;
    expect(order.status).to.equal('cancelled');
    expect(await EntryModel.countDocuments({ seniorId: seniors.died.id, type: 'release', orderId })).to.equal(1);
    expect((await AccountModel.findById(seniors.died.id).lean())!.heldFen).to.equal(0);
    await page.context().close();
  });

  it('shows the senior as 已注销, the history with the cancelled order and the released hold, and the life events with the decision', async () => {
    const order = (await OrderModel.findById(orderId).lean())!;
    const page = await openPage(browser, server.baseUrl);
    await signIn(page, world.users.street.username, TEST_USER_PASSWORD);
    await page.goto(`/seniors/${seniors.died.id}`);
    await page.getByRole('heading', { name: seniors.died.name }).waitFor();
    await page.locator('.el-tag', { hasText: '已注销' }).first().waitFor();

    await page.getByRole('tab', { name: '变更记录' }).click();
    const touched = page.locator('[data-test="history-touched"] li');
    await touched.first().waitFor();
    const lines = (await touched.allInnerTexts()).map(squeeze);
    expect(lines).to.include(`工单 ${order.number}：已取消`);
    expect(lines).to.include(`服务券 ${order.number}：冻结的服务券已解除（${(order.subsidyFen / 100).toFixed(2)} 元）`);
    expect(await page.locator('[data-test="history-touched"]').first().locator(`a[href="/orders/${orderId}"]`).count()).to.be.greaterThan(0);
    expect(await englishOnPage(page)).to.deep.equal([]);

    await page.getByRole('tab', { name: '生命事件' }).click();
    const event = page.locator('[data-test="life-events"] .el-table__row', { hasText: '死亡' });
    await event.waitFor();
    expect(squeeze(await event.innerText())).to.contain('已确认').and.contain('备注：民政部门死亡名单，已电话核实').and.contain('老人已注销').and.contain('feed.csv');
    expect(await englishOnPage(page)).to.deep.equal([]);
    await screenshot(page, 'street-life-event-senior');
    await page.context().close();
  });
});

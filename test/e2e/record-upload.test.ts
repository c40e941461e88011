import { expect } from 'chai';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { enrolSenior, transitionSenior } from '../../src/seniors/index.ts';
import { businessDateTime, businessMonth } from '../../src/shared/time.ts';
import { issueMonth } from '../../src/vouchers/index.ts';
import { TEST_USER_PASSWORD, createTestUser, testConfig } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { enrolmentBody, idNumberBornOn } from '../seniors/senior.fixtures.ts';
import { choose, launchChromium, openPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';
import { englishIn, visibleText } from './english.ts';
import { HOME, buildWorld } from './world.ts';

// A provider's dispatcher uploads the visits its own app recorded (issue 18): a good visit, one
// checked in 2 km from the senior's home (taken, flagged), one for an ID number nobody registered
// (refused, the reason beside the row) and the first one's record number again (a duplicate of its
// order). What the page shows is checked against the orders in the database; then the admin sends
// the same file for the provider and nothing is made twice.

const TZ = 'Asia/Shanghai';
const HEADER = '老人身份证号,服务项目,数量,护理员手机号,签到时间,签到经度,签到纬度,签退时间,签退经度,签退纬度,坐标系,外部记录号,老人确认码';
const NEAR = { lng: HOME.lng + 0.0002, lat: HOME.lat + 0.0001 }; // ~22 m from the door
const FAR = { lng: HOME.lng + 0.02, lat: HOME.lat }; // ~1.9 km east
const UNKNOWN_REASON = '老人身份证号：系统中没有登记这位老人，请核对身份证号';

describe('web console: a provider uploads its visit records (e2e, headless Chromium)', function () {
  this.timeout(180_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let world: Awaited<ReturnType<typeof buildWorld>>;
  let file: string;
  let seniors: { a: string; b: string };

  /** The visits began 30 hours ago, on the minute; the sheet writes them as Beijing wall-clock time. */
  const base = new Date(Math.floor((Date.now() - 30 * 3_600_000) / 60_000) * 60_000);
  const local = (minutes: number) => businessDateTime(new Date(base.getTime() + minutes * 60_000), TZ).slice(0, 16);

  /** Two seniors on the register since three days before the visits, with this month's vouchers. */
  async function enrolSeniors(): Promise<{ a: { id: string; idNumber: string }; b: { id: string; idNumber: string } }> {
    const config = testConfig();
    const [enroller, approver] = [await createTestUser('admin'), await createTestUser('admin')];
    const enrolledAt = new Date(base.getTime() - 3 * 86_400_000);
    const senior = async (name: string, birthDate: string) => {
      const idNumber = idNumberBornOn(birthDate);
      const { id } = await enrolSenior(enrolmentBody(world.community.id, { name, idNumber }), { actor: enroller, config, requestId: null, lang: 'zh', now: enrolledAt });
      await transitionSenior(id, { action: 'approve' }, { actor: approver, config, requestId: null, lang: 'zh', now: new Date(enrolledAt.getTime() + 60_000) });
      return { id, idNumber };
    };
    const enrolled = { a: await senior('周桂芳', '1944-03-09'), b: await senior('吴德林', '1940-10-21') };
    for (const month of new Set([businessMonth(enrolledAt, TZ), businessMonth(base, TZ), businessMonth(new Date(), TZ)])) await issueMonth(month, 'test');
    return enrolled;
  }

  before(async function () {
    this.timeout(240_000);
    server = await startConsoleServer();
    world = await buildWorld(server.baseUrl);
    const enrolled = await enrolSeniors();
    seniors = { a: enrolled.a.id, b: enrolled.b.id };
    const phone = '13955550101'; // the world's caregiver, skilled in cleaning
    const row = (idNumber: string, service: string, start: number, minutes: number, checkIn: { lng: number; lat: number }, externalId: string) =>
      [idNumber, service, 1, phone, local(start), checkIn.lng, checkIn.lat, local(start + minutes), NEAR.lng, NEAR.lat, '', externalId, ''].join(',');
    const csv = [
      HEADER,
      row(enrolled.a.idNumber, world.cleaning.code, 0, 60, NEAR, 'AX-0001'),
      row(enrolled.b.idNumber, '助洁', 90, 60, FAR, 'AX-0002'),
      row(idNumberBornOn('1947-01-01'), world.cleaning.code, 180, 60, NEAR, 'AX-0003'),
      row(enrolled.a.idNumber, world.cleaning.code, 300, 60, NEAR, 'AX-0001'),
    ].join('\n');
    file = path.join(await mkdtemp(path.join(os.tmpdir(), 'records-')), 'records.csv');
    await writeFile(file, `\uFEFF${csv}\n`);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const resultRows = (page: Page) => page.locator('[data-test="import-rows"] .el-table__row');
  const linkOf = (page: Page, index: number) => resultRows(page).nth(index).locator('a').getAttribute('href');
  /** The English the crawler would find on the page with its results (it sees the page empty); the chosen file's name is the user's. */
  const englishOnPage = async (page: Page) => englishIn((await visibleText(page)).replaceAll(path.basename(file), ' '));

  it('shows the provider a result per row with the reasons in Chinese and the orders linked, made as provider records in the database', async () => {
    const page = await openPage(browser, server.baseUrl);
    await signIn(page, world.users.provider.username, TEST_USER_PASSWORD);
    await page.getByRole('menuitem', { name: '服务记录上传' }).click();
    expect(await page.locator('[data-test="upload-explained"]').innerText()).to.contain('照常接收').and.contain('记为“重复”');
    await page.getByLabel('服务记录文件').setInputFiles(file);
    await page.getByRole('button', { name: '开始上传' }).click();

    const summary = page.locator('[data-test="import-summary"]');
    await summary.waitFor();
    expect(await summary.innerText()).to.contain('共 4 行').and.contain('新建 2').and.contain('重复 1').and.contain('未通过 1');
    const cells = (await resultRows(page).allInnerTexts()).map((text) => text.split(/\s+/).filter(Boolean).slice(0, 2));
    expect(cells).to.deep.equal([['2', '新建'], ['3', '新建'], ['4', '未通过'], ['5', '重复']]);
    expect(await resultRows(page).nth(2).locator('.problem').allInnerTexts()).to.deep.equal([UNKNOWN_REASON]);
    expect(await resultRows(page).nth(2).locator('a').count()).to.equal(0);
    expect(await englishOnPage(page)).to.deep.equal([]);
    await screenshot(page, 'provider-record-upload');

    // Two orders, both provider records awaiting confirmation; the one begun 2 km away flagged, not refused.
    const orders = await OrderModel.find({ providerId: world.provider.id }).sort({ externalId: 1 }).lean();
    expect(orders.map((order) => [order.externalId, order.source, order.status, order.seniorId])).to.deep.equal([
      ['AX-0001', 'provider_record', 'completed', seniors.a],
      ['AX-0002', 'provider_record', 'completed', seniors.b],
    ]);
    expect(orders[0]!.flags).to.deep.equal([]);
    expect(orders[1]!.flags).to.deep.equal(['geofence_check_in']);
    expect(orders[1]!.checkIn?.distanceM).to.be.within(1_800, 2_000);
    expect(await OrderModel.countDocuments({ externalId: 'AX-0003' })).to.equal(0);
    const [first, flagged] = orders.map((order) => `/orders/${String(order._id)}`);
    // The repeated record number links to the order its first row made.
    expect([await linkOf(page, 0), await linkOf(page, 1), await linkOf(page, 3)]).to.deep.equal([first, flagged, first]);

    // The rows with reasons, as a file to correct: the refused row alone.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载错误报告' }).click()]);
    expect(download.suggestedFilename()).to.equal('服务记录错误报告-records.csv');
    const report = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '').trim().split(/\r\n/);
    expect(report).to.deep.equal(['行号,结果,字段,原因', '4,未通过,老人身份证号,系统中没有登记这位老人，请核对身份证号']);

    await resultRows(page).nth(1).locator('a').click();
    await page.waitForURL(`**${flagged}`);
    await page.getByText('签到位置超出范围').waitFor();
    await page.getByText('服务商上传', { exact: true }).waitFor();
    await page.context().close();
  });

  it('lets the admin upload for the provider it picks: the same file again makes nothing twice', async () => {
    const admin = await createTestUser('admin', { username: 'e2e.recordadmin', displayName: '区管理员' });
    const page = await openPage(browser, server.baseUrl);
    await signIn(page, admin.username, TEST_USER_PASSWORD);
    await page.getByRole('menuitem', { name: '服务记录上传' }).click();
    await page.getByLabel('服务记录文件').setInputFiles(file);
    const send = page.getByRole('button', { name: '开始上传' });
    expect(await send.isDisabled()).to.equal(true);
    await choose(page, '服务商', world.provider.name);
    await send.click();

    const summary = page.locator('[data-test="import-summary"]');
    await summary.waitFor();
    expect(await summary.innerText()).to.contain('新建 0').and.contain('重复 3').and.contain('未通过 1');
    expect(await resultRows(page).nth(2).locator('.problem').allInnerTexts()).to.deep.equal([UNKNOWN_REASON]);
    expect(await englishOnPage(page)).to.deep.equal([]);
    expect(await OrderModel.countDocuments({ providerId: world.provider.id })).to.equal(2);
    await page.context().close();
  });
});

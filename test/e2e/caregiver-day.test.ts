import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { idNumberBornOn } from '../seniors/senior.fixtures.ts';
import { TEST_USER_PASSWORD } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { PHONE, launchChromium, openPage, screenshot, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';
import { HOME, buildWorld, callAs, visitUntil } from './world.ts';

// A caregiver's working day on her phone (issue 17, points 1–3), after the community worker has
// enrolled the senior and been shown the senior's PIN once: the senior at the door (full name,
// address, map, masked phone, tap to call), the service note, tomorrow's visit, an early check-in
// warned about, and check-out only with proof — a reason when the senior has no code, the
// senior's PIN on another visit.

const SENIOR = { name: '周玉珍', phone: '13812345678', address: '合肥市蜀山区桐城路218号3幢201室' };
const NOTE = '老人腿脚不便，敲门后请多等一会';

describe('web console: the caregiver\'s day on a phone (e2e, headless Chromium)', function () {
  this.timeout(120_000);
  useTestDatabase();
  let server: ConsoleServer;
  let browser: Browser;
  let world: Awaited<ReturnType<typeof buildWorld>>;
  let phone: Page;
  let seniorId = '';
  let pin = '';
  const visits = { now: '', early: '', tomorrow: '' };
  /** A cleaning visit at `at` for the senior (a care plan's: no per-order code to read), assigned to the caregiver. */
  const assignedVisit = (at: Date, notes?: string) => visitUntil(server.baseUrl, world, seniorId, 'assigned', { at, source: 'care_plan', notes });

  before(async function () {
    this.timeout(180_000);
    server = await startConsoleServer();
    world = await buildWorld(server.baseUrl);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the community worker the new senior\'s confirmation PIN once, after enrolment', async () => {
    const page = await openPage(browser, server.baseUrl);
    await signIn(page, world.users.community.username, TEST_USER_PASSWORD);
    await page.getByRole('menuitem', { name: '登记老人' }).click();
    await page.getByLabel('姓名', { exact: true }).fill(SENIOR.name);
    await page.getByLabel('身份证号').fill(idNumberBornOn('1944-06-18', 'female'));
    await page.getByLabel('联系电话').fill(SENIOR.phone);
    await page.getByLabel('住址').fill(SENIOR.address);
    await page.locator('label.el-checkbox', { hasText: '独居' }).click();
    await page.locator('[data-test="notice-basis"]').click();
    await page.getByRole('option', { name: '履行法定职责（已告知）' }).click();
    await page.getByRole('button', { name: '提交登记' }).click();
    await page.waitForURL(/\/seniors\/[0-9a-f]{24}$/);

    const panel = page.locator('[data-test="confirmation-pin-panel"]');
    await panel.waitFor();
    pin = (await panel.locator('[data-test="confirmation-pin"]').innerText()).trim();
    expect(pin).to.match(/^\d{6}$/);
    expect(await panel.innerText()).to.contain(`${SENIOR.name} 的个人确认码`).and.contain('只显示这一次');
    await screenshot(page, 'community-senior-pin');
    seniorId = page.url().split('/').pop() as string;

    // Once: a reload of the same page no longer has it (it was never stored or put in the URL).
    await page.reload();
    await page.getByText('待审核').first().waitFor();
    expect(await page.locator('[data-test="confirmation-pin-panel"]').count()).to.equal(0);
    expect(page.url()).not.to.contain(pin);
    expect(await page.locator('[data-test="pin-status"]').innerText()).to.equal('已设置');

    // A lost card: the reset asks first, then shows the new PIN once; the caregiver uses that one below.
    await page.getByRole('button', { name: '重置个人确认码' }).click();
    await page.locator('.el-message-box:visible').getByRole('button', { name: '重置' }).click();
    const newPin = (await panel.locator('[data-test="confirmation-pin"]').innerText()).trim();
    expect(newPin).to.match(/^\d{6}$/).and.not.equal(pin);
    pin = newPin;
    await panel.getByRole('button', { name: '已交给老人，关闭' }).click();
    await panel.waitFor({ state: 'detached' });

    // Approved by the street, the senior's home on the map; three visits for the caregiver.
    await callAs(server.baseUrl, world.users.street, 'POST', `/seniors/${seniorId}/approve`);
    await callAs(server.baseUrl, world.users.community, 'PATCH', `/seniors/${seniorId}`, { location: HOME });
    const tomorrowMorning = new Date(`${new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + 86_400_000))}T09:30:00+08:00`);
    visits.now = await assignedVisit(new Date(Date.now() + 5 * 60_000), NOTE);
    visits.early = await assignedVisit(new Date(Date.now() + 3 * 3_600_000 + 10 * 60_000));
    visits.tomorrow = await assignedVisit(tomorrowMorning);
  });

  it('shows the caregiver the senior at the door, tomorrow\'s visit too, and calls with the full number on a tap', async () => {
    phone = await openPage(browser, server.baseUrl, {
      viewport: PHONE, isMobile: true, hasTouch: true, geolocation: { latitude: HOME.lat, longitude: HOME.lng }, permissions: ['geolocation'],
    });
    await signIn(phone, world.users.caregiver.username, TEST_USER_PASSWORD);
    const card = phone.locator(`[data-test="visit-${visits.now}"]`);
    await card.waitFor();

    expect(await card.locator('[data-test="senior-name"]').innerText()).to.equal(SENIOR.name);
    expect(await card.locator('[data-test="senior-address"]').innerText()).to.equal(SENIOR.address);
    expect(await card.locator('[data-test="senior-phone"]').innerText()).to.equal('138****5678');
    expect(await card.innerText()).not.to.contain(SENIOR.phone);
    const map = await card.locator('[data-test="map-link"]').getAttribute('href');
    expect(map).to.match(new RegExp(`^https://uri\\.amap\\.com/marker\\?position=${HOME.lng},${HOME.lat}&name=`));
    expect(decodeURIComponent(map as string)).to.contain(`name=${SENIOR.address}`);
    expect(await card.locator('[data-test="visit-note"]').innerText()).to.equal(`服务备注：${NOTE}`);
    const tomorrow = phone.locator(`[data-test="visit-${visits.tomorrow}"]`);
    expect(await tomorrow.innerText()).to.contain('明天').and.contain('09:30').and.contain(SENIOR.name);
    await screenshot(phone, 'caregiver-day');

    await card.getByRole('button', { name: '拨打电话' }).click();
    const callLink = card.locator('[data-test="call-link"]');
    await callLink.waitFor();
    expect(await callLink.getAttribute('href')).to.equal(`tel:${SENIOR.phone}`);
    expect(await callLink.innerText()).to.contain(SENIOR.phone);
  });

  it('refuses an empty check-out on the phone, then checks out with the senior unable to give a code', async () => {
    const card = phone.locator(`[data-test="visit-${visits.now}"]`);
    await card.getByRole('button', { name: /签到/ }).click();
    await card.getByText('服务中').waitFor();
    const checkOuts: string[] = [];
    phone.on('request', (request) => { if (request.url().endsWith('/check-out')) checkOuts.push(request.url()); });

    await card.getByRole('button', { name: '签退' }).click();
    const dialog = phone.locator('.el-dialog', { hasText: '老人无法提供核验码' });
    await dialog.getByRole('button', { name: '确认签退' }).click();
    await dialog.locator('[data-test="checkout-error"]', { hasText: '请选择核验方式' }).waitFor();
    await dialog.locator('.el-radio', { hasText: '老人无法提供核验码' }).click();
    await dialog.getByRole('button', { name: '确认签退' }).click();
    await dialog.locator('[data-test="checkout-error"]', { hasText: '请写明老人无法提供核验码的原因' }).waitFor();
    expect(checkOuts).to.deep.equal([]);
    expect((await OrderModel.findById(visits.now).lean())!.status).to.equal('in_service');

    await dialog.getByLabel('原因（社区将电话回访老人确认）').fill('老人听力不好，读不出核验码');
    await screenshot(phone, 'caregiver-check-out');
    await dialog.getByRole('button', { name: '确认签退' }).click();

    await card.getByText('待社区回访').waitFor();
    expect(checkOuts).to.have.length(1);
    expect((await OrderModel.findById(visits.now).lean())!).to.include({ status: 'completed', noCodeReason: '老人听力不好，读不出核验码' });
  });

  it('warns before a check-in hours early, and confirms the visit with the senior\'s PIN after a wrong one', async () => {
    const card = phone.locator(`[data-test="visit-${visits.early}"]`);
    await card.getByRole('button', { name: /签到/ }).click();
    const warning = phone.locator('.el-message-box', { hasText: '提前签到' });
    await warning.waitFor();
    expect(await warning.innerText()).to.match(/距预约时间还有3小时，确定现在签到吗？/);
    await warning.getByRole('button', { name: '取消' }).click();
    await warning.waitFor({ state: 'hidden' });
    expect((await OrderModel.findById(visits.early).lean())!.status).to.equal('assigned');

    await card.getByRole('button', { name: /签到/ }).click();
    await warning.getByRole('button', { name: '确定签到' }).click();
    await card.getByText('服务中').waitFor();
    await card.getByRole('button', { name: '签退' }).click();
    const dialog = phone.locator('.el-dialog', { hasText: '老人的个人确认码' });
    await dialog.locator('.el-radio', { hasText: '老人的个人确认码' }).click();
    const pinField = dialog.getByLabel('个人确认码（6位，印在老人的服务卡上）');
    await pinField.fill(pin === '000000' ? '111111' : '000000');
    await dialog.getByRole('button', { name: '确认签退' }).click();
    await dialog.locator('[data-test="checkout-error"]', { hasText: '个人确认码不正确，还可尝试4次' }).waitFor();
    await pinField.fill(pin);
    await dialog.getByRole('button', { name: '确认签退' }).click();

    await card.getByText('服务已确认，辛苦了').waitFor();
    expect(await card.innerText()).to.contain('已核验');
    const confirmed = await OrderModel.findById(visits.early).lean();
    expect(confirmed!.status).to.equal('confirmed');
    expect(confirmed!.confirmation!.method).to.equal('senior_pin');
  });

  it('shows the community worker why the visit has no code, in the order and in the callback', async () => {
    const page = await openPage(browser, server.baseUrl);
    await signIn(page, world.users.community.username, TEST_USER_PASSWORD);
    await page.goto(`/orders/${visits.now}`);

    await page.locator('[data-test="no-code-reason"]', { hasText: '老人听力不好，读不出核验码' }).waitFor();
    await page.getByRole('button', { name: '回访确认' }).click();
    const reason = page.locator('.el-dialog [data-test="callback-no-code-reason"]');
    await reason.waitFor();
    expect(await reason.innerText()).to.contain('老人听力不好，读不出核验码');
  });
});

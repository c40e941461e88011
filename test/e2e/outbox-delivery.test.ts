import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { MAX_ATTEMPTS, deliverDueNotifications, enqueueNotification, retryDelayMinutes, senderFor, type DeliveryCounts } from '../../src/notifications/index.ts';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { startFakeAliyun, type FakeAliyun } from '../notifications/aliyun-sms.fixtures.ts';
import { makeCommunity, makeStreet } from '../organisation/organisation.fixtures.ts';
import { TEST_USER_PASSWORD, createTestUser, testConfig } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { launchChromium, openPage, signIn, startConsoleServer, type ConsoleServer } from './browser.ts';
import { englishIn, visibleText } from './english.ts';

// Issue 20's "done when": the outbox screen with a delivered and a failed message. The service runs
// with SMS_PROVIDER=aliyun pointed at a local stand-in for dysmsapi (it checks every request's
// signature, aliyun-sms.fixtures.ts) that accepts the senior's letter SMS and refuses the family's,
// every time, with isv.MOBILE_NUMBER_ILLEGAL. Delivery runs with its clock driven through the
// backoff (1, 2, 4 … minutes) until the refused one has spent its attempts; the provider's receipt
// for the accepted one is pushed to the receipts webhook with the token. Then the admin reads both
// in the console: 已送达 and 发送失败 with the provider's reason, the phones masked only.

const KEYS = { accessKeyId: 'LTAI5tE2eOutboxTest01', accessKeySecret: 'e2e-outbox-secret-0123456789abcdef' };
const TOKEN = 'e2e-outbox-webhook-token-0123456789abcdef';
const SENIOR_PHONE = '13912345678';
const FAMILY_PHONE = '13800002222';
const REFUSAL = { code: 'isv.MOBILE_NUMBER_ILLEGAL', message: '非法手机号' };
const SENIOR_ID = 'aaaaaaaaaaaaaaaaaaaa0001';
const OTHER_SENIOR_ID = 'aaaaaaaaaaaaaaaaaaaa0002';

const aliyunEnv = (endpoint: string) => ({
  SMS_PROVIDER: 'aliyun', SMS_ALIYUN_ENDPOINT: endpoint, SMS_ALIYUN_ACCESS_KEY_ID: KEYS.accessKeyId, SMS_ALIYUN_ACCESS_KEY_SECRET: KEYS.accessKeySecret,
  SMS_ALIYUN_SIGN_NAME: '星光助老', SMS_ALIYUN_TEMPLATE_CODES: JSON.stringify({ monthly_letter: 'SMS_480100011', monthly_letter_family: 'SMS_480100012' }), SMS_WEBHOOK_TOKEN: TOKEN,
});

/** 09:00 Asia/Shanghai yesterday: out of quiet hours for the whole backoff (about two hours). */
function yesterdayNineInShanghai(): Date {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() - 24 * 3_600_000));
  return new Date(`${day}T09:00:00+08:00`);
}

const letterParams = { month: '11月', issuedYuan: '500.00', usedYuan: '40.00', visitCount: '2', adjustedYuan: '0.00', lapsedYuan: '460.00', balanceYuan: '0.00' };

describe('outbox: an SMS delivered and one failed through Alibaba Cloud, seen in the console (e2e, headless Chromium)', function () {
  this.timeout(120_000);
  useTestDatabase();
  let fake: FakeAliyun;
  let server: ConsoleServer;
  let browser: Browser;
  let admin: Page;
  const accepted = 'monthly-letter:e2e:senior';
  const refused = 'monthly-letter:e2e:family';
  const config = testConfig(aliyunEnv('http://127.0.0.1:9/'));

  before(async function () {
    this.timeout(240_000);
    fake = await startFakeAliyun(KEYS, (params) => (params.PhoneNumbers === FAMILY_PHONE ? REFUSAL : null));
    server = await startConsoleServer(aliyunEnv(fake.url));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await fake?.close();
  });

  it('sends through the provider, retries the refused SMS with backoff until it fails, and takes the receipt of the other', async () => {
    const community = await makeCommunity(await makeStreet('三里庵街道'), '安居苑社区');
    const start = yesterdayNineInShanghai();
    await enqueueNotification({
      dedupeKey: accepted, channel: 'sms', recipient: { kind: 'senior', name: '王秀英', phone: SENIOR_PHONE, communityId: community.id },
      template: 'monthly_letter', params: letterParams, subject: { type: 'senior', id: SENIOR_ID }, quietHours: true,
    }, config.pii, start);
    await enqueueNotification({
      dedupeKey: refused, channel: 'sms', recipient: { kind: 'emergency_contact', name: '赵强', phone: FAMILY_PHONE, communityId: community.id },
      template: 'monthly_letter_family', params: { seniorName: '赵*明', ...letterParams }, subject: { type: 'senior', id: OTHER_SENIOR_ID }, quietHours: true,
    }, config.pii, start);

    // The notifications job's own sender, for the server's SMS settings (senderFor(config.sms)),
    // run at each retry's due time: 1, 2, 4 … minutes after the attempt before.
    const sender = senderFor(testConfig(aliyunEnv(fake.url)).sms);
    const runs: DeliveryCounts[] = [];
    let now = start;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      runs.push(await deliverDueNotifications({ keys: config.pii, now, sender }));
      now = new Date(now.getTime() + retryDelayMinutes(attempt) * 60_000);
    }
    // Nothing is left to send afterwards.
    runs.push(await deliverDueNotifications({ keys: config.pii, now: new Date(now.getTime() + 24 * 3_600_000), sender }));

    expect(runs[0]).to.deep.equal({ sent: 1, retried: 1, failed: 0 });
    for (const run of runs.slice(1, MAX_ATTEMPTS - 1)) expect(run).to.deep.equal({ sent: 0, retried: 1, failed: 0 });
    expect(runs[MAX_ATTEMPTS - 1]).to.deep.equal({ sent: 0, retried: 0, failed: 1 });
    expect(runs[MAX_ATTEMPTS]).to.deep.equal({ sent: 0, retried: 0, failed: 0 });
    expect(fake.received).to.have.length(1 + MAX_ATTEMPTS);
    expect(fake.received.every((request) => request.isSignatureValid)).to.equal(true);
    expect(fake.received.filter((request) => request.params.PhoneNumbers === FAMILY_PHONE)).to.have.length(MAX_ATTEMPTS);
    const toSenior = fake.received.filter((request) => request.params.PhoneNumbers === SENIOR_PHONE);
    expect(toSenior).to.have.length(1);
    expect(toSenior[0]!.params).to.deep.include({ PhoneNumbers: SENIOR_PHONE, TemplateCode: 'SMS_480100011', OutId: accepted, SignName: '星光助老' });

    const sent = await NotificationModel.findById(accepted).lean();
    expect(sent).to.deep.include({ status: 'sent', attempts: 1, providerMessageId: 'biz-1' });

    // The receipts webhook: without the token it is refused; with it the accepted SMS is delivered.
    const receipt = [{
      phone_number: SENIOR_PHONE, send_time: '2026-12-05 09:00:01', report_time: '2026-12-05 09:00:05', success: true,
      err_code: 'DELIVERED', err_msg: '用户接收成功', sms_size: '1', biz_id: 'biz-1', out_id: accepted,
    }];
    const push = (token: string) => fetch(`${server.baseUrl}/api/v1/notifications/sms/reports?token=${token}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(receipt),
    });
    expect((await push('not-the-token-0123456789abcdef0123456789')).status).to.equal(401);
    expect((await NotificationModel.findById(accepted).lean())?.status).to.equal('sent');
    const taken = await push(TOKEN);
    expect(taken.status).to.equal(200);
    expect(await taken.json()).to.deep.include({ code: 0 });

    const delivered = await NotificationModel.findById(accepted).lean();
    expect(delivered).to.deep.include({ status: 'delivered', attempts: 1, providerMessageId: 'biz-1', nextAttemptAt: null });
    expect(delivered!.receipt).to.deep.include({ code: 'DELIVERED', success: true });
    const failed = await NotificationModel.findById(refused).lean();
    expect(failed).to.deep.include({ status: 'failed', attempts: MAX_ATTEMPTS, nextAttemptAt: null, lastError: `aliyun ${REFUSAL.code}: ${REFUSAL.message}`, providerMessageId: null });
    expect(JSON.stringify([delivered, failed])).not.to.contain(SENIOR_PHONE).and.not.to.contain(FAMILY_PHONE);
  });

  it('shows the admin one SMS 已送达 and the other 发送失败 with the provider\'s reason, the phones masked', async () => {
    admin = await openPage(browser, server.baseUrl);
    await signIn(admin, (await createTestUser('admin', { username: 'e2e.outbox', displayName: '区管理员' })).username, TEST_USER_PASSWORD);
    await admin.goto('/admin/notifications');
    await admin.getByRole('heading', { name: '通知发件箱' }).waitFor();
    const outbox = admin.locator('[data-test="outbox"]');

    const deliveredRow = outbox.locator('.el-table__row', { hasText: '139****5678' });
    await deliveredRow.waitFor();
    const deliveredText = await deliveredRow.innerText();
    expect(deliveredText).to.contain('短信').and.contain('月度告知书短信').and.contain('老人').and.contain('王秀英').and.contain('安居苑社区')
      .and.contain('已送达').and.contain('已尝试 1 次').and.contain('发送');
    expect(deliveredText).to.not.contain('发送失败').and.not.contain('查看失败原因');
    expect(await deliveredRow.locator('.el-tag', { hasText: '已送达' }).getAttribute('class')).to.contain('el-tag--success');

    const failedRow = outbox.locator('.el-table__row', { hasText: '138****2222' });
    const failedText = await failedRow.innerText();
    expect(failedText).to.contain('月度告知书短信（家属）').and.contain('紧急联系人').and.contain('赵强').and.contain('赵*明')
      .and.contain('发送失败').and.contain(`已尝试 ${MAX_ATTEMPTS} 次`);
    expect(failedText).to.not.contain('已送达');
    expect(await failedRow.locator('.el-tag', { hasText: '发送失败' }).getAttribute('class')).to.contain('el-tag--danger');

    // The reason is behind the button, in the provider's words.
    await failedRow.getByRole('button', { name: '查看失败原因' }).click();
    const reason = admin.locator('.el-popover:visible');
    await reason.waitFor();
    expect(await reason.innerText()).to.contain(`aliyun ${REFUSAL.code}: ${REFUSAL.message}`);

    const page = await visibleText(admin);
    expect(page).to.not.contain(SENIOR_PHONE).and.not.contain(FAMILY_PHONE);
    // The provider's code is data the popover shows as it is; the rest is in Chinese.
    expect(englishIn(page.replace(`aliyun ${REFUSAL.code}`, ' '))).to.deep.equal([]);
    expect(await admin.content()).to.not.contain(SENIOR_PHONE).and.not.contain(FAMILY_PHONE);

    // The status filter tells them apart.
    await admin.getByRole('combobox', { name: '发送状态' }).click({ force: true });
    await admin.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '已送达' }).click();
    await failedRow.waitFor({ state: 'detached' });
    await deliveredRow.waitFor();
    await admin.getByRole('combobox', { name: '发送状态' }).click({ force: true });
    await admin.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: '发送失败' }).click();
    await deliveredRow.waitFor({ state: 'detached' });
    await failedRow.waitFor();
  });
});

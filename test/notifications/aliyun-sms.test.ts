import { expect } from 'chai';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import request from 'supertest';
import { ConfigError } from '../../src/config/env.ts';
import {
  MAX_ATTEMPTS, createAliyunSmsSender, deliverDueNotifications, enqueueNotification, logSender, renderSms, senderFor, setNotificationSender,
} from '../../src/notifications/index.ts';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { canonicalQuery, signRpcRequest } from '../../src/notifications/sms/aliyun-signature.ts';
import { createTestApp, testConfig } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { documentedSignature, startFakeAliyun, type FakeAliyun } from './aliyun-sms.fixtures.ts';
import { recordingSender } from './notification.fixtures.ts';

const KEYS = { accessKeyId: 'LTAI5tTestKeyId0001', accessKeySecret: 'test-secret-never-logged-0123456789' };
const TOKEN = 'webhook-token-0123456789abcdef0123456789';
const aliyunEnv = (endpoint: string, secret = KEYS.accessKeySecret) => ({
  SMS_PROVIDER: 'aliyun', SMS_ALIYUN_ENDPOINT: endpoint, SMS_ALIYUN_ACCESS_KEY_ID: KEYS.accessKeyId, SMS_ALIYUN_ACCESS_KEY_SECRET: secret,
  SMS_ALIYUN_SIGN_NAME: '星光助老', SMS_ALIYUN_TEMPLATE_CODES: JSON.stringify({ visit_question: 'SMS_480100001', emergency_alert: 'SMS_480100002' }), SMS_WEBHOOK_TOKEN: TOKEN,
});
const PHONE = '13912345678';

/** A visit question to a senior, as dispatch asks it. */
function visitQuestion(key: string) {
  return {
    dedupeKey: key, channel: 'sms' as const, recipient: { kind: 'senior' as const, phone: PHONE }, template: 'visit_question',
    params: { month: '12', day: '3', provider: '安心养老服务中心', service: '助洁' }, subject: { type: 'service_order', id: 'o1' },
  };
}

describe('Alibaba Cloud SMS (dysmsapi SendSms)', () => {
  describe('the RPC signature', () => {
    // The worked example of Alibaba Cloud's SMS 签名机制 page (help.aliyun.com/document_detail/101343,
    // earlier 56189): its parameters with a fixed nonce and timestamp, AccessKeySecret testSecret.
    const example = {
      AccessKeyId: 'testId', Action: 'SendSms', Format: 'XML', OutId: '123', PhoneNumbers: '15300000001', RegionId: 'cn-hangzhou', SignName: '阿里云短信测试专用',
      SignatureMethod: 'HMAC-SHA1', SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466', SignatureVersion: '1.0', TemplateCode: 'SMS_71390007',
      TemplateParam: '{"customer":"test"}', Timestamp: '2017-07-12T02:42:19Z', Version: '2017-05-25',
    };

    it("reproduces the provider's published example: the canonical query and the signature zJDF+Lrzhj/ThnlvIToysFRq6t4=", () => {
      expect(canonicalQuery(example)).to.equal(
        'AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001&RegionId=cn-hangzhou'
        + '&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8&SignatureMethod=HMAC-SHA1'
        + '&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0&TemplateCode=SMS_71390007'
        + '&TemplateParam=%7B%22customer%22%3A%22test%22%7D&Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25',
      );
      expect(signRpcRequest('GET', example, 'testSecret')).to.equal('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
      expect(documentedSignature('GET', example, 'testSecret')).to.equal('zJDF+Lrzhj/ThnlvIToysFRq6t4='); // the local server's copy agrees
    });

    it('encodes as RFC 3986 wants, where encodeURIComponent alone would not: space, * and the Chinese sign', () => {
      expect(canonicalQuery({ B: 'a b*c~', A: "it's (ok)!" })).to.equal("A=it%27s%20%28ok%29%21&B=a%20b%2Ac~");
    });
  });

  describe('sending through the outbox to a local server that checks every signature', () => {
    useTestDatabase();
    let fake: FakeAliyun;
    beforeEach(async () => {
      await clearCollections();
      fake = await startFakeAliyun(KEYS);
    });
    afterEach(async () => {
      setNotificationSender(logSender);
      await fake.close();
    });

    it('sends a signed SendSms with the sign, the template code and its parameters as JSON, and keeps the BizId', async () => {
      const config = testConfig(aliyunEnv(fake.url));
      const created = new Date();
      await enqueueNotification(visitQuestion('sms-question:visit:o1'), config.pii, created);

      const counts = await deliverDueNotifications({ keys: config.pii, sender: senderFor(config.sms), now: new Date(created.getTime() + 1000) });

      expect(counts).to.deep.equal({ sent: 1, retried: 0, failed: 0 });
      expect(fake.received).to.have.length(1);
      const [sms] = fake.received;
      expect(sms!.isSignatureValid).to.equal(true);
      expect(sms!.params).to.include({
        Action: 'SendSms', Version: '2017-05-25', Format: 'JSON', RegionId: 'cn-hangzhou', SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0',
        AccessKeyId: KEYS.accessKeyId, PhoneNumbers: PHONE, SignName: '星光助老', TemplateCode: 'SMS_480100001', OutId: 'sms-question:visit:o1',
      });
      expect(JSON.parse(sms!.params.TemplateParam!)).to.deep.equal({ month: '12', day: '3', provider: '安心养老服务中心', service: '助洁' });
      expect(renderSms('visit_question', JSON.parse(sms!.params.TemplateParam!))).to.equal('12月3日 安心养老服务中心为您提供了助洁服务吗？回复1确认，回复2没有');
      expect(JSON.stringify(sms!.params)).not.to.include(KEYS.accessKeySecret);
      const stored = await NotificationModel.findById('sms-question:visit:o1').lean();
      expect(stored).to.deep.include({ status: 'sent', providerMessageId: 'biz-1', attempts: 1, lastError: null });
    });

    it('is refused by the server when signed with another secret (the check can fail)', async () => {
      const config = testConfig(aliyunEnv(fake.url, 'a-different-secret-0123456789abcdef'));
      const created = new Date();
      await enqueueNotification(visitQuestion('wrong-secret'), config.pii, created);

      const counts = await deliverDueNotifications({ keys: config.pii, sender: senderFor(config.sms), now: new Date(created.getTime() + 1000) });

      expect(counts.retried).to.equal(1);
      expect(fake.received[0]!.isSignatureValid).to.equal(false);
      expect((await NotificationModel.findById('wrong-secret').lean())!.lastError).to.match(/^aliyun SignatureDoesNotMatch: /);
    });

    it('retries a send the provider rejects with backoff, then marks it failed with the code; no secret or phone in the log', async () => {
      const config = testConfig(aliyunEnv(fake.url));
      fake.answerWith('isv.BUSINESS_LIMIT_CONTROL');
      const lines: string[] = [];
      const log = pino({ level: 'trace' }, new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(chunk.toString()); done(); } }));
      const created = new Date();
      await enqueueNotification(visitQuestion('limited'), config.pii, created);

      let now = new Date(created.getTime() + 1000);
      const outcomes: string[] = [];
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        const counts = await deliverDueNotifications({ keys: config.pii, sender: senderFor(config.sms), logger: log, now });
        outcomes.push(counts.failed ? 'failed' : counts.retried ? 'retried' : 'none');
        const stored = await NotificationModel.findById('limited').lean();
        if (stored!.nextAttemptAt) now = new Date(stored!.nextAttemptAt.getTime() + 1000);
      }

      expect(outcomes).to.deep.equal([...Array(MAX_ATTEMPTS - 1).fill('retried'), 'failed']);
      expect(fake.received).to.have.length(MAX_ATTEMPTS);
      expect(fake.received.every((sms) => sms.isSignatureValid)).to.equal(true);
      expect(new Set(fake.received.map((sms) => sms.params.SignatureNonce)).size).to.equal(MAX_ATTEMPTS);
      const stored = await NotificationModel.findById('limited').lean();
      expect(stored).to.deep.include({ status: 'failed', attempts: MAX_ATTEMPTS, nextAttemptAt: null });
      expect(stored!.lastError).to.match(/^aliyun isv\.BUSINESS_LIMIT_CONTROL: /);
      const logged = lines.join('');
      expect(logged).to.include('notification failed for good');
      expect(logged).not.to.include(KEYS.accessKeySecret);
      expect(logged).not.to.include(PHONE);
    });

    it('sends only the SMS channel to the provider; callback tasks still go to the installed sender', async () => {
      const config = testConfig(aliyunEnv(fake.url));
      const others = recordingSender();
      setNotificationSender(others);
      const created = new Date();
      await enqueueNotification(visitQuestion('an-sms'), config.pii, created);
      await enqueueNotification({ dedupeKey: 'a-task', channel: 'callback_task', recipient: { kind: 'community_staff', communityId: 'c1' }, template: 'visit_question_unanswered', params: {}, subject: { type: 'service_order', id: 'o1' } }, config.pii, created);

      await deliverDueNotifications({ keys: config.pii, sender: senderFor(config.sms), now: new Date(created.getTime() + 1000) });

      expect(fake.received.map((sms) => sms.params.OutId)).to.deep.equal(['an-sms']);
      expect(others.received.map((n) => n.id)).to.deep.equal(['a-task']);
    });

    it('refuses to start with SMS_PROVIDER=aliyun and no credentials, naming each missing variable', () => {
      expect(() => testConfig({ SMS_PROVIDER: 'aliyun' })).to.throw(ConfigError).with.property('problems').that.deep.equals([
        'SMS_ALIYUN_ACCESS_KEY_ID', 'SMS_ALIYUN_ACCESS_KEY_SECRET', 'SMS_ALIYUN_SIGN_NAME', 'SMS_WEBHOOK_TOKEN', 'SMS_ALIYUN_TEMPLATE_CODES',
      ].map((variable) => ({ variable, message: 'is required when SMS_PROVIDER=aliyun' })));
      expect(testConfig().sms).to.include({ provider: 'log', aliyun: null, askSharePct: 10, answerHours: 48 });
    });

    it('fails a send whose template has no code, naming the template, without calling the provider', async () => {
      const sender = createAliyunSmsSender({ ...testConfig(aliyunEnv(fake.url)).sms.aliyun!, templateCodes: {} });
      const view = { ...(await enqueueNotification(visitQuestion('no-code'), testConfig().pii)), attempts: 1 };
      let message = '';
      await sender.send({ ...view, recipient: { ...view.recipient, phone: PHONE } }).catch((error: Error) => { message = error.message; });
      expect(message).to.equal('aliyun TemplateCodeNotConfigured: no template code in SMS_ALIYUN_TEMPLATE_CODES for visit_question');
      expect(fake.received).to.have.length(0);
    });
  });

  describe('delivery receipts (SmsReport pushed to POST /notifications/sms/reports)', () => {
    useTestDatabase();
    let fake: FakeAliyun;
    before(async () => { fake = await startFakeAliyun(KEYS); });
    after(async () => { await fake.close(); });
    const { app, config } = createTestApp({ env: aliyunEnv('http://127.0.0.1:9/') });
    beforeEach(clearCollections);

    async function sentSms(key: string) {
      const aliyun = testConfig(aliyunEnv(fake.url));
      const created = new Date();
      await enqueueNotification(visitQuestion(key), config.pii, created);
      await deliverDueNotifications({ keys: config.pii, sender: senderFor(aliyun.sms), now: new Date(created.getTime() + 1000) });
      return (await NotificationModel.findById(key).lean())!;
    }
    const report = (outId: string, success: boolean, code: string) => ({
      phone_number: PHONE, send_time: '2026-12-03 10:00:00', report_time: '2026-12-03 10:00:08', success, err_code: code, err_msg: success ? '用户接收成功' : '手机关机', sms_size: '1', biz_id: 'x', out_id: outId,
    });

    it('marks the SMS delivered or failed with the provider\'s code, once; a receipt again changes nothing', async () => {
      await sentSms('receipt-ok');
      await sentSms('receipt-bad');

      const first = await request(app).post(`/api/v1/notifications/sms/reports?token=${TOKEN}`).send([report('receipt-ok', true, 'DELIVERED'), report('receipt-bad', false, 'MK:0001')]);
      const again = await request(app).post(`/api/v1/notifications/sms/reports?token=${TOKEN}`).send([report('receipt-ok', false, 'MK:0001')]);

      expect(first.status).to.equal(200);
      expect(first.body).to.deep.equal({ code: 0, msg: '接收成功' });
      expect(again.status).to.equal(200);
      const ok = await NotificationModel.findById('receipt-ok').lean();
      const bad = await NotificationModel.findById('receipt-bad').lean();
      expect(ok).to.deep.include({ status: 'delivered', lastError: null });
      expect(ok!.receipt).to.deep.include({ code: 'DELIVERED', success: true });
      expect(ok!.receipt!.at!.toISOString()).to.equal('2026-12-03T02:00:08.000Z');
      expect(bad).to.deep.include({ status: 'failed' });
      expect(bad!.receipt).to.deep.include({ code: 'MK:0001', success: false });
      expect(bad!.lastError).to.equal('回执：MK:0001 手机关机');
    });

    it('finds a receipt without OutId by the BizId the send kept', async () => {
      const sent = await sentSms('by-biz');
      const res = await request(app).post(`/api/v1/notifications/sms/reports?token=${TOKEN}`).send([{ ...report('', true, 'DELIVERED'), out_id: undefined, biz_id: sent.providerMessageId }]);
      expect(res.status).to.equal(200);
      expect((await NotificationModel.findById('by-biz').lean())!.status).to.equal('delivered');
    });

    it('answers 401 in the error shape without the push token or with a wrong one, and changes nothing', async () => {
      await sentSms('guarded');
      for (const path of ['/api/v1/notifications/sms/reports', `/api/v1/notifications/sms/reports?token=${TOKEN.slice(0, -1)}x`, '/api/v1/notifications/sms/reports?token=']) {
        const res = await request(app).post(path).send([report('guarded', true, 'DELIVERED')]);
        expect(res.status, path).to.equal(401);
        expect(res.body.error).to.include({ code: 'UNAUTHENTICATED' });
        expect(res.body.error.details).to.deep.equal([{ path: 'token', message: '推送地址中的令牌缺失或不正确' }]);
      }
      // Refused before the body is read: a malformed body without the token is a 401 too, not a 400.
      expect((await request(app).post('/api/v1/notifications/sms/reports').send({ not: 'an array' })).status).to.equal(401);
      expect((await NotificationModel.findById('guarded').lean())!.status).to.equal('sent');
    });
  });
});

import { expect } from 'chai';
import request from 'supertest';
import { askSeniorsAboutVisits } from '../../src/dispatch/visit-questions.ts';
import { OrderHistoryModel, OrderModel } from '../../src/dispatch/order.model.ts';
import { expireQuestions } from '../../src/notifications/index.ts';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { InboundModel, QuestionModel } from '../../src/notifications/sms-question.model.ts';
import { maskReplyText, parseReply } from '../../src/notifications/sms-replies.service.ts';
import { businessDay } from '../../src/shared/time.ts';
import { EntryModel } from '../../src/vouchers/ledger.model.ts';
import { createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { HOME, visitWorld } from '../dispatch/visit.fixtures.ts';

const TOKEN = 'webhook-token-0123456789abcdef0123456789';
const HOUR_MS = 3_600_000;

describe('SMS replies: POST /notifications/sms/inbound', () => {
  describe('reading a reply', () => {
    it('takes 1 / 是 as yes and 2 / 否 / 没有 as no, full-width digits and punctuation aside; anything else is for a person', () => {
      expect(['1', ' 1 ', '１', '1。', '是', '是的', '确认'].map(parseReply)).to.deep.equal(Array(7).fill('confirmed'));
      expect(['2', '２！', '否', '没有', '没有。', '不是'].map(parseReply)).to.deep.equal(Array(6).fill('disputed'));
      expect(['12', '没来', '是2', '明天再来', ''].map(parseReply)).to.deep.equal(Array(5).fill('other'));
    });

    it('masks a phone or an ID number in the text kept for the staff', () => {
      expect(maskReplyText('请打13800001111找我女儿')).to.equal('请打***********找我女儿');
      expect(maskReplyText('身份证340104195001010011')).to.equal('身份证******************');
      expect(maskReplyText('上午9点来的，扫了2小时')).to.equal('上午9点来的，扫了2小时');
    });
  });

  describe('answering the question about a visit', function () {
    this.timeout(60_000);
    useTestDatabase();
    // Every visit asked, and no quiet hours: the replies here come whenever the suite runs.
    const { app, config } = createTestApp({ env: { SMS_WEBHOOK_TOKEN: TOKEN, SMS_ASK_SHARE_PCT: '100', SMS_QUIET_HOURS: '00:00-00:00' } });
    let w: Awaited<ReturnType<typeof visitWorld>>;
    let sequence = 1000;
    beforeEach(async () => {
      await clearCollections();
      w = await visitWorld(app, config);
    });

    /** A visit done an hour ago without code or PIN (completed), and its senior asked. */
    async function askedVisit(): Promise<string> {
      const { id } = await w.assignedOrder(new Date(Date.now() + HOUR_MS));
      expect((await w.post(w.caregiver, `/service-orders/${id}/check-in`, HOME)).status).to.equal(200);
      expect((await w.post(w.caregiver, `/service-orders/${id}/check-out`, { ...HOME, noCodeReason: '老人外出未带核验码' })).status).to.equal(200);
      await askSeniorsAboutVisits(config);
      expect(await QuestionModel.exists({ _id: `visit:${id}`, status: 'open' }), 'asked').to.not.equal(null);
      return id;
    }
    const reply = (content: string, options: { phone?: string; id?: number; token?: string | null } = {}) => {
      sequence += 1;
      const token = options.token === undefined ? TOKEN : options.token;
      return request(app).post(`/api/v1/notifications/sms/inbound${token === null ? '' : `?token=${token}`}`)
        .send([{ phone_number: options.phone ?? w.senior.phone, content, sign_name: '星光助老', dest_code: '1234', sequence_id: options.id ?? sequence }]);
    };
    const order = async (id: string) => (await OrderModel.findById(id).lean())!;
    const tasks = async () => (await NotificationModel.find({ channel: 'callback_task' }).sort({ _id: 1 }).lean()).map((n) => ({ id: n._id, template: n.template, params: n.params, recipient: n.recipient.kind }));

    it('confirms the visit on "1": method sms_reply, the hold redeemed once, nothing for the staff', async () => {
      const id = await askedVisit();

      const res = await reply('1');

      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ code: 0, msg: '接收成功' });
      const confirmed = await order(id);
      expect(confirmed.status).to.equal('confirmed');
      expect(confirmed.confirmation).to.deep.include({ method: 'sms_reply', by: 'system', satisfaction: null });
      expect(await EntryModel.countDocuments({ type: 'redeem', orderId: confirmed.holdRef })).to.equal(1);
      expect((await QuestionModel.findById(`visit:${id}`).lean())!.answer).to.deep.include({ outcome: 'confirmed', text: '1' });
      expect(await tasks()).to.deep.equal([]);
    });

    it('disputes the visit on "2" (没有 alike), with the senior\'s word as the reason', async () => {
      const id = await askedVisit();

      expect((await reply('没有')).status).to.equal(200);

      expect((await order(id)).status).to.equal('disputed');
      const history = await OrderHistoryModel.findOne({ orderId: id, action: 'dispute' }).lean();
      expect(history).to.deep.include({ actorId: 'system', fromStatus: 'completed', reason: '老人回复短信：没有接受该服务' });
      expect(await EntryModel.countDocuments({ type: 'redeem' })).to.equal(0);
    });

    it('puts any other text on the community\'s callback queue with the text (a phone in it masked), the visit untouched', async () => {
      const id = await askedVisit();

      expect((await reply('上午来过，但只扫了客厅，电话13800001111')).status).to.equal(200);

      expect((await order(id)).status).to.equal('completed');
      expect(await QuestionModel.findById(`visit:${id}`).lean()).to.deep.include({ status: 'answered', staffReason: 'other_reply' });
      expect(await tasks()).to.deep.equal([{
        id: `visit-question:${id}`, template: 'visit_question_unanswered', recipient: 'community_staff',
        params: { orderId: id, serviceTypeCode: (await order(id)).serviceTypeCode, day: businessDay((await order(id)).checkIn!.at!, 'Asia/Shanghai'), replyText: '上午来过，但只扫了客厅，电话***********', staffReason: '老人回复了其他内容' },
      }]);
    });

    it('puts a reply to an expired question on the queue with its text, and does not confirm the visit with it', async () => {
      const id = await askedVisit();
      await expireQuestions({ keys: config.pii, now: new Date(Date.now() + 49 * HOUR_MS) });

      expect((await reply('1')).status).to.equal(200);

      expect((await order(id)).status).to.equal('completed');
      expect((await tasks()).map((task) => [task.id.replace(/^sms-reply:aliyun:\d+$/, 'sms-reply:aliyun:N'), task.params.replyText ?? null, task.params.questionStatus ?? null])).to.deep.equal([
        ['sms-reply:aliyun:N', '1', 'expired'],
        [`visit-question:${id}`, null, null],
      ]);
    });

    it('changes nothing when the provider pushes the same message id again; the first answer stands against a later one', async () => {
      const id = await askedVisit();
      expect((await reply('1', { id: 77 })).status).to.equal(200);
      const before = { order: await order(id), history: await OrderHistoryModel.countDocuments({}), notifications: await NotificationModel.countDocuments({}), entries: await EntryModel.countDocuments({}) };

      const again = await reply('1', { id: 77 });

      expect(again.status).to.equal(200);
      expect(await order(id)).to.deep.equal(before.order);
      expect(await OrderHistoryModel.countDocuments({})).to.equal(before.history);
      expect(await NotificationModel.countDocuments({})).to.equal(before.notifications);
      expect(await EntryModel.countDocuments({})).to.equal(before.entries);
      expect(await InboundModel.countDocuments({})).to.equal(1);

      expect((await reply('2', { id: 78 })).status).to.equal(200);
      expect((await order(id)).status).to.equal('confirmed');
      expect((await tasks()).map((task) => [task.template, task.params.replyText])).to.deep.equal([['sms_reply_late', '2']]);
    });

    it('answers 200 to a signed push, 401 in the error shape without the token or with a wrong one, storing nothing then', async () => {
      const id = await askedVisit();

      const missing = await reply('2', { token: null });
      const wrong = await reply('2', { token: `${TOKEN.slice(0, -2)}xx` });

      for (const res of [missing, wrong]) {
        expect(res.status).to.equal(401);
        expect(res.body.error).to.include({ code: 'UNAUTHENTICATED' });
        expect(res.body.error.requestId).to.be.a('string');
      }
      expect(await InboundModel.countDocuments({})).to.equal(0);
      expect((await order(id)).status).to.equal('completed');
      expect((await reply('2')).status).to.equal(200);
      expect((await order(id)).status).to.equal('disputed');
    });

    it('sends a reply from a number never asked to the district\'s desk, masked', async () => {
      expect((await reply('你好，我想申请助餐', { phone: '8613700002222' })).status).to.equal(200);

      expect(await tasks()).to.deep.equal([{
        id: `sms-reply:aliyun:${sequence}`, template: 'sms_reply_unmatched', recipient: 'district_staff', params: { replyText: '你好，我想申请助餐', fromMasked: '137****2222' },
      }]);
      expect(await InboundModel.findById(`aliyun:${sequence}`).lean()).to.deep.include({ result: 'unmatched', phoneMasked: '137****2222', status: 'processed' });
    });
  });
});

import { expect } from 'chai';
import { askSeniorsAboutVisits, isDrawnForSmsQuestion } from '../../src/dispatch/visit-questions.ts';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { expireQuestions } from '../../src/notifications/index.ts';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { QuestionModel } from '../../src/notifications/sms-question.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { encryptPii } from '../../src/shared/pii.ts';
import { businessDay } from '../../src/shared/time.ts';
import { createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { HOME, visitWorld } from './visit.fixtures.ts';

const HOUR_MS = 3_600_000;
const SECRET = 'test-sample-secret-0123456789abcdef';

/** A month of visits: `perProvider` order ids (24 hex, like ObjectIds, deterministic) for each of `providers` providers. */
function generatedMonth(providers: number, perProvider: number): string[][] {
  return Array.from({ length: providers }, (_p, provider) => Array.from({ length: perProvider }, (_v, visit) => `6750${String(provider).padStart(4, '0')}${String(visit).padStart(16, '0')}`));
}

describe('the senior asked by SMS whether the visit happened', () => {
  describe('the draw', () => {
    it('asks 10% (±2 points) of each provider\'s visits over a generated month, and as configured for other shares', () => {
      const month = generatedMonth(4, 1_000);
      for (const pct of [10, 5, 30]) {
        for (const [provider, ids] of month.entries()) {
          const share = (100 * ids.filter((id) => isDrawnForSmsQuestion(SECRET, id, pct)).length) / ids.length;
          expect(share, `provider ${provider} at ${pct}%`).to.be.within(pct - 2, pct + 2);
        }
      }
      expect(month.flat().filter((id) => isDrawnForSmsQuestion(SECRET, id, 0))).to.deep.equal([]);
      expect(month.flat().every((id) => isDrawnForSmsQuestion(SECRET, id, 100))).to.equal(true);
    });

    it('is unpredictable without the secret: another secret draws other visits, the same secret the same', () => {
      const ids = generatedMonth(1, 3_000)[0]!;
      const drawn = new Set(ids.filter((id) => isDrawnForSmsQuestion(SECRET, id, 10)));
      const other = ids.filter((id) => isDrawnForSmsQuestion('another-secret-0123456789abcdef', id, 10));
      const both = other.filter((id) => drawn.has(id)).length;
      expect(both / other.length).to.be.below(0.2); // independent draws overlap about 10%
      expect(ids.filter((id) => isDrawnForSmsQuestion(SECRET, id, 10))).to.deep.equal([...drawn]); // and the same secret draws the same
    });
  });

  describe('the visit-questions job and the 48 hours', function () {
    this.timeout(60_000);
    useTestDatabase();
    const TOKEN = { SMS_WEBHOOK_TOKEN: 'webhook-token-0123456789abcdef0123456789' };
    const none = createTestApp({ env: { ...TOKEN, SMS_ASK_SHARE_PCT: '0' } });
    const all = createTestApp({ env: { ...TOKEN, SMS_ASK_SHARE_PCT: '100' } });
    const deaf = createTestApp({ env: { SMS_ASK_SHARE_PCT: '100' } });
    let w: Awaited<ReturnType<typeof visitWorld>>;
    beforeEach(async () => {
      await clearCollections();
      w = await visitWorld(none.app, none.config);
    });

    /** A completed visit; checked in 2 km from home it is flagged, else its flags are cleared (a check-out a second after check-in is short). */
    async function finishedVisit(options: { checkInAway?: boolean } = {}): Promise<string> {
      const { id } = await w.assignedOrder(new Date(Date.now() + HOUR_MS));
      expect((await w.post(w.caregiver, `/service-orders/${id}/check-in`, options.checkInAway ? { lng: HOME.lng + 0.02, lat: HOME.lat } : HOME)).status).to.equal(200);
      expect((await w.post(w.caregiver, `/service-orders/${id}/check-out`, { ...HOME, noCodeReason: '老人外出未带核验码' })).status).to.equal(200);
      if (!options.checkInAway) await OrderModel.updateOne({ _id: id }, { $set: { flags: [], isFlagged: false } });
      return id;
    }
    const sms = async () => (await NotificationModel.find({ channel: 'sms' }).lean()).map((n) => ({ id: n._id, to: n.recipient.kind, phone: n.recipient.phoneMasked, params: n.params, quietHours: n.quietHours }));

    it('asks about every flagged visit whatever the share, once however often it runs: the day, the provider and the service', async () => {
      const flagged = await finishedVisit({ checkInAway: true });
      await finishedVisit();

      const first = await askSeniorsAboutVisits(none.config);
      const second = await askSeniorsAboutVisits(none.config);

      expect(first).to.deep.include({ seen: 2, flagged: 1, drawn: 0, asked: 1 });
      expect(second).to.deep.include({ seen: 2, flagged: 1, asked: 0 });
      const [question] = await QuestionModel.find({}).lean();
      expect(question).to.deep.include({ _id: `visit:${flagged}`, status: 'open', reasons: ['flagged'], recipientKind: 'senior' });
      const sent = await sms();
      expect(sent).to.have.length(1);
      expect(sent[0]).to.deep.include({ id: `sms-question:visit:${flagged}`, to: 'senior', phone: '139****5678', quietHours: true });
      const day = businessDay((await OrderModel.findById(flagged).lean())!.checkIn!.at!, 'Asia/Shanghai').split('-').map(Number);
      expect(sent[0]!.params).to.deep.equal({ month: String(day[1]), day: String(day[2]), provider: w.provider.name, service: '助洁' });
    });

    it('asks the drawn share (here every visit); without a mobile the first emergency contact; with neither, the staff at once', async () => {
      const own = await finishedVisit();
      await askSeniorsAboutVisits(all.config);
      await SeniorModel.updateOne({ _id: w.senior.id }, { $set: { phoneEncrypted: encryptPii(all.config.pii, '0551-62345678') } });
      const contact = await finishedVisit();
      await askSeniorsAboutVisits(all.config);
      await SeniorModel.updateOne({ _id: w.senior.id }, { $set: { emergencyContacts: [] } });
      const nobody = await finishedVisit();
      await askSeniorsAboutVisits(all.config);

      expect((await sms()).map((n) => [n.id, n.to, n.phone])).to.deep.equal([
        [`sms-question:visit:${contact}`, 'emergency_contact', '138****1111'],
        [`sms-question:visit:${own}`, 'senior', '139****5678'],
      ].sort());
      expect(await QuestionModel.findById(`visit:${nobody}`).lean()).to.deep.include({ status: 'unreachable', staffReason: 'unreachable', phoneHmac: null });
      expect((await NotificationModel.find({ channel: 'callback_task' }).lean()).map((n) => n._id)).to.deep.equal([`visit-question:${nobody}`]);
    });

    it('asks nobody when no reply could reach the service (no SMS_WEBHOOK_TOKEN for the provider\'s push)', async () => {
      await finishedVisit({ checkInAway: true });

      expect(await askSeniorsAboutVisits(deaf.config)).to.deep.equal({ seen: 0, drawn: 0, flagged: 0, asked: 0 });
      expect(await QuestionModel.countDocuments({})).to.equal(0);
      expect(await NotificationModel.countDocuments({})).to.equal(0);
    });

    it('puts an unanswered visit on the staff callback queue after 48 hours, once', async () => {
      const id = await finishedVisit({ checkInAway: true });
      await askSeniorsAboutVisits(none.config);
      const asked = (await QuestionModel.findById(`visit:${id}`).lean())!;
      const at = (hours: number) => new Date(asked.sendAt.getTime() + hours * HOUR_MS);

      const early = await expireQuestions({ keys: none.config.pii, now: at(47) });
      const due = await expireQuestions({ keys: none.config.pii, now: at(48) });
      const later = await expireQuestions({ keys: none.config.pii, now: at(72) });

      expect([early.expired, due.expired, later.expired]).to.deep.equal([0, 1, 0]);
      const tasks = await NotificationModel.find({ channel: 'callback_task' }).lean();
      expect(tasks.map((task) => [task._id, task.template, task.recipient.communityId, task.params.staffReason])).to.deep.equal([
        [`visit-question:${id}`, 'visit_question_unanswered', w.community.id, '老人未在规定时间内回复短信'],
      ]);
      expect(await QuestionModel.findById(`visit:${id}`).lean()).to.deep.include({ status: 'expired', staffReason: 'no_answer' });
    });
  });
});

import { expect } from 'chai';
import request from 'supertest';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { enrolSenior, transitionSenior } from '../../src/seniors/index.ts';
import { remindReassessments } from '../../src/seniors/reassessment-reminders.ts';
import { addDaysToDay, addMonthsToDay, businessDay } from '../../src/shared/time.ts';
import { authFor, createTestApp, createTestUser } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { makeCommunity, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody, idNumberBornOn } from './senior.fixtures.ts';

describe('re-assessment reminders', function () {
  this.timeout(60_000);
  useTestDatabase();
  const { app, config } = createTestApp();

  it('tells the community of each active senior whose assessment runs out within 30 days, once per assessment', async () => {
    const community = await makeCommunity(await makeStreet());
    const [registrar, approver] = [await createTestUser('admin'), await createTestUser('admin')];
    const today = businessDay(new Date(), config.businessTimeZone);
    const assessedAgo = (months: number, days = 0) => addDaysToDay(addMonthsToDay(today, -months), -days);
    const senior = async (assessedAt: string, born: string, approve = true) => {
      const ctx = { actor: registrar, config, requestId: null, lang: 'zh' as const };
      const enrolled = await enrolSenior(enrolmentBody(community.id, { idNumber: idNumberBornOn(born), assessedAt }), ctx);
      if (approve) await transitionSenior(enrolled.id, { action: 'approve' }, { ...ctx, actor: approver });
      return enrolled.id;
    };
    const expired = await senior(assessedAgo(13), '1941-01-01');
    const dueSoon = await senior(assessedAgo(11, 15), '1942-02-02');
    const notDue = await senior(assessedAgo(6), '1943-03-03');
    const pending = await senior(assessedAgo(13), '1944-04-04', false);

    expect(await remindReassessments(config)).to.deep.equal({ due: 2, reminded: 2 });
    expect(await remindReassessments(config)).to.deep.equal({ due: 2, reminded: 0 });

    const messages = await NotificationModel.find({ template: 'reassessment_due' }).lean();
    expect(messages.map((m) => m.subject?.id).sort()).to.deep.equal([expired, dueSoon].sort());
    for (const message of messages) expect(message).to.deep.include({ channel: 'staff_message' });
    expect(JSON.stringify(messages)).not.to.include('王秀英');
    // Not the senior assessed six months ago, nor the one still awaiting approval.
    expect(messages.map((m) => m.subject?.id)).to.not.include.oneOf([notDue, pending]);

    // The same seniors are the community's re-assessment list.
    const staff = await authFor(config, 'community_staff', { communityIds: [community.id] });
    const list = await request(app).get('/api/v1/seniors?assessmentDue=true&status=active').set('Authorization', staff.authorization);
    expect(list.body.items.map((s: { id: string }) => s.id).sort()).to.deep.equal([expired, dueSoon].sort());
  });
});

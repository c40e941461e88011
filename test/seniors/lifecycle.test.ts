import { expect } from 'chai';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { onSeniorLifecycle, type SeniorLifecycleEvent } from '../../src/seniors/index.ts';
import { SeniorHistoryModel, SeniorModel } from '../../src/seniors/senior.model.ts';
import { SENIOR_TRANSITIONS } from '../../src/seniors/senior.state-machine.ts';
import { authFor, createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { makeCommunity, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody } from './senior.fixtures.ts';

describe('senior lifecycle', () => {
  useTestDatabase();
  const { app, config } = createTestApp();
  let community: { id: string; streetId: string };
  let staff: { authorization: string; actor: { id: string } };
  let officer: string;
  let admin: string;
  beforeEach(async () => {
    await clearCollections();
    const street = await makeStreet();
    community = await makeCommunity(street);
    staff = await authFor(config, 'community_staff', { communityIds: [community.id] });
    officer = await tokenFor(config, 'street_officer', { streetId: street.id });
    admin = await tokenFor(config, 'admin');
  });

  const post = (authorization: string, path: string, body: object = {}) => request(app).post(`/api/v1${path}`).set('Authorization', authorization).send(body);
  const enrolled = async () => (await post(staff.authorization, '/seniors', enrolmentBody(community.id))).body.id as string;

  it('approves through the street officer of the senior\'s street, recording who and when', async () => {
    const id = await enrolled();

    const res = await post(officer, `/seniors/${id}/approve`);

    expect(res.status).to.equal(200);
    expect(res.body.status).to.equal('active');
    expect(res.body.approvedBy).to.be.a('string').and.not.equal(staff.actor.id);
    expect(Date.parse(res.body.approvedAt)).to.be.closeTo(Date.now(), 60_000);
    const history = await SeniorHistoryModel.find({ seniorId: id }).sort({ at: 1 }).lean();
    expect(history.map((h) => h.action)).to.deep.equal(['enrol', 'approve']);
    expect(history[1]).to.include({ fromStatus: 'pending_review', toStatus: 'active' });
    expect(await AuditEntryModel.countDocuments({ action: 'senior.approve', entityId: id })).to.equal(1);
  });

  it('refuses approval by the enroller (four eyes) with 422 SELF_APPROVAL', async () => {
    const adminUser = await authFor(config, 'admin');
    const created = await post(adminUser.authorization, '/seniors', enrolmentBody(community.id));

    const res = await post(adminUser.authorization, `/seniors/${created.body.id}/approve`);

    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('SELF_APPROVAL');
    expect((await SeniorModel.findById(created.body.id).lean())!.status).to.equal('pending_review');
  });

  it('hides a senior of another street from a street officer (404) and forbids community staff to approve (403)', async () => {
    const id = await enrolled();
    const otherOfficer = await tokenFor(config, 'street_officer', { streetId: (await makeStreet()).id });

    expect((await post(otherOfficer, `/seniors/${id}/approve`)).status).to.equal(404);
    expect((await post(staff.authorization, `/seniors/${id}/approve`)).status).to.equal(403);
  });

  it('walks every transition of the table and refuses every other with 409, changing nothing', async () => {
    const id = await enrolled();
    const act = (action: string, body: object = {}) => post(action === 'approve' || action === 'reject' ? officer : staff.authorization, `/seniors/${id}/${action}`, body);
    const bodies: Record<string, object> = { reject: { reason: '不符合条件' }, suspend: { reason: '住院' }, deactivate: { reason: 'deceased', effectiveDate: '2026-01-15' } };
    const expectIllegal = async (status: string) => {
      for (const action of Object.keys(SENIOR_TRANSITIONS)) {
        if ((SENIOR_TRANSITIONS[action as keyof typeof SENIOR_TRANSITIONS].from as readonly string[]).includes(status)) continue;
        const res = await act(action, bodies[action]);
        expect(res.status, `${action} from ${status}`).to.equal(409);
        expect(res.body.error.code).to.equal('INVALID_TRANSITION');
        expect((await SeniorModel.findById(id).lean())!.status).to.equal(status);
      }
    };

    await expectIllegal('pending_review');
    expect((await act('approve')).body.status).to.equal('active');
    await expectIllegal('active');
    expect((await act('suspend', bodies.suspend!)).body).to.include({ status: 'suspended', statusReason: '住院' });
    await expectIllegal('suspended');
    expect((await act('resume')).body.status).to.equal('active');
    expect((await act('suspend', bodies.suspend!)).body.status).to.equal('suspended');
    const deactivated = await act('deactivate', bodies.deactivate!);
    expect(deactivated.body).to.include({ status: 'deactivated' });
    expect(deactivated.body.deactivation).to.deep.equal({ reason: 'deceased', effectiveDate: '2026-01-15' });
    await expectIllegal('deactivated');

    const rejected = await post(staff.authorization, '/seniors', enrolmentBody(community.id));
    expect((await post(officer, `/seniors/${rejected.body.id}/reject`, { reason: '材料不全' })).body.status).to.equal('rejected');
    expect((await post(officer, `/seniors/${rejected.body.id}/approve`)).status).to.equal(409);
  });

  it('lets exactly one of two simultaneous approvals through', async () => {
    const id = await enrolled();

    const answers = await Promise.all([post(officer, `/seniors/${id}/approve`), post(admin, `/seniors/${id}/approve`)]);

    expect(answers.map((res) => res.status).sort()).to.deep.equal([200, 409]);
    expect(await SeniorHistoryModel.countDocuments({ seniorId: id, action: 'approve' })).to.equal(1);
  });

  it('refuses a deactivation dated in the future', async () => {
    const id = await enrolled();
    await post(officer, `/seniors/${id}/approve`);

    const res = await post(staff.authorization, `/seniors/${id}/deactivate`, { reason: 'moved_out', effectiveDate: '2099-01-01' });

    expect(res.status).to.equal(400);
    expect((await SeniorModel.findById(id).lean())!.status).to.equal('active');
  });

  it('calls the approval and deactivation hooks other capabilities register, once each', async () => {
    const events: { kind: string; event: SeniorLifecycleEvent }[] = [];
    const off = [
      onSeniorLifecycle('approved', async (event) => { events.push({ kind: 'approved', event }); }),
      onSeniorLifecycle('deactivated', async (event) => { events.push({ kind: 'deactivated', event }); }),
    ];
    try {
      const id = await enrolled();
      await post(officer, `/seniors/${id}/approve`);
      await post(staff.authorization, `/seniors/${id}/deactivate`, { reason: 'moved_out', effectiveDate: '2026-02-01' });

      expect(events.map((e) => e.kind)).to.deep.equal(['approved', 'deactivated']);
      expect(events[0]!.event.senior).to.include({ id, status: 'active' });
      expect(events[1]!.event).to.include({ effectiveDate: '2026-02-01' });
      expect(events[1]!.event.ctx.actor.id).to.equal(staff.actor.id);
    } finally {
      off.forEach((unregister) => unregister());
    }
  });

  it('keeps the transition when a hook fails (the hook\'s capability catches up on its own)', async () => {
    const off = onSeniorLifecycle('approved', async () => { throw new Error('voucher service down'); });
    try {
      const id = await enrolled();
      const res = await post(officer, `/seniors/${id}/approve`);

      expect(res.status).to.equal(200);
      expect((await SeniorModel.findById(id).lean())!.status).to.equal('active');
    } finally {
      off();
    }
  });
});

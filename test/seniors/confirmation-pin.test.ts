import { expect } from 'chai';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { hashConfirmationPin } from '../../src/seniors/confirmation-pin.service.ts';
import { SeniorHistoryModel, SeniorModel } from '../../src/seniors/senior.model.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { makeCommunity, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody, idNumberBornOn } from './senior.fixtures.ts';

// The senior's personal confirmation PIN: answered once at enrolment and at each reset, kept only
// as a hash bound to the senior. Its use at check-out is in test/dispatch/check-out-proof.test.ts.

describe('senior confirmation PIN: enrolment and reset', () => {
  useTestDatabase();
  const { app, config } = createTestApp();
  let communityA: { id: string; code: string };
  let staffA: string;
  let staffB: string;
  let admin: string;
  beforeEach(async () => {
    await clearCollections();
    const [streetA, streetB] = [await makeStreet(), await makeStreet()];
    const communityB = await makeCommunity(streetB);
    communityA = await makeCommunity(streetA);
    staffA = await tokenFor(config, 'community_staff', { communityIds: [communityA.id] });
    staffB = await tokenFor(config, 'community_staff', { communityIds: [communityB.id] });
    admin = await tokenFor(config, 'admin');
  });

  const enrol = () => request(app).post('/api/v1/seniors').set('Authorization', staffA).send(enrolmentBody(communityA.id));
  const reset = (authorization: string, id: string) => request(app).post(`/api/v1/seniors/${id}/confirmation-pin/reset`).set('Authorization', authorization);

  it('answers a 6-digit PIN at enrolment, stores only its hash bound to the senior, and never shows it again', async () => {
    const res = await enrol();
    const stored = await SeniorModel.findById(res.body.id).lean();
    const read = await request(app).get(`/api/v1/seniors/${res.body.id}`).set('Authorization', staffA);
    const listed = await request(app).get('/api/v1/seniors').set('Authorization', staffA);

    expect(res.status).to.equal(201);
    expect(res.body.confirmationPin).to.match(/^\d{6}$/);
    expect(stored!.confirmationPinHash).to.equal(hashConfirmationPin(config, res.body.id, res.body.confirmationPin));
    expect(stored!.confirmationPinFailures).to.equal(0);
    expect(JSON.stringify(stored)).not.to.contain(`"${res.body.confirmationPin}"`);
    expect(read.body).to.not.have.property('confirmationPin');
    expect(read.body.hasConfirmationPin).to.equal(true);
    expect(JSON.stringify(read.body)).not.to.match(/confirmationPin/);
    expect(JSON.stringify(listed.body)).not.to.match(/confirmationPin/);
  });

  it('gives seniors imported from a register no PIN until a reset', async () => {
    const register = `name,idNumber,phone,address,communityCode,categories,careLevel,livingArrangement\n张桂兰,${idNumberBornOn('1938-02-03')},13611112222,合肥市蜀山区桐城路9号,${communityA.code},空巢,1,独居\n`;
    const imported = await request(app).post('/api/v1/seniors/import').set('Authorization', staffA).attach('file', Buffer.from(register), 'register.csv');
    const id = imported.body.rows[0].seniorId as string;
    const shown = async () => (await request(app).get(`/api/v1/seniors/${id}`).set('Authorization', staffA)).body.hasConfirmationPin;
    const before = await SeniorModel.findById(id).lean();
    const shownBefore = await shown();

    const issued = await reset(staffA, id);

    expect(JSON.stringify(imported.body)).not.to.match(/confirmationPin/);
    expect(before!.confirmationPinHash).to.equal(null);
    expect(shownBefore).to.equal(false);
    expect(issued.status).to.equal(200);
    expect((await SeniorModel.findById(id).lean())!.confirmationPinHash).to.equal(hashConfirmationPin(config, id, issued.body.confirmationPin));
    expect(await shown()).to.equal(true);
  });

  it('resets: a new PIN, the wrong tries cleared, a history row and an audit entry without the PIN', async () => {
    const { body: senior } = await enrol();
    await SeniorModel.updateOne({ _id: senior.id }, { $set: { confirmationPinFailures: 5 } });

    const res = await reset(staffA, senior.id);
    const byAdmin = await reset(admin, senior.id);

    expect(res.status).to.equal(200);
    expect(Object.keys(res.body)).to.deep.equal(['confirmationPin']);
    expect(res.body.confirmationPin).to.match(/^\d{6}$/);
    const stored = await SeniorModel.findById(senior.id).lean();
    expect(stored!.confirmationPinFailures).to.equal(0);
    expect(stored!.confirmationPinHash).to.equal(hashConfirmationPin(config, senior.id, byAdmin.body.confirmationPin));
    expect(await SeniorHistoryModel.countDocuments({ seniorId: senior.id, action: 'confirmation_pin_reset' })).to.equal(2);
    const audits = await AuditEntryModel.find({ action: 'senior.confirmation_pin_reset', entityId: senior.id }).lean();
    expect(audits).to.have.length(2);
    expect(JSON.stringify(audits)).not.to.match(new RegExp(`(?<!\\d)(${res.body.confirmationPin}|${byAdmin.body.confirmationPin})(?!\\d)`));
  });

  it('answers 404 to a worker of another community and 409 for a rejected senior, changing nothing', async () => {
    const { body: senior } = await enrol();
    const hash = (await SeniorModel.findById(senior.id).lean())!.confirmationPinHash;

    const outside = await reset(staffB, senior.id);
    await SeniorModel.updateOne({ _id: senior.id }, { $set: { status: 'rejected' } });
    const rejected = await reset(staffA, senior.id);

    expect(outside.status).to.equal(404);
    expect(rejected.status).to.equal(409);
    expect(rejected.body.error.details[0].message).to.contain('不能设置个人确认码');
    expect((await SeniorModel.findById(senior.id).lean())!.confirmationPinHash).to.equal(hash);
    expect(await AuditEntryModel.countDocuments({ action: 'senior.confirmation_pin_reset' })).to.equal(0);
  });
});

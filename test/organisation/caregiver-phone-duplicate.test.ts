import { expect } from 'chai';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { CaregiverModel } from '../../src/organisation/providers.model.ts';
import { decryptPii } from '../../src/shared/pii.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { makeCaregiver, makeCommunity, makeProvider, makeServiceType, makeStreet } from './organisation.fixtures.ts';

/**
 * Found by the Schemathesis fuzz (test/fuzz): changing a caregiver's phone to one another caregiver
 * of the same provider has answered 500, because FerretDB reports that unique-index refusal in
 * findAndModify as code 1, not E11000. It is 409 DUPLICATE on `phone`, and nothing changes.
 */
describe('caregiver PATCH to a phone already in use at the provider', () => {
  useTestDatabase();
  const { app, config } = createTestApp();

  it('answers 409 DUPLICATE on phone and leaves both caregivers as they were', async () => {
    const admin = await tokenFor(config, 'admin');
    const provider = await makeProvider([(await makeCommunity(await makeStreet())).id]);
    const skills = [(await makeServiceType('bathing')).code];
    await makeCaregiver(config.pii, provider.id, skills, '13900000001');
    const second = await makeCaregiver(config.pii, provider.id, skills, '13900000002');
    const auditBefore = await AuditEntryModel.countDocuments();

    const res = await request(app).patch(`/api/v1/providers/${provider.id}/caregivers/${second.id}`).set('Authorization', admin).send({ phone: '13900000001' });

    expect(res.status, JSON.stringify(res.body)).to.equal(409);
    expect(res.body.error.code).to.equal('DUPLICATE');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['phone']);
    expect(res.body.error.requestId).to.be.a('string');
    const stored = await CaregiverModel.findById(second.id).lean();
    expect(decryptPii(config.pii, stored!.phoneEncrypted as string)).to.equal('13900000002');
    expect(await AuditEntryModel.countDocuments()).to.equal(auditBefore);
  });
});

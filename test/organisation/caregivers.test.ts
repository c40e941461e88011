import { expect } from 'chai';
import mongoose from 'mongoose';
import request from 'supertest';
import { authFor, createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { CaregiverModel } from '../../src/organisation/providers.model.ts';
import type { ProviderView } from '../../src/organisation/index.ts';
import { decryptPii } from '../../src/shared/pii.ts';
import { makeCommunity, makeProvider, makeServiceType, makeStreet } from './organisation.fixtures.ts';

const paths = (res: request.Response) => res.body.error.details.map((d: { path: string }) => d.path);
const PHONE = '13812345678';

describe('caregivers', () => {
  useTestDatabase();
  const { app, config } = createTestApp();
  let admin: string;
  let provider: ProviderView;
  let other: ProviderView;
  let skills: string[];
  beforeEach(async () => {
    await clearCollections();
    admin = await tokenFor(config, 'admin');
    const community = await makeCommunity(await makeStreet());
    provider = await makeProvider([community.id]);
    other = await makeProvider([community.id]);
    skills = [(await makeServiceType('bathing')).code, (await makeServiceType('cleaning')).code];
  });

  const add = (authorization: string, providerId: string, body: Record<string, unknown>) =>
    request(app).post(`/api/v1/providers/${providerId}/caregivers`).set('Authorization', authorization).send(body);

  it('adds a caregiver, answering the phone masked and never in full', async () => {
    const res = await add(admin, provider.id, { name: '李秀兰', phone: PHONE, skills, certificateNo: 'HL-2024-0031' });

    expect(res.status).to.equal(201);
    expect(res.body).to.deep.include({ providerId: provider.id, name: '李秀兰', phoneMasked: '138****5678', skills, certificateNo: 'HL-2024-0031', status: 'active' });
    expect(res.body).not.to.have.property('phone');
    expect(JSON.stringify(res.body)).not.to.include(PHONE);
  });

  it('stores the phone only encrypted: the raw document holds no plaintext phone', async () => {
    const res = await add(admin, provider.id, { name: '李秀兰', phone: PHONE, skills });

    const raw = await CaregiverModel.collection.findOne({ _id: new mongoose.Types.ObjectId(res.body.id as string) });
    expect(JSON.stringify(raw)).not.to.include(PHONE);
    expect(JSON.stringify(raw)).not.to.include('12345678');
    expect(decryptPii(config.pii, raw!.phoneEncrypted as string)).to.equal(PHONE);
  });

  it('audits the creation without the phone in any form', async () => {
    const res = await add(admin, provider.id, { name: '李秀兰', phone: PHONE, skills });

    const audit = await AuditEntryModel.findOne({ action: 'caregiver.create', entityId: res.body.id }).lean();
    expect(audit!.after).to.deep.equal({ providerId: provider.id, name: '李秀兰', skills, certificateNo: null, status: 'active' });
    expect(JSON.stringify([audit!.before, audit!.after])).not.to.match(/5678|phoneMasked/);
  });

  it('lets provider staff add caregivers to their own provider only (another provider: 404)', async () => {
    const staff = await tokenFor(config, 'provider_admin', { providerId: provider.id });

    const own = await add(staff, provider.id, { name: '王芳', phone: PHONE, skills });
    const foreign = await add(staff, other.id, { name: '赵敏', phone: '13900001111', skills });

    expect(own.status).to.equal(201);
    expect(foreign.status).to.equal(404);
    expect(await CaregiverModel.countDocuments({ providerId: other.id })).to.equal(0);
  });

  it('rejects a skill missing from the catalogue with 400 naming it', async () => {
    const res = await add(admin, provider.id, { name: '王芳', phone: PHONE, skills: ['bathing', 'massage'] });

    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('VALIDATION_FAILED');
    expect(paths(res)).to.deep.equal(['skills.1']);
    expect(await CaregiverModel.countDocuments()).to.equal(0);
  });

  it('rejects a malformed phone, a repeated skill and unknown fields', async () => {
    const res = await add(admin, provider.id, { name: '王芳', phone: '1381234', skills: ['bathing', 'bathing'], idNumber: 'x' });

    expect(res.status).to.equal(400);
    expect(paths(res)).to.have.members(['phone', 'skills.1', 'idNumber']);
  });

  it('answers 409 for the same phone twice at one provider, but allows it at another', async () => {
    await add(admin, provider.id, { name: '王芳', phone: PHONE, skills });

    const again = await add(admin, provider.id, { name: '王芳芳', phone: PHONE, skills });
    const elsewhere = await add(admin, other.id, { name: '王芳', phone: PHONE, skills });

    expect(again.status).to.equal(409);
    expect(paths(again)).to.deep.equal(['phone']);
    expect(elsewhere.status).to.equal(201);
  });

  it('lists a provider\'s caregivers to its own staff, admin and auditor; others get 404 or 403', async () => {
    await add(admin, provider.id, { name: '王芳', phone: PHONE, skills });
    await add(admin, other.id, { name: '赵敏', phone: '13900001111', skills });
    const staff = await tokenFor(config, 'provider_admin', { providerId: provider.id });

    const own = await request(app).get(`/api/v1/providers/${provider.id}/caregivers`).set('Authorization', staff);
    const foreign = await request(app).get(`/api/v1/providers/${other.id}/caregivers`).set('Authorization', staff);
    const auditor = await request(app).get(`/api/v1/providers/${other.id}/caregivers`).set('Authorization', await tokenFor(config, 'auditor'));
    const auditorWrite = await add(await tokenFor(config, 'auditor'), other.id, { name: '钱', phone: '13700000000', skills });
    const staffOfCommunity = await request(app).get(`/api/v1/providers/${provider.id}/caregivers`).set('Authorization', await tokenFor(config, 'community_staff'));

    expect(own.status).to.equal(200);
    expect(own.body.items.map((c: { name: string }) => c.name)).to.deep.equal(['王芳']);
    expect(own.body.items[0]).to.include({ phoneMasked: '138****5678' }).and.not.to.have.property('phone');
    expect(foreign.status).to.equal(404);
    expect(auditor.body.total).to.equal(1);
    expect(auditorWrite.status).to.equal(403);
    expect(staffOfCommunity.status).to.equal(403);
  });

  it('changes a caregiver\'s status and phone, re-encrypting it and auditing only that it changed', async () => {
    const { authorization: staff } = await authFor(config, 'provider_admin', { providerId: provider.id });
    const created = await add(staff, provider.id, { name: '王芳', phone: PHONE, skills });

    const res = await request(app).patch(`/api/v1/providers/${provider.id}/caregivers/${created.body.id}`).set('Authorization', staff)
      .send({ status: 'inactive', phone: '0551-65123456' });
    const foreign = await request(app).patch(`/api/v1/providers/${other.id}/caregivers/${created.body.id}`).set('Authorization', admin).send({ status: 'active' });

    expect(res.status).to.equal(200);
    expect(res.body).to.include({ status: 'inactive', phoneMasked: '0551-****3456' });
    const stored = await CaregiverModel.findById(created.body.id).lean();
    expect(decryptPii(config.pii, stored!.phoneEncrypted)).to.equal('0551-65123456');
    const audit = await AuditEntryModel.findOne({ action: 'caregiver.update' }).lean();
    expect(audit!.after).to.include({ status: 'inactive', phoneChanged: true });
    expect(JSON.stringify([audit!.before, audit!.after])).not.to.match(/3456|5678|phoneMasked/);
    expect(foreign.status).to.equal(404);
  });
});

import { expect } from 'chai';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { ensureBootstrapAdmin } from '../../src/identity/index.ts';
import { UserModel } from '../../src/identity/user.model.ts';
import { signAccessToken } from '../../src/shared/http/auth.ts';
import { logger } from '../../src/shared/logger.ts';
import { authFor, createTestApp, testConfig, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { makeCommunity, makeStreet } from '../organisation/organisation.fixtures.ts';

const FAKE_ID = 'aaaaaaaaaaaaaaaaaaaaaaaa';

describe('users', () => {
  useTestDatabase();
  const { app, config } = createTestApp();
  let admin: string;
  beforeEach(async () => {
    await clearCollections();
    admin = await tokenFor(config, 'admin');
  });

  const createUser = (body: Record<string, unknown>) => request(app).post('/api/v1/users').set('Authorization', admin).send(body);

  it('creates a community worker scoped to communities, with a hashed password, and audits it', async () => {
    const community = await makeCommunity(await makeStreet());

    const res = await createUser({ username: 'Zhang.Wei', password: 'long-enough-1', displayName: '张伟', role: 'community_staff', communityIds: [community.id] });

    expect(res.status).to.equal(201);
    expect(res.body).to.include({ username: 'zhang.wei', displayName: '张伟', role: 'community_staff', active: true });
    expect(res.body.communityIds).to.deep.equal([community.id]);
    expect(res.body).not.to.have.property('passwordHash');
    const stored = await UserModel.findById(res.body.id).lean();
    expect(stored!.passwordHash).to.match(/^scrypt\$32768\$8\$1\$/);
    expect(await AuditEntryModel.countDocuments({ action: 'user.create', entityId: res.body.id })).to.equal(1);
    expect(JSON.stringify(await AuditEntryModel.findOne({ entityId: res.body.id }).lean())).not.to.include('long-enough-1');
  });

  it('requires the scope each role needs and refuses scope that does not belong', async () => {
    const staffWithout = await createUser({ username: 'staff1', password: 'long-enough-1', displayName: 'x', role: 'community_staff' });
    const officerWithout = await createUser({ username: 'officer1', password: 'long-enough-1', displayName: 'x', role: 'street_officer' });
    const adminWithStreet = await createUser({ username: 'admin2', password: 'long-enough-1', displayName: 'x', role: 'admin', streetId: FAKE_ID });
    const caregiverHalf = await createUser({ username: 'care1', password: 'long-enough-1', displayName: 'x', role: 'caregiver', providerId: FAKE_ID });

    expect(staffWithout.body.error.details).to.deep.equal([{ path: 'communityIds', message: '社区工作者必须填写此项' }]);
    expect(officerWithout.body.error.details).to.deep.equal([{ path: 'streetId', message: '街道审核员必须填写此项' }]);
    expect(adminWithStreet.body.error.details).to.deep.equal([{ path: 'streetId', message: '系统管理员不能设置此项' }]);
    expect(caregiverHalf.body.error.details).to.deep.equal([{ path: 'caregiverId', message: '护理员必须填写此项' }]);
    for (const res of [staffWithout, officerWithout, adminWithStreet, caregiverHalf]) expect(res.status).to.equal(400);
    expect(await UserModel.countDocuments()).to.equal(1);
  });

  it('refuses scope ids that name nothing', async () => {
    const staff = await createUser({ username: 'staff2', password: 'long-enough-1', displayName: 'x', role: 'community_staff', communityIds: [FAKE_ID] });
    const officer = await createUser({ username: 'officer2', password: 'long-enough-1', displayName: 'x', role: 'street_officer', streetId: FAKE_ID });

    expect(staff.status).to.equal(400);
    expect(staff.body.error.details[0].path).to.equal('communityIds.0');
    expect(officer.status).to.equal(400);
    expect(officer.body.error.details[0].path).to.equal('streetId');
    expect(await UserModel.countDocuments()).to.equal(1);
  });

  it('refuses short passwords, unknown roles and duplicate usernames (case-insensitive)', async () => {
    const short = await createUser({ username: 'short', password: 'too-short', displayName: 'x', role: 'auditor' });
    const role = await createUser({ username: 'boss', password: 'long-enough-1', displayName: 'x', role: 'superuser' });
    await createUser({ username: 'li.na', password: 'long-enough-1', displayName: '李娜', role: 'auditor' });
    const duplicate = await createUser({ username: 'LI.NA', password: 'long-enough-1', displayName: '李娜', role: 'auditor' });

    expect(short.status).to.equal(400);
    expect(short.body.error.details[0].path).to.equal('password');
    expect(role.status).to.equal(400);
    expect(duplicate.status).to.equal(409);
    expect(duplicate.body.error.code).to.equal('DUPLICATE');
  });

  it('lists users by role for admins only', async () => {
    await createUser({ username: 'aud1', password: 'long-enough-1', displayName: 'x', role: 'auditor' });
    await createUser({ username: 'aud2', password: 'long-enough-1', displayName: 'x', role: 'auditor' });

    const auditors = await request(app).get('/api/v1/users?role=auditor').set('Authorization', admin);
    const denied = await request(app).get('/api/v1/users').set('Authorization', await tokenFor(config, 'auditor'));

    expect(auditors.status).to.equal(200);
    expect(auditors.body.total).to.equal(2);
    expect(auditors.body.items.map((u: { username: string }) => u.username)).to.deep.equal(['aud1', 'aud2']);
    expect(denied.status).to.equal(403);
  });

  it('changes a worker\'s communities, effective on their next request', async () => {
    const street = await makeStreet();
    const [first, second] = [await makeCommunity(street), await makeCommunity(street)];
    const worker = await authFor(config, 'community_staff', { communityIds: [first.id] });
    const other = second.id;

    const patch = await request(app).patch(`/api/v1/users/${worker.actor.id}`).set('Authorization', admin).send({ communityIds: [other] });
    const me = await request(app).get('/api/v1/me').set('Authorization', worker.authorization);

    expect(patch.status).to.equal(200);
    expect(me.body.communityIds).to.deep.equal([other]);
    expect(await AuditEntryModel.countDocuments({ action: 'user.update', entityId: worker.actor.id })).to.equal(1);
  });

  it('refuses to deactivate the last active admin', async () => {
    const { actor } = await authFor(config, 'admin');
    await UserModel.updateMany({ _id: { $ne: actor.id } }, { $set: { active: false } });
    const self = `Bearer ${signAccessToken(config, actor)}`;

    const res = await request(app).patch(`/api/v1/users/${actor.id}`).set('Authorization', self).send({ active: false });

    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('RULE_VIOLATION');
    expect((await UserModel.findById(actor.id).lean())!.active).to.equal(true);
  });

  it('answers 404 for an unknown user id', async () => {
    const res = await request(app).patch('/api/v1/users/cccccccccccccccccccccccc').set('Authorization', admin).send({ displayName: 'x' });

    expect(res.status).to.equal(404);
  });

  describe('bootstrap admin', () => {
    it('is created from the configuration when no admin exists, once', async () => {
      await UserModel.deleteMany({});
      const bootConfig = testConfig({ BOOTSTRAP_ADMIN_USERNAME: 'root-admin', BOOTSTRAP_ADMIN_PASSWORD: 'root-password-1' });

      await Promise.all([ensureBootstrapAdmin(bootConfig, logger), ensureBootstrapAdmin(bootConfig, logger)]);
      await ensureBootstrapAdmin(bootConfig, logger);

      expect(await UserModel.countDocuments({ role: 'admin' })).to.equal(1);
      const login = await request(app).post('/api/v1/auth/login').send({ username: 'root-admin', password: 'root-password-1' });
      expect(login.status).to.equal(200);
      expect(login.body.user.role).to.equal('admin');
    });

    it('is not created when an admin already exists', async () => {
      await ensureBootstrapAdmin(testConfig({ BOOTSTRAP_ADMIN_USERNAME: 'second-root', BOOTSTRAP_ADMIN_PASSWORD: 'root-password-1' }), logger);

      expect(await UserModel.countDocuments({ username: 'second-root' })).to.equal(0);
    });
  });
});

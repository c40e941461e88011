import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { LoginFailureModel, RefreshTokenModel } from '../../src/identity/session.model.ts';
import { UserModel } from '../../src/identity/user.model.ts';
import { TEST_USER_PASSWORD, createTestApp, createTestUser } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';

describe('authentication', () => {
  useTestDatabase();
  beforeEach(clearCollections);
  const { app, config } = createTestApp();

  const loginAs = (username: string, password = TEST_USER_PASSWORD) => request(app).post('/api/v1/auth/login').send({ username, password });

  describe('POST /auth/login', () => {
    it('answers a token pair and the user for the right password, and audits the login', async () => {
      const user = await createTestUser('community_staff', { communityIds: ['aaaaaaaaaaaaaaaaaaaaaaaa'] });

      const res = await loginAs(user.username.toUpperCase());

      expect(res.status).to.equal(200);
      expect(res.body.expiresIn).to.equal(900);
      expect(res.body.user).to.deep.equal({
        id: user.id, username: user.username, displayName: '测试community_staff', role: 'community_staff',
        communityIds: ['aaaaaaaaaaaaaaaaaaaaaaaa'], streetId: null, providerId: null, caregiverId: null, active: true,
      });
      const me = await request(app).get('/api/v1/me').set('Authorization', `Bearer ${res.body.accessToken}`);
      expect(me.status).to.equal(200);
      expect(me.body.id).to.equal(user.id);
      expect(await AuditEntryModel.countDocuments({ action: 'auth.login', entityId: user.id })).to.equal(1);
      const stored = await RefreshTokenModel.findOne({ userId: user.id }).lean();
      expect(stored!.tokenHash).not.to.equal(res.body.refreshToken);
    });

    it('answers the same 401 for a wrong password, an unknown user and a deactivated user', async () => {
      const user = await createTestUser('admin');
      const inactive = await createTestUser('auditor');
      await UserModel.updateOne({ _id: inactive.id }, { $set: { active: false } });

      const answers = await Promise.all([loginAs(user.username, 'wrong-password'), loginAs('nobody-here'), loginAs(inactive.username)]);

      for (const res of answers) {
        expect(res.status).to.equal(401);
        expect(res.body.error.code).to.equal('INVALID_CREDENTIALS');
      }
      expect(distinctMessages(answers)).to.equal(1);
    });

    it('locks a username after 5 failures in 15 minutes, even for the right password, until the window passes', async () => {
      const user = await createTestUser('admin');
      for (let i = 0; i < 5; i += 1) expect((await loginAs(user.username, `wrong-${i}`)).status).to.equal(401);

      const locked = await loginAs(user.username);
      expect(locked.status).to.equal(429);
      expect(locked.body.error.code).to.equal('ACCOUNT_LOCKED');
      expect(locked.body.error.retryAfterSeconds).to.be.within(1, 900);

      await LoginFailureModel.updateMany({}, { $set: { at: new Date(Date.now() - 16 * 60_000) } });
      const afterWindow = await loginAs(user.username);
      expect(afterWindow.status).to.equal(200);
      expect(await LoginFailureModel.countDocuments({ username: user.username })).to.equal(0);
    });

    it('rejects a body with unknown fields without counting a failure', async () => {
      const res = await request(app).post('/api/v1/auth/login').send({ username: 'x', password: 'y', remember: true });

      expect(res.status).to.equal(400);
      expect(await LoginFailureModel.countDocuments()).to.equal(0);
    });
  });

  describe('POST /auth/refresh', () => {
    it('rotates: a new pair for a fresh token, and the spent token is refused', async () => {
      const user = await createTestUser('finance_officer');
      const first = (await loginAs(user.username)).body;

      const second = await request(app).post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken });

      expect(second.status).to.equal(200);
      expect(second.body.refreshToken).not.to.equal(first.refreshToken);
      expect(second.body.user.id).to.equal(user.id);
      expect((await request(app).get('/api/v1/me').set('Authorization', `Bearer ${second.body.accessToken}`)).status).to.equal(200);
    });

    it('answers TOKEN_REUSED to a second use and revokes the whole family', async () => {
      const user = await createTestUser('finance_officer');
      const first = (await loginAs(user.username)).body;
      const second = (await request(app).post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken })).body;

      const reuse = await request(app).post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken });
      const successor = await request(app).post('/api/v1/auth/refresh').send({ refreshToken: second.refreshToken });

      expect(reuse.status).to.equal(401);
      expect(reuse.body.error.code).to.equal('TOKEN_REUSED');
      expect(successor.status).to.equal(401);
      // The access tokens of the copied family stop too, not 15 minutes later.
      expect((await request(app).get('/api/v1/me').set('Authorization', `Bearer ${second.accessToken}`)).status).to.equal(401);
      expect(await RefreshTokenModel.countDocuments({ userId: user.id, revokedAt: null })).to.equal(0);
      expect(await AuditEntryModel.countDocuments({ action: 'auth.token_reused', entityId: user.id })).to.equal(1);
    });

    it('lets exactly one of two simultaneous uses of one token win', async () => {
      const user = await createTestUser('auditor');
      const { refreshToken } = (await loginAs(user.username)).body;

      const answers = await Promise.all([1, 2].map(() => request(app).post('/api/v1/auth/refresh').send({ refreshToken })));

      expect(answers.map((res) => res.status).sort()).to.deep.equal([200, 401]);
      expect(answers.find((res) => res.status === 401)!.body.error.code).to.equal('TOKEN_REUSED');
    });

    it('refuses an unknown token with 401 UNAUTHENTICATED', async () => {
      const res = await request(app).post('/api/v1/auth/refresh').send({ refreshToken: 'x'.repeat(43) });

      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal('UNAUTHENTICATED');
    });
  });

  describe('POST /auth/logout', () => {
    it('revokes the refresh token family', async () => {
      const user = await createTestUser('auditor');
      const pair = (await loginAs(user.username)).body;

      const res = await request(app).post('/api/v1/auth/logout').set('Authorization', `Bearer ${pair.accessToken}`).send({ refreshToken: pair.refreshToken });
      const after = await request(app).post('/api/v1/auth/refresh').send({ refreshToken: pair.refreshToken });

      expect(res.status).to.equal(204);
      expect(after.status).to.equal(401);
      expect(after.body.error.code).to.equal('UNAUTHENTICATED');
    });

    it('stops the access token at once (not when it expires), and a new sign-in works', async () => {
      const user = await createTestUser('auditor');
      const pair = (await loginAs(user.username)).body;
      const me = (token: string) => request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
      expect((await me(pair.accessToken)).status).to.equal(200);

      await request(app).post('/api/v1/auth/logout').set('Authorization', `Bearer ${pair.accessToken}`).send({ refreshToken: pair.refreshToken });

      const after = await me(pair.accessToken);
      expect(after.status).to.equal(401);
      expect(after.body.error.code).to.equal('UNAUTHENTICATED');
      expect((await me((await loginAs(user.username)).body.accessToken)).status).to.equal(200);
    });
  });

  describe('access tokens', () => {
    const sign = (payload: object, secret: string, options: jwt.SignOptions) => `Bearer ${jwt.sign(payload, secret, options)}`;

    it('refuses expired, tampered, wrong-algorithm, alg:none, wrong-issuer, wrong-audience and expiry-less tokens', async () => {
      const user = await createTestUser('admin');
      const claims = { sub: user.id, role: 'admin', cids: [], sid: null, pid: null, gid: null };
      const base = { issuer: config.jwt.issuer, audience: config.jwt.audience };
      const good = sign(claims, config.jwt.accessSecret, { ...base, algorithm: 'HS256', expiresIn: 60 });
      const [header, , signature] = good.slice(7).split('.');
      const forgedPayload = Buffer.from(JSON.stringify({ ...claims, role: 'admin', sub: user.id, exp: 9_999_999_999 })).toString('base64url');
      const tokens = {
        expired: sign(claims, config.jwt.accessSecret, { ...base, algorithm: 'HS256', expiresIn: -10 }),
        tampered: `Bearer ${header}.${forgedPayload}.${signature}`,
        wrongAlgorithm: sign(claims, config.jwt.accessSecret, { ...base, algorithm: 'HS512', expiresIn: 60 }),
        none: `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`,
        wrongIssuer: sign(claims, config.jwt.accessSecret, { issuer: 'someone-else', audience: config.jwt.audience, algorithm: 'HS256', expiresIn: 60 }),
        wrongAudience: sign(claims, config.jwt.accessSecret, { issuer: config.jwt.issuer, audience: 'other-api', algorithm: 'HS256', expiresIn: 60 }),
        otherSecret: sign(claims, 'another-secret-of-at-least-32-characters!!', { ...base, algorithm: 'HS256', expiresIn: 60 }),
        // Signed with the real key, but without an expiry: it would never stop working.
        withoutExpiry: sign(claims, config.jwt.accessSecret, { ...base, algorithm: 'HS256' }),
      };

      const answer = await request(app).get('/api/v1/me').set('Authorization', good);
      expect(answer.status).to.equal(200);
      expect(answer.headers['cache-control'], 'API answers are never cached').to.equal('no-store');
      for (const [kind, token] of Object.entries(tokens)) {
        const res = await request(app).get('/api/v1/me').set('Authorization', token);
        expect(res.status, kind).to.equal(401);
        expect(res.body.error.code, kind).to.equal('UNAUTHENTICATED');
      }
    });

    it('stops working at once when the user is deactivated', async () => {
      const admin = await createTestUser('admin');
      await createTestUser('admin');
      const staff = await createTestUser('auditor');
      const adminToken = `Bearer ${(await loginAs(admin.username)).body.accessToken}`;
      const staffPair = (await loginAs(staff.username)).body;

      const patch = await request(app).patch(`/api/v1/users/${staff.id}`).set('Authorization', adminToken).send({ active: false });
      const me = await request(app).get('/api/v1/me').set('Authorization', `Bearer ${staffPair.accessToken}`);
      const refreshed = await request(app).post('/api/v1/auth/refresh').send({ refreshToken: staffPair.refreshToken });

      expect(patch.status).to.equal(200);
      expect(me.status).to.equal(401);
      expect(refreshed.status).to.equal(401);
    });
  });

  describe('per-IP limit on /auth', () => {
    it('answers 429 RATE_LIMITED with Retry-After past the limit', async () => {
      const limited = createTestApp({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '3' } }).app;

      const answers = [];
      for (let i = 0; i < 4; i += 1) answers.push(await request(limited).post('/api/v1/auth/login').send({ username: 'someone', password: 'whatever' }));

      expect(answers.slice(0, 3).map((res) => res.status)).to.deep.equal([401, 401, 401]);
      expect(answers[3]!.status).to.equal(429);
      expect(answers[3]!.body.error.code).to.equal('RATE_LIMITED');
      expect(Number(answers[3]!.headers['retry-after'])).to.be.within(1, 60);
    });
  });
});

/** All three refusals carry one message, so the answer does not reveal which part was wrong. */
function distinctMessages(answers: { body: { error: { message: string } } }[]): number {
  return new Set(answers.map((res) => res.body.error.message)).size;
}

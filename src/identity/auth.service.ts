import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { recordAudit } from '../audit/index.ts';
import type { Config } from '../config/env.ts';
import { DomainError } from '../shared/errors.ts';
import { signAccessToken } from '../shared/http/auth.ts';
import type { Actor } from '../shared/roles.ts';
import { actorOf } from './actor.ts';
import { verifyAgainstDecoy, verifyPassword } from './password.ts';
import { LoginFailureModel, RefreshTokenModel } from './session.model.ts';
import { UserModel, type UserDoc } from './user.model.ts';
import { toUserView, type UserView } from './users.service.ts';

export const LOCKOUT_WINDOW_MS = 15 * 60_000;
export const LOCKOUT_THRESHOLD = 5;

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  user: UserView;
}

interface CallContext {
  config: Config;
  requestId: string;
}

export const normaliseUsername = (username: string) => username.trim().toLowerCase();

export async function login(username: string, password: string, ctx: CallContext): Promise<TokenPair> {
  const key = normaliseUsername(username);
  await assertNotLocked(key);
  const user = await UserModel.findOne({ username: key }).lean();
  const valid = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDecoy(password);
  if (!user || !valid || !user.active) {
    await LoginFailureModel.create({ username: key, at: new Date() });
    throw new DomainError('INVALID_CREDENTIALS');
  }
  await LoginFailureModel.deleteMany({ username: key });
  const pair = await issuePair(user, randomUUID(), ctx.config);
  await recordAudit({ actor: actorOf(user), action: 'auth.login', entityType: 'user', entityId: String(user._id), requestId: ctx.requestId });
  return pair;
}

/** 5 failures within 15 minutes lock the username until the oldest of them leaves the window. */
async function assertNotLocked(username: string): Promise<void> {
  const since = new Date(Date.now() - LOCKOUT_WINDOW_MS);
  const failures = await LoginFailureModel.countDocuments({ username, at: { $gte: since } });
  if (failures < LOCKOUT_THRESHOLD) return;
  const recent = await LoginFailureModel.find({ username, at: { $gte: since } }).sort({ at: -1 }).limit(LOCKOUT_THRESHOLD).lean();
  const unlockAt = new Date((recent.at(-1)?.at ?? new Date()).getTime() + LOCKOUT_WINDOW_MS);
  throw new DomainError('ACCOUNT_LOCKED', [], undefined, { retryAfterSeconds: Math.max(1, Math.ceil((unlockAt.getTime() - Date.now()) / 1000)) });
}

/**
 * Rotation: the token is marked used by a conditional update (only one of two concurrent uses can
 * win), then its successor is issued in the same family. A token that was already used means it
 * was copied: the whole family is revoked and the caller must sign in again.
 */
export async function refresh(refreshToken: string, ctx: CallContext): Promise<TokenPair> {
  const tokenHash = hashRefreshToken(refreshToken, ctx.config);
  const now = new Date();
  const claimed = await RefreshTokenModel.findOneAndUpdate(
    { tokenHash, usedAt: null, revokedAt: null, expiresAt: { $gt: now } },
    { $set: { usedAt: now } },
    { returnDocument: 'after' },
  ).lean();
  if (!claimed) {
    const known = await RefreshTokenModel.findOne({ tokenHash }).lean();
    if (known?.usedAt) {
      await RefreshTokenModel.updateMany({ familyId: known.familyId, revokedAt: null }, { $set: { revokedAt: now } });
      await revokeAccessTokens(known.userId, now);
      await recordAudit({ actor: 'system', action: 'auth.token_reused', entityType: 'user', entityId: known.userId, after: { familyId: known.familyId }, requestId: ctx.requestId });
      throw new DomainError('TOKEN_REUSED');
    }
    throw new DomainError('UNAUTHENTICATED');
  }
  const user = await UserModel.findById(claimed.userId).lean();
  if (!user || !user.active) throw new DomainError('UNAUTHENTICATED');
  return issuePair(user, claimed.familyId, ctx.config);
}

/** Revokes the token's whole family. Unknown or foreign tokens change nothing (still 204). */
export async function logout(refreshToken: string, actor: Actor, ctx: CallContext): Promise<void> {
  const userId = actor.id;
  const token = await RefreshTokenModel.findOne({ tokenHash: hashRefreshToken(refreshToken, ctx.config), userId }).lean();
  if (!token) return;
  const now = new Date();
  await RefreshTokenModel.updateMany({ familyId: token.familyId, revokedAt: null }, { $set: { revokedAt: now } });
  await revokeAccessTokens(userId, now);
  await recordAudit({ actor, action: 'auth.logout', entityType: 'user', entityId: userId, after: { familyId: token.familyId }, requestId: ctx.requestId });
}

export async function revokeAllSessions(userId: string): Promise<void> {
  const now = new Date();
  await RefreshTokenModel.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: now } });
  await revokeAccessTokens(userId, now);
}

/** The user's access tokens issued before `at` stop working at their next request (identity/actor.ts). */
async function revokeAccessTokens(userId: string, at: Date): Promise<void> {
  await UserModel.updateOne({ _id: userId }, { $set: { accessRevokedBefore: at } });
}

async function issuePair(user: UserDoc, familyId: string, config: Config): Promise<TokenPair> {
  const refreshToken = randomBytes(32).toString('base64url');
  await RefreshTokenModel.create({
    tokenHash: hashRefreshToken(refreshToken, config),
    familyId,
    userId: String(user._id),
    expiresAt: new Date(Date.now() + config.jwt.refreshTtlDays * 86_400_000),
  });
  return {
    accessToken: signAccessToken(config, actorOf(user)),
    refreshToken,
    expiresIn: config.jwt.accessTtlSeconds,
    user: toUserView(user),
  };
}

// Refresh tokens carry 256 random bits, so a keyed fast hash is enough; the key keeps a stolen
// table from being matched against tokens seen elsewhere.
function hashRefreshToken(token: string, config: Config): string {
  return createHmac('sha256', config.jwt.refreshSecret).update(token).digest('hex');
}

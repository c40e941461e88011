import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Config } from '../../config/env.ts';
import { DomainError } from '../errors.ts';
import { ROLES, type Actor, type Role } from '../roles.ts';

// HS256 is pinned on both sides: a token signed with another algorithm (or `none`) is refused.
const ALGORITHM = 'HS256' as const;

interface AccessClaims {
  sub: string;
  role: Role;
  cids: string[];
  sid: string | null;
  pid: string | null;
  gid: string | null;
  /** Issued at, in milliseconds: a logout revokes the user's access tokens issued before it (identity/actor.ts). */
  iam: number;
  exp?: number;
}

/** The caller as the token says, with when the token was issued (0 for tokens from before the claim). */
export type TokenActor = Actor & { tokenIssuedAtMs: number };

// jsonwebtoken turns a string secret into a key on every sign and verify, first trying it as an
// asymmetric key (a thrown and caught error): 3.5% of the service's CPU on a list under load.
// Made once instead.
const secretKeys = new Map<string, KeyObject>();
function secretKeyOf(secret: string): KeyObject {
  let key = secretKeys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret));
    secretKeys.set(secret, key);
  }
  return key;
}

export function signAccessToken(config: Config, actor: Actor): string {
  const claims: AccessClaims = {
    sub: actor.id,
    role: actor.role,
    cids: actor.communityIds,
    sid: actor.streetId,
    pid: actor.providerId,
    gid: actor.caregiverId,
    iam: Date.now(),
  };
  return jwt.sign(claims, secretKeyOf(config.jwt.accessSecret), {
    algorithm: ALGORITHM,
    expiresIn: config.jwt.accessTtlSeconds,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
  });
}

export function verifyAccessToken(config: Config, token: string): TokenActor {
  let claims: AccessClaims;
  try {
    claims = jwt.verify(token, secretKeyOf(config.jwt.accessSecret), {
      algorithms: [ALGORITHM],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
    }) as AccessClaims;
  } catch {
    throw new DomainError('UNAUTHENTICATED');
  }
  // jsonwebtoken checks `exp` only when it is there: a token made with the real key but without an
  // expiry (a leaked key's forgery, a script's mistake) would live for ever.
  if (typeof claims.exp !== 'number' || typeof claims.sub !== 'string' || !ROLES.includes(claims.role) || !Array.isArray(claims.cids)) {
    throw new DomainError('UNAUTHENTICATED');
  }
  return {
    id: claims.sub,
    role: claims.role,
    communityIds: claims.cids,
    streetId: claims.sid ?? null,
    providerId: claims.pid ?? null,
    caregiverId: claims.gid ?? null,
    tokenIssuedAtMs: typeof claims.iam === 'number' ? claims.iam : 0,
  };
}

/** Turns the token's claims into the current actor (the identity capability loads the user). */
export type ActorResolver = (tokenActor: TokenActor) => Promise<Actor>;

export function bearerTokenOf(authorization: string | undefined): string {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization ?? '');
  if (!match?.[1]) throw new DomainError('UNAUTHENTICATED');
  return match[1];
}

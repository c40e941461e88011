import { DomainError } from '../shared/errors.ts';
import type { TokenActor } from '../shared/http/auth.ts';
import type { Actor, Role } from '../shared/roles.ts';
import { UserModel, type UserDoc } from './user.model.ts';

export function actorOf(user: UserDoc): Actor {
  return {
    id: String(user._id),
    role: user.role as Role,
    communityIds: user.communityIds ?? [],
    streetId: user.streetId ?? null,
    providerId: user.providerId ?? null,
    caregiverId: user.caregiverId ?? null,
  };
}

/**
 * The token proves who is calling; the role and scope come from the user record at every request,
 * so a deactivated user or a changed scope takes effect at once, not when the token expires. So does
 * a logout or a revoked refresh family: the user's access tokens issued before it are refused (the
 * user's other devices refresh theirs and go on; a stolen access token stops at once).
 */
export async function resolveActor(tokenActor: TokenActor): Promise<Actor> {
  if (!/^[0-9a-f]{24}$/.test(tokenActor.id)) throw new DomainError('UNAUTHENTICATED');
  const user = await UserModel.findById(tokenActor.id).lean();
  if (!user || !user.active) throw new DomainError('UNAUTHENTICATED');
  if (user.accessRevokedBefore && tokenActor.tokenIssuedAtMs < user.accessRevokedBefore.getTime()) throw new DomainError('UNAUTHENTICATED');
  return actorOf(user);
}

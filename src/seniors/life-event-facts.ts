import { byKeys } from '../shared/by-keys.ts';
import type { Actor } from '../shared/roles.ts';
import { findInScope } from '../shared/scope.ts';
import { SeniorModel, type SeniorDoc, type SeniorStatus } from './senior.model.ts';
import { seniorScope } from './senior.scope.ts';
import { factsOf } from './settlement-facts.ts';

/**
 * What a reported death, hospital stay or move is judged against (life-events): the senior's
 * status, the deactivation on file, and when the status last changed (a suspension or resumption
 * cannot be back-dated before it). seniorsByIdNumberHmac answers the same facts for a feed's rows.
 */
export interface SeniorRegisterFacts {
  seniorId: string;
  status: SeniorStatus;
  communityId: string;
  streetId: string;
  deactivation: { reason: string; effectiveDate: string } | null;
  lastStatusChangeAt: Date | null;
}

/** The senior's register facts if the caller may see them (404 otherwise, as for a missing one). */
export async function seniorRegisterFacts(seniorId: string, actor: Actor): Promise<SeniorRegisterFacts> {
  return registerFactsOf(await findInScope<SeniorDoc>(SeniorModel, seniorId, seniorScope, actor));
}

/** The register facts of a senior document read with at least FACTS_PROJECTION, street and community. */
export function registerFactsOf(senior: SeniorDoc): SeniorRegisterFacts {
  const facts = factsOf(senior, '0000-00');
  return {
    seniorId: String(senior._id),
    status: senior.status as SeniorStatus,
    communityId: senior.communityId,
    streetId: senior.streetId,
    deactivation: facts.deactivationReason && facts.deactivationEffectiveDate ? { reason: facts.deactivationReason, effectiveDate: facts.deactivationEffectiveDate } : null,
    lastStatusChangeAt: facts.statusLog.at(-1)?.at ?? null,
  };
}

/** Name and masked ID number of many seniors in one read by key, for a list that names them; unknown ids are absent. */
export async function seniorsListed(seniorIds: string[]): Promise<Map<string, { name: string; idNumberMasked: string }>> {
  const ids = [...new Set(seniorIds.filter((id) => /^[0-9a-f]{24}$/.test(id)))];
  if (ids.length === 0) return new Map();
  const seniors = await SeniorModel.find({ _id: { $in: ids } }, { name: 1, idNumberMasked: 1 }).setOptions(byKeys(ids.length)).lean();
  return new Map(seniors.map((senior) => [String(senior._id), { name: senior.name, idNumberMasked: senior.idNumberMasked }]));
}

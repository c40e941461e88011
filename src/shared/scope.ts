import type { Model } from 'mongoose';
import { DomainError } from './errors.ts';
import type { Actor, Role } from './roles.ts';

/**
 * Scoping is part of authorisation (PRODUCT.md §2): the route's one-line `access` says which roles
 * may call it at all (else 403); the capability's ScopeRules say which rows each of those roles
 * sees, as a filter AND-ed into every query. A row outside the caller's scope is answered exactly
 * like a missing one (404), so ids do not leak existence.
 *
 * A role absent from the rules sees nothing; that is a programming error if the route admits the
 * role, and it fails closed.
 */
export type ScopeFilter = Record<string, unknown>;
export type ScopeRules = Partial<Record<Role, 'all' | ((actor: Actor) => ScopeFilter)>>;

/** Matches no document: used when the caller's scope is empty or its id malformed. */
export const MATCH_NOTHING: ScopeFilter = { _id: { $in: [] } };
const isId = (value: string | null): value is string => value !== null && /^[0-9a-f]{24}$/.test(value);

export function scopeFilter(rules: ScopeRules, actor: Actor): ScopeFilter {
  const rule = rules[actor.role];
  if (rule === undefined) return MATCH_NOTHING;
  if (rule === 'all') return {};
  return rule(actor);
}

/** AND-s the caller's scope into a query filter. */
export function withinScope(rules: ScopeRules, actor: Actor, filter: ScopeFilter = {}): ScopeFilter {
  const scope = scopeFilter(rules, actor);
  if (Object.keys(scope).length === 0) return filter;
  if (Object.keys(filter).length === 0) return scope;
  // Side by side when no field repeats, so an `_id` equality stays a top-level key (the embedded
  // FerretDB uses its primary key only then); $and when the scope constrains a field the filter has.
  if (Object.keys(scope).every((key) => !(key in filter) && !key.startsWith('$'))) return { ...filter, ...scope };
  return { $and: [filter, scope] };
}

/**
 * The document with this id if the caller may see it; otherwise 404, whether it exists or not.
 * `D` is the lean document type the caller expects from this model.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model: schemas differ in options such as versionKey
export async function findInScope<D>(model: Model<any>, id: string, rules: ScopeRules, actor: Actor): Promise<D> {
  if (!/^[0-9a-f]{24}$/.test(id)) throw new DomainError('NOT_FOUND');
  const found = await model.findOne(withinScope(rules, actor, { _id: id })).lean();
  if (!found) throw new DomainError('NOT_FOUND');
  return found as D;
}

/** Helpers for the common shapes of scope. */
export const scopeBy = {
  /** Rows carrying one community id, for staff scoped to communities. */
  communityField: (field: string) => (actor: Actor): ScopeFilter => ({ [field]: { $in: actor.communityIds } }),
  /** Rows carrying one provider id, for provider staff. */
  providerField: (field: string) => (actor: Actor): ScopeFilter => (isId(actor.providerId) ? { [field]: actor.providerId } : MATCH_NOTHING),
  /** Rows carrying one street id, for street officers. */
  streetField: (field: string) => (actor: Actor): ScopeFilter => (isId(actor.streetId) ? { [field]: actor.streetId } : MATCH_NOTHING),
};

import type { Config } from '../config/env.ts';
import type { Actor } from '../shared/roles.ts';
import { businessMonth, businessMonthBounds } from '../shared/time.ts';
import type { ReportQuery, ReportScope } from './reports.schemas.ts';

/** What every report starts from: the month, the clock, and whose rows it counts. */
export interface ReportContext {
  month: string;
  now: Date;
  /** The end of the month, or now when the month has not ended yet. */
  asOf: Date;
  actor: Actor;
  config: Config;
  scope: ReportScope;
  /**
   * Admin, finance and audit see the district. Street and community roles see their rows only, and
   * no settlement money: statements and budgets are district-wide figures per provider, not theirs.
   */
  isDistrictWide: boolean;
}

export function reportContext(query: ReportQuery, actor: Actor, config: Config, now: Date = new Date()): ReportContext {
  const month = query.month ?? businessMonth(now, config.businessTimeZone);
  const { end } = businessMonthBounds(month, config.businessTimeZone);
  const scope = scopeOf(actor);
  return { month, now, asOf: end.getTime() < now.getTime() ? end : now, actor, config, scope, isDistrictWide: scope.level === 'district' };
}

function scopeOf(actor: Actor): ReportScope {
  if (actor.role === 'street_officer') return { level: 'street', streetId: actor.streetId, communityIds: [] };
  if (actor.role === 'community_staff') return { level: 'communities', streetId: null, communityIds: [...actor.communityIds] };
  return { level: 'district', streetId: null, communityIds: [] };
}

export const reportHeader = (ctx: ReportContext) => ({ month: ctx.month, generatedAt: ctx.now, scope: ctx.scope });

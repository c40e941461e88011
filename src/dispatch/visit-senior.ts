import { revealPhoneForVisit, seniorsForVisits, type VisitSenior } from '../seniors/index.ts';
import { DomainError } from '../shared/errors.ts';
import { addDaysToDay, businessDay } from '../shared/time.ts';
import { ownVisit } from './order-visit.service.ts';
import type { OrderCall } from './order-transition.ts';

interface VisitFacts {
  seniorId: string;
  caregiverId?: string | null;
  status: string;
  scheduledStart: Date;
}

/** Visits the caregiver has still to make or is making; after check-out she no longer needs the door. */
const OPEN_VISIT_STATUSES = ['assigned', 'in_service'];

/**
 * Whether the caller is the caregiver at the door of this visit: her own, scheduled today or
 * tomorrow (Asia/Shanghai; tomorrow so she can plan the route the evening before), not closed.
 * Only then does she see the senior's name, address and map, and may reveal the phone.
 */
export function isAtTheDoor(visit: VisitFacts, call: OrderCall): boolean {
  const { actor, config } = call;
  if (actor.role !== 'caregiver' || !actor.caregiverId || visit.caregiverId !== actor.caregiverId) return false;
  if (!OPEN_VISIT_STATUSES.includes(visit.status)) return false;
  const today = businessDay(call.now ?? new Date(), config.businessTimeZone);
  const day = businessDay(new Date(visit.scheduledStart), config.businessTimeZone);
  return day === today || day === addDaysToDay(today, 1);
}

/** The views with `senior` added where the caller is at the door (one read for the whole page). */
export async function withVisitSeniors<T extends VisitFacts>(views: T[], call: OrderCall): Promise<Array<T & { senior?: VisitSenior }>> {
  const due = new Set(views.filter((view) => isAtTheDoor(view, call)));
  if (due.size === 0) return views;
  const seniors = await seniorsForVisits([...due].map((view) => view.seniorId));
  return views.map((view): T & { senior?: VisitSenior } => {
    const senior = due.has(view) ? seniors.get(view.seniorId) : undefined;
    return senior ? { ...view, senior } : view;
  });
}

export async function withVisitSenior<T extends VisitFacts>(view: T, call: OrderCall): Promise<T & { senior?: VisitSenior }> {
  return (await withVisitSeniors([view], call))[0]!;
}

/**
 * The senior's full phone for the caregiver's tap-to-call: another caregiver's visit is missing
 * (404), her own outside the window is refused (422), and every reveal is audited.
 */
export async function revealVisitSeniorPhone(orderId: string, call: OrderCall): Promise<{ phone: string }> {
  const order = await ownVisit(orderId, call.actor);
  if (!isAtTheDoor(order, call)) {
    throw new DomainError('RULE_VIOLATION', [{ path: '', message: '只能在服务当天或前一天、服务结束之前查看老人的电话' }]);
  }
  return revealPhoneForVisit(order.seniorId, orderId, call);
}

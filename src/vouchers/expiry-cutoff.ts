import { addDaysToDay, addMonths } from '../shared/time.ts';

/** The expiry rules of a policy, as policy.service.ts answers them. */
export type ExpiryRule =
  | { mode: 'end_of_month' }
  | { mode: 'rollover'; rolloverMonths?: number }
  | { mode: 'anchor_date'; lapsesOn?: string; lapsesAfterYears?: number };

/**
 * The last month whose credits have lapsed by the start of `day` ('YYYY-MM-DD'), or null when none
 * has. end_of_month: the month before; rollover for N months: credits older than N months;
 * anchor_date: an amount credited in year Y lapses at the end of `lapsesOn` of year Y + N, so at
 * the start of `day` the credits of every year up to (the latest anchor year before `day`) − N
 * have lapsed. An amount never lapses before the anchor that follows its own month: with N = 0 and
 * an anchor before December, what was credited after the anchor waits for the next year's anchor
 * (the cutoff is never later than the anchor's own month).
 */
export function expiryCutoffOn(expiry: ExpiryRule, day: string): string | null {
  const month = day.slice(0, 7);
  if (expiry.mode === 'end_of_month') return addMonths(month, -1);
  if (expiry.mode === 'rollover') return addMonths(month, -1 - (expiry.rolloverMonths ?? 0));
  const anchor = latestAnchorBefore(expiry.lapsesOn ?? '12-31', day);
  const yearsKept = expiry.lapsesAfterYears ?? 0;
  const lastLapsedYear = Number(anchor.slice(0, 4)) - yearsKept;
  const cutoff = `${String(lastLapsedYear).padStart(4, '0')}-12`;
  return cutoff < anchor.slice(0, 7) ? cutoff : anchor.slice(0, 7);
}

/** expiryCutoffOn at the start of a month (what issuance and the monthly run lapse). */
export function expiryCutoff(policy: { expiry: ExpiryRule }, month: string): string {
  return expiryCutoffOn(policy.expiry, `${month}-01`) as string;
}

/**
 * The day an anchor lapse takes effect (the day after the anchor), when `day` is one: the daily
 * run lapses then, so an anchor of 15 March does not wait for 1 April.
 */
export function isAnchorLapseDay(expiry: ExpiryRule, day: string): boolean {
  if (expiry.mode !== 'anchor_date') return false;
  return latestAnchorBefore(expiry.lapsesOn ?? '12-31', day) === addDaysToDay(day, -1);
}

/**
 * The latest anchor day strictly before `day`. 02-29 is the last day of February: in a year
 * without one, the amount lapses at the end of 28 February.
 */
export function latestAnchorBefore(lapsesOn: string, day: string): string {
  const year = Number(day.slice(0, 4));
  const thisYear = anchorIn(lapsesOn, year);
  return thisYear < day ? thisYear : anchorIn(lapsesOn, year - 1);
}

export function anchorIn(lapsesOn: string, year: number): string {
  const [month, date] = lapsesOn.split('-').map(Number) as [number, number];
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(date, lastDay)).padStart(2, '0')}`;
}

/**
 * Business days and months are Asia/Shanghai (configurable as TZ_BUSINESS); instants are stored
 * UTC. Every conversion between the two goes through here.
 */
export const BUSINESS_TIME_ZONE_DEFAULT = 'Asia/Shanghai';

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** 'YYYY-MM-DD' of the instant in the business time zone. */
export function businessDay(instant: Date, timeZone: string): string {
  return formatterFor(timeZone).format(instant);
}

/** 'YYYY-MM' of the instant in the business time zone. */
export function businessMonth(instant: Date, timeZone: string): string {
  return businessDay(instant, timeZone).slice(0, 7);
}

/** Adds whole months to a 'YYYY-MM-DD' day, clamping to the month's last day (31 Jan + 1 = 28/29 Feb). */
export function addMonthsToDay(day: string, months: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date, lastDay));
  return target.toISOString().slice(0, 10);
}

/** Adds days to a 'YYYY-MM-DD' day. */
export function addDaysToDay(day: string, days: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, date + days)).toISOString().slice(0, 10);
}

/** Adds whole months to a 'YYYY-MM' month. */
export function addMonths(month: string, months: number): string {
  return addMonthsToDay(`${month}-01`, months).slice(0, 7);
}

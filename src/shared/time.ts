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

const dateTimeFormatters = new Map<string, Intl.DateTimeFormat>();
/** 'YYYY-MM-DD HH:mm:ss' of the instant in the business time zone (files people read). */
export function businessDateTime(instant: Date, timeZone: string): string {
  let formatter = dateTimeFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    dateTimeFormatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(instant).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
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

/** The instant a business day 'YYYY-MM-DD' begins (midnight in the zone), as a UTC Date. */
export function startOfBusinessDay(day: string, timeZone: string): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const midnightAsUtc = Date.UTC(year, month - 1, date);
  // The zone's offset at the guess, then again at the result, for a day whose offset changes.
  let instant = midnightAsUtc - zoneOffsetMs(new Date(midnightAsUtc), timeZone);
  instant = midnightAsUtc - zoneOffsetMs(new Date(instant), timeZone);
  return new Date(instant);
}

/** The instant a wall-clock reading 'YYYY-MM-DD' + 'HH:mm[:ss]' of the business zone names, as a UTC Date. */
export function businessInstant(day: string, time: string, timeZone: string): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const [hour, minute, second = 0] = time.split(':').map(Number) as [number, number, number?];
  const readingAsUtc = Date.UTC(year, month - 1, date, hour, minute, second);
  let instant = readingAsUtc - zoneOffsetMs(new Date(readingAsUtc), timeZone);
  instant = readingAsUtc - zoneOffsetMs(new Date(instant), timeZone);
  return new Date(instant);
}

/** [start, end) of a business month 'YYYY-MM' as UTC instants. */
export function businessMonthBounds(month: string, timeZone: string): { start: Date; end: Date } {
  return { start: startOfBusinessDay(`${month}-01`, timeZone), end: startOfBusinessDay(`${addMonths(month, 1)}-01`, timeZone) };
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
function zoneOffsetMs(instant: Date, timeZone: string): number {
  let formatter = offsetFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    offsetFormatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(instant).map((part) => [part.type, Number(part.value)]));
  const wallClockAsUtc = Date.UTC(parts.year as number, (parts.month as number) - 1, parts.day as number, parts.hour as number, parts.minute as number, parts.second as number);
  return wallClockAsUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

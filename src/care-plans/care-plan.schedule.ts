import { addDaysToDay } from '../shared/time.ts';

/** ISO weekday of a 'YYYY-MM-DD' day: Monday = 1 … Sunday = 7. */
export function isoWeekday(day: string): number {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(year, month - 1, date)).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

/** The days from `today` (inclusive) for `horizonDays` days on which the plan has a visit. */
export function occurrenceDays(plan: { weekdays: number[]; startDate: string; endDate?: string | null }, today: string, horizonDays: number): string[] {
  const days: string[] = [];
  for (let offset = 0; offset < horizonDays; offset += 1) {
    const day = addDaysToDay(today, offset);
    if (day < plan.startDate || (plan.endDate && day > plan.endDate)) continue;
    if (plan.weekdays.includes(isoWeekday(day))) days.push(day);
  }
  return days;
}

/** The instant of wall-clock `time` ('HH:mm') on `day` in `timeZone` (Asia/Shanghai: UTC+8, no DST). */
export function zonedInstant(day: string, time: string, timeZone: string): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const asUtc = Date.UTC(year, month - 1, date, hour, minute);
  const firstGuess = asUtc - offsetMs(new Date(asUtc), timeZone);
  // A second pass settles zones whose offset differs on either side of the guess (DST).
  return new Date(asUtc - offsetMs(new Date(firstGuess), timeZone));
}

function offsetMs(instant: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(instant)
      .map((part) => [part.type, Number(part.value)]),
  ) as Record<string, number>;
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(instant.getTime() / 1000) * 1000;
}

import { addDaysToDay, businessDay, businessInstant } from '../shared/time.ts';

/**
 * Quiet hours (SMS_QUIET_HOURS, 21:00–08:00 by default, in the business time zone): no SMS asks a
 * senior or a family anything at night. A message due then waits until the quiet hours end. The
 * window may cross midnight (start after end) or not (start before end).
 */
export interface QuietHours {
  startMinute: number;
  endMinute: number;
  timeZone: string;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { startMinute: 21 * 60, endMinute: 8 * 60, timeZone: 'Asia/Shanghai' };

const DAY_MINUTES = 24 * 60;

/** Minutes since midnight of the instant's wall clock in the zone. */
function minuteOfDay(instant: Date, timeZone: string): number {
  const day = businessDay(instant, timeZone);
  return Math.floor((instant.getTime() - businessInstant(day, '00:00', timeZone).getTime()) / 60_000);
}

export function isQuiet(instant: Date, quiet: QuietHours): boolean {
  if (quiet.startMinute === quiet.endMinute) return false;
  const minute = minuteOfDay(instant, quiet.timeZone);
  return quiet.startMinute < quiet.endMinute
    ? minute >= quiet.startMinute && minute < quiet.endMinute
    : minute >= quiet.startMinute || minute < quiet.endMinute;
}

/** The instant itself outside quiet hours; else the end of the quiet hours it falls in. */
export function nextSendableAt(instant: Date, quiet: QuietHours): Date {
  if (!isQuiet(instant, quiet)) return instant;
  const minute = minuteOfDay(instant, quiet.timeZone);
  const today = businessDay(instant, quiet.timeZone);
  // Before midnight in a window that crosses it: the end is tomorrow morning.
  const endDay = quiet.startMinute > quiet.endMinute && minute >= quiet.startMinute ? addDaysToDay(today, 1) : today;
  const end = quiet.endMinute % DAY_MINUTES;
  return businessInstant(endDay, `${String(Math.floor(end / 60)).padStart(2, '0')}:${String(end % 60).padStart(2, '0')}`, quiet.timeZone);
}

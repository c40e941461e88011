// Display formats the district's staff read every day: ¥1,234.50 and 2026年11月21日 (no leading
// zeros, as official documents write 2026年3月9日), always in Asia/Shanghai whatever the
// browser's own zone is.

const ZONE = 'Asia/Shanghai';

/** Integer fen → `¥1,234.50` (integer arithmetic: no floating point on money). */
export function yuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return '—';
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const whole = Math.trunc(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${whole}.${String(abs % 100).padStart(2, '0')}`;
}

/** `¥12.50` typed by a person → 1250 fen; null when it is not an amount. */
export function fenOf(text: string): number | null {
  const match = /^\s*(-)?¥?\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(text.replaceAll(',', ''));
  if (!match) return null;
  const fen = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return match[1] ? -fen : fen;
}

const partsFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

/** The Asia/Shanghai wall clock of an instant. */
export function shanghaiParts(instant: Date): { day: string; month: string; time: string } {
  const parts = Object.fromEntries(partsFormat.formatToParts(instant).map((part) => [part.type, part.value]));
  const day = `${parts.year}-${parts.month}-${parts.day}`;
  return { day, month: day.slice(0, 7), time: `${parts.hour}:${parts.minute}` };
}

/** `2026-11-21` (a calendar day) or an ISO instant → `2026年11月21日`. */
export function chineseDate(value: string | null | undefined): string {
  if (!value) return '—';
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : shanghaiParts(new Date(value)).day;
  return `${day.slice(0, 4)}年${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;
}

/** An ISO instant → `2026年11月21日 14:05`. */
export function chineseDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const parts = shanghaiParts(new Date(value));
  return `${chineseDate(parts.day)} ${parts.time}`;
}

/** `2026-11` → `2026年11月`. */
export function chineseMonth(month: string): string {
  return `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;
}

/**
 * How people see an order: its number (GD202612030001); an order created before numbers existed
 * shows the last 8 characters of its id instead (README, "Order numbers").
 */
export function orderLabel(id: string, number: string | null | undefined): string {
  return number ?? id.slice(-8);
}

export function todayInShanghai(): string {
  return shanghaiParts(new Date()).day;
}

/** Tomorrow's Shanghai day (UTC+8, no DST: a day is always 24 hours). */
export function tomorrowInShanghai(): string {
  return shanghaiParts(new Date(Date.now() + 86_400_000)).day;
}

export function monthsBefore(month: string, count: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 - count;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** A Shanghai wall-clock day and time → the ISO instant the API expects (UTC+8, no DST). */
export function shanghaiInstant(day: string, time: string): string {
  return new Date(`${day}T${time}:00+08:00`).toISOString();
}

/** The instants bounding a Shanghai day, for `from`/`to` filters. */
export function shanghaiDayRange(day: string): { from: string; to: string } {
  const from = new Date(`${day}T00:00:00+08:00`);
  return { from: from.toISOString(), to: new Date(from.getTime() + 86_400_000 - 1).toISOString() };
}

/** Seconds left → `12:05`, for offer countdowns. */
export function countdown(seconds: number): string {
  const clamped = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(clamped / 60)).padStart(2, '0')}:${String(clamped % 60).padStart(2, '0')}`;
}

import { monthsBefore } from '../../format.ts';

/** The instants bounding a Shanghai month, for the orders API's `from`/`to`. */
export function monthRange(month: string): { from: string; to: string } {
  const next = monthsBefore(month, -1);
  return { from: new Date(`${month}-01T00:00:00+08:00`).toISOString(), to: new Date(new Date(`${next}-01T00:00:00+08:00`).getTime() - 1).toISOString() };
}

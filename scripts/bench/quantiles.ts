/** Median, p99 and maximum of some timings in ms, to a tenth (the p99 of 20 samples is their slowest). */
export function quantilesOf(timings: number[]): { medianMs: number; p99Ms: number; maxMs: number } {
  const sorted = [...timings].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
  return { medianMs: at(0.5), p99Ms: at(0.99), maxMs: at(1) };
}

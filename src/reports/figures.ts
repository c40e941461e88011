/** Small arithmetic shared by the reports; every rounding rule of the reports lives here. */

const roundTo = (value: number, decimals: number) => {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
};

/** numerator / denominator in 0..1 with 4 decimals; null when the denominator is 0. */
export function rateOf(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : roundTo(numerator / denominator, 4);
}

/** The mean with 2 decimals; null when there is nothing to average. */
export function averageOf(sum: number, count: number): number | null {
  return count === 0 ? null : roundTo(sum / count, 2);
}

/** The median with 1 decimal (the mean of the middle two for an even count); null when empty. */
export function medianOf(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return roundTo(median, 1);
}

export const minutesBetween = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 60_000;

export const roundMinutes = (minutes: number) => roundTo(minutes, 1);

/** A counter per status with every status present (zeros included), so the shape never varies. */
export function zeroCounts<S extends string>(statuses: readonly S[]): Record<S, number> {
  return Object.fromEntries(statuses.map((status) => [status, 0])) as Record<S, number>;
}

/** A row per key, counted by status: the shape of "seniors by community", "orders by service type". */
export class StatusTally<S extends string> {
  readonly total: Record<S, number>;
  private readonly rows = new Map<string, Record<S, number>>();

  constructor(private readonly statuses: readonly S[]) {
    this.total = zeroCounts(statuses);
  }

  /** Counts one item under each key given (none: only in the total). */
  add(status: S, keys: readonly string[] = []): void {
    this.total[status] += 1;
    for (const key of keys) {
      const row = this.rows.get(key) ?? zeroCounts(this.statuses);
      row[status] += 1;
      this.rows.set(key, row);
    }
  }

  entries(): { key: string; total: number; byStatus: Record<S, number> }[] {
    return [...this.rows.entries()].map(([key, byStatus]) => ({ key, total: sumOf(byStatus), byStatus }));
  }

  get grandTotal(): number {
    return sumOf(this.total);
  }
}

const sumOf = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);

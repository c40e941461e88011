import type { LineDoc } from './settlement.model.ts';

/*
 * The review sample (PRODUCT.md §8): of each draft, the ceil(pct%) service lines of lowest seeded
 * rank get a verification callback. Which lines those are depends only on the seed, the orders and
 * the final line count, so re-runs and resumed runs pick the same ones.
 */

/** How many lines of a statement of `lineCount` lines the sample holds. */
export const sampleSizeOf = (lineCount: number, samplePct: number) => Math.ceil((lineCount * samplePct) / 100);

/**
 * The lowest-ranked lines of each statement, kept while the period's lines stream past once (the
 * pass that also adds up the totals), in memory bounded by the expected sample, not the month: a
 * statement's list is cut back to its limit whenever it reaches twice that. The limit is what the
 * statement is expected to need; if it turns out to need more than was kept after a cut,
 * `lowest` says so and the caller reads that statement's lines again.
 */
export class SampleCandidates {
  private readonly kept = new Map<string, { lines: LineDoc[]; limit: number; cut: boolean }>();

  constructor(private readonly limitOf: (statementId: string) => number) {}

  offer(line: LineDoc): void {
    let entry = this.kept.get(line.statementId);
    if (!entry) {
      entry = { lines: [], limit: Math.max(1, this.limitOf(line.statementId)), cut: false };
      this.kept.set(line.statementId, entry);
    }
    entry.lines.push(line);
    if (entry.lines.length >= 2 * entry.limit) {
      keepLowestRanks(entry.lines, entry.limit);
      entry.cut = true;
    }
  }

  /** The `count` lowest-ranked lines offered for the statement; null when a cut may have dropped one of them. */
  lowest(statementId: string, count: number): LineDoc[] | null {
    const entry = this.kept.get(statementId);
    if (!entry) return [];
    if (entry.cut && count > entry.limit) return null;
    keepLowestRanks(entry.lines, count);
    return entry.lines;
  }
}

/** Sorts by seeded rank (then id, for ties) and keeps the first `count`. */
function keepLowestRanks(lines: LineDoc[], count: number): void {
  lines.sort((a, b) => (a.sampleRank as number) - (b.sampleRank as number) || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
  lines.length = Math.min(lines.length, count);
}

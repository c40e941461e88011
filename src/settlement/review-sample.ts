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

/** A sample rank is the first 48 bits of a SHA-256: uniform over [0, 2^48). */
const RANK_SPACE = 2 ** 48;

/**
 * Sample candidates kept while a run writes lines, before anyone knows how many lines a statement
 * will end with: every line whose rank lies below twice the sample share of the rank space (about
 * 2 × pct% of the lines, so memory follows the sample, not the month). Exact, not a guess: every
 * line below the threshold is kept, so when at least `count` unchecked lines were kept, the
 * `count` lowest of them are the statement's `count` lowest; when fewer were kept (a small or
 * unlucky statement) `lowest` answers null and the caller reads the statement's lines.
 */
export class RankThresholdCandidates {
  private readonly thresholdRank: number;
  private readonly kept = new Map<string, SampleLine[]>();

  constructor(samplePct: number) {
    this.thresholdRank = samplePct > 0 ? Math.min(1, (2 * samplePct) / 100 + 0.001) * RANK_SPACE : -1;
  }

  offer(line: LineDoc): void {
    if ((line.sampleRank as number) >= this.thresholdRank) return;
    const lines = this.kept.get(line.statementId) ?? [];
    lines.push(sampleLineOf(line));
    this.kept.set(line.statementId, lines);
  }

  lowest(statementId: string, count: number, checked: ReadonlySet<string>): LineDoc[] | null {
    if (count <= 0) return [];
    const lines = (this.kept.get(statementId) ?? []).filter((line) => !checked.has(line._id)) as LineDoc[];
    if (lines.length < count) return null;
    keepLowestRanks(lines, count);
    return lines;
  }
}

/** What opening a sample check needs of a line (kept small: a city month keeps ~100,000 of them). */
type SampleLine = Pick<LineDoc, '_id' | 'statementId' | 'period' | 'providerId' | 'communityId' | 'seniorId' | 'serviceTypeCode' | 'scheduledStart' | 'sampleRank' | 'kind'>;
const sampleLineOf = (line: LineDoc): SampleLine => ({
  _id: line._id, statementId: line.statementId, period: line.period, providerId: line.providerId, communityId: line.communityId, seniorId: line.seniorId,
  serviceTypeCode: line.serviceTypeCode, scheduledStart: line.scheduledStart, sampleRank: line.sampleRank, kind: line.kind,
});

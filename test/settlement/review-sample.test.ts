import { expect } from 'chai';
import { RankThresholdCandidates, SampleCandidates, sampleSizeOf } from '../../src/settlement/review-sample.ts';
import type { LineDoc } from '../../src/settlement/settlement.model.ts';
import { sampleRankOf } from '../../src/settlement/statement-lines.ts';

// Deterministic pseudo-random ranks, so the test reads the same every time.
function lines(statementId: string, count: number, seed: number): LineDoc[] {
  let state = seed;
  return Array.from({ length: count }, (_, i) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return { _id: `${statementId}-${String(i).padStart(4, '0')}`, statementId, sampleRank: state % 1_000 } as LineDoc;
  });
}
const lowestByFullSort = (all: LineDoc[], count: number) =>
  [...all].sort((a, b) => (a.sampleRank as number) - (b.sampleRank as number) || (a._id < b._id ? -1 : 1)).slice(0, count).map((line) => line._id);

describe('review sample candidates', () => {
  it('draws a pick only the holder of the secret can foresee: another secret, or the old public seed, picks other visits', () => {
    const orderIds = Array.from({ length: 2_000 }, (_, i) => (0x650000000000 + i * 7919).toString(16).padStart(24, '0'));
    const pick = (rank: (id: string) => number) => new Set([...orderIds].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1)).slice(0, 100));
    const ours = pick((id) => sampleRankOf('district-secret-0123456789abcdef', id));
    const again = pick((id) => sampleRankOf('district-secret-0123456789abcdef', id));
    const guessed = pick((id) => sampleRankOf('another-guess-0123456789abcdef', id));
    const publicSeed = pick((id) => sampleRankOf('starlight-review', id));
    const overlap = (a: Set<string>, b: Set<string>) => [...a].filter((id) => b.has(id)).length;
    expect(overlap(ours, again)).to.equal(100);
    // 5% of 2,000 drawn: a guess overlaps by chance alone (~5 expected), nowhere near the pick.
    expect(overlap(ours, guessed)).to.be.below(20);
    expect(overlap(ours, publicSeed)).to.be.below(20);
  });

  it('sizes the sample as ceil(pct% of the lines)', () => {
    expect([sampleSizeOf(0, 5), sampleSizeOf(1, 5), sampleSizeOf(20, 5), sampleSizeOf(21, 5), sampleSizeOf(7, 20)]).to.deep.equal([0, 1, 1, 2, 2]);
  });

  it('keeps, per statement and in bounded memory, exactly the lowest-ranked lines a full sort would pick (ties by id)', () => {
    const a = lines('A', 5_000, 7);
    const b = lines('B', 300, 11);
    const candidates = new SampleCandidates((id) => (id === 'A' ? 250 : 15));
    for (let i = 0; i < 5_000; i += 1) {
      candidates.offer(a[i] as LineDoc);
      if (i < 300) candidates.offer(b[i] as LineDoc);
    }

    expect(candidates.lowest('A', 250)!.map((line) => line._id)).to.deep.equal(lowestByFullSort(a, 250));
    expect(candidates.lowest('B', 12)!.map((line) => line._id)).to.deep.equal(lowestByFullSort(b, 12));
    expect(candidates.lowest('C', 3)).to.deep.equal([]);
  });

  it('says so when a statement needs more than it kept after a cut, and not when nothing was cut', () => {
    const many = new SampleCandidates(() => 10);
    for (const line of lines('A', 100, 3)) many.offer(line);
    const few = new SampleCandidates(() => 10);
    const small = lines('B', 15, 5);
    for (const line of small) few.offer(line);

    expect(many.lowest('A', 11)).to.equal(null);
    expect(many.lowest('A', 10)).to.have.length(10);
    expect(few.lowest('B', 15)!.map((line) => line._id)).to.deep.equal(lowestByFullSort(small, 15));
  });
});

describe('review sample candidates kept while a run writes its lines', () => {
  // Ranks spread over the whole 48-bit rank space, as sampleRankOf makes them.
  const spread = (statementId: string, count: number, seed: number) =>
    lines(statementId, count, seed).map((line, i) => ({ ...line, kind: 'service', sampleRank: Math.floor(((((line.sampleRank as number) * 7_919 + i * 104_729) % 1_000_003) / 1_000_003) * 2 ** 48) }) as LineDoc);

  it('answers exactly the lowest-ranked unchecked lines a full sort would pick, keeping about twice the sample', () => {
    const all = spread('A', 4_000, 5);
    const candidates = new RankThresholdCandidates(5);
    for (const line of all) candidates.offer(line);
    const checked = new Set(lowestByFullSort(all, 3));

    const picked = candidates.lowest('A', sampleSizeOf(all.length, 5), checked)!.map((line) => line._id);

    expect(picked).to.deep.equal(lowestByFullSort(all.filter((line) => !checked.has(line._id)), 200));
    // It kept the lines below ~10.1% of the rank space (about 400 of 4,000), not the statement.
    const keptBelow = all.filter((line) => (line.sampleRank as number) < 0.101 * 2 ** 48).length;
    expect(keptBelow).to.be.within(300, 520);
    expect(candidates.lowest('A', keptBelow, new Set())).to.have.length(keptBelow);
    expect(candidates.lowest('A', keptBelow + 1, new Set())).to.equal(null);
  });

  it('says it cannot answer when fewer lines were kept than the sample needs, and keeps nothing without a sample', () => {
    const few = spread('B', 12, 9);
    const candidates = new RankThresholdCandidates(5);
    for (const line of few) candidates.offer(line);
    const keptBelow = few.filter((line) => (line.sampleRank as number) < 0.101 * 2 ** 48).length;

    expect(candidates.lowest('B', keptBelow + 1, new Set())).to.equal(null);
    expect(candidates.lowest('B', 0, new Set())).to.deep.equal([]);
    const none = new RankThresholdCandidates(0);
    for (const line of few) none.offer(line);
    expect(none.lowest('B', 1, new Set())).to.equal(null);
  });
});

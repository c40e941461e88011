import { expect } from 'chai';
import { averageOf, medianOf, rateOf } from '../../src/reports/figures.ts';

describe('report figures', () => {
  it('takes the median of an odd count, the mean of the middle two of an even one, none of nothing', () => {
    expect(medianOf([29, 3, 12, 20, 10])).to.equal(12);
    expect(medianOf([3, 10, 12, 20])).to.equal(11);
    expect(medianOf([1, 2])).to.equal(1.5);
    expect(medianOf([])).to.equal(null);
  });

  it('answers rates in 0..1 with 4 decimals and null when nothing to divide by', () => {
    expect(rateOf(5, 6)).to.equal(0.8333);
    expect(rateOf(2, 9)).to.equal(0.2222);
    expect(rateOf(0, 0)).to.equal(null);
    expect(averageOf(19, 5)).to.equal(3.8);
    expect(averageOf(0, 0)).to.equal(null);
  });
});

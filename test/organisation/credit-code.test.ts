import { expect } from 'chai';
import { creditCodeCheckCharacter, isValidCreditCode, normaliseCreditCode } from '../../src/organisation/credit-code.ts';

describe('unified social credit code (GB 32100-2015)', () => {
  it('accepts real registered codes', () => {
    for (const code of ['91350100M000100Y43', '91110000600037341L', '91440300708461136T', '12100000400000770U', '91330000142916567N']) {
      expect(isValidCreditCode(code), code).to.equal(true);
    }
  });

  it('computes the check character, writing 31 as 0', () => {
    expect(creditCodeCheckCharacter('91110000600037341')).to.equal('L');
    expect(creditCodeCheckCharacter('91350100M000100Y4')).to.equal('3');
    expect(creditCodeCheckCharacter('91340104MA0000007')).to.equal('0');
    expect(isValidCreditCode('91340104MA00000070')).to.equal(true);
  });

  it('accepts lower case and surrounding spaces, normalising to upper case', () => {
    expect(normaliseCreditCode(' 91350100m000100y43 ')).to.equal('91350100M000100Y43');
    expect(normaliseCreditCode('91110000600037341l')).to.equal('91110000600037341L');
  });

  it('rejects a wrong check character', () => {
    expect(isValidCreditCode('91350100M000100Y44')).to.equal(false);
    expect(isValidCreditCode('91110000600037341K')).to.equal(false);
    expect(isValidCreditCode('91340104MA00000071')).to.equal(false);
  });

  it('rejects a code with a transposed or altered body', () => {
    expect(isValidCreditCode('91350100M000010Y43')).to.equal(false);
    expect(isValidCreditCode('91110000600037314L')).to.equal(false);
  });

  it('rejects wrong lengths', () => {
    expect(isValidCreditCode('91350100M000100Y4')).to.equal(false);
    expect(isValidCreditCode('91350100M000100Y433')).to.equal(false);
    expect(isValidCreditCode('')).to.equal(false);
  });

  it('rejects the letters I, O, Z, S and V, and any other symbol', () => {
    for (const letter of ['I', 'O', 'Z', 'S', 'V']) {
      expect(isValidCreditCode(`91350100${letter}000100Y43`), letter).to.equal(false);
    }
    expect(isValidCreditCode('91350100M000100Y4-')).to.equal(false);
    expect(isValidCreditCode('91350100M0001 0Y43')).to.equal(false);
  });

  it('refuses to compute a check character for a malformed body', () => {
    expect(() => creditCodeCheckCharacter('9135010')).to.throw();
    expect(() => creditCodeCheckCharacter('91350100O000100Y4')).to.throw(/not allowed/);
  });
});

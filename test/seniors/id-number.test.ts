import { expect } from 'chai';
import { ageOn, idCheckCharacter, parseResidentId } from '../../src/seniors/id-number.ts';

describe('resident ID numbers (GB 11643)', () => {
  it('accepts real-format numbers and derives birth date and gender', () => {
    // 11010519491231002X is the standard's own worked example (check character X).
    expect(parseResidentId('11010519491231002x')).to.deep.equal({ ok: true, id: { idNumber: '11010519491231002X', birthDate: '1949-12-31', gender: 'female' } });
    const base = '34010419450307051';
    expect(parseResidentId(base + idCheckCharacter(base))).to.deep.include({ ok: true });
    expect((parseResidentId(base + idCheckCharacter(base)) as { id: { gender: string } }).id.gender).to.equal('male');
  });

  it('refuses a wrong check character', () => {
    expect(parseResidentId('110105194912310021')).to.deep.equal({ ok: false, problem: 'check_character' });
  });

  it('refuses an impossible birth date even with a matching check character', () => {
    const base = '34010419500230123'; // 30 February
    expect(parseResidentId(base + idCheckCharacter(base))).to.deep.equal({ ok: false, problem: 'birth_date' });
  });

  it('refuses the old 15-digit format with its own reason, and other shapes as format errors', () => {
    expect(parseResidentId('110105491231002')).to.deep.equal({ ok: false, problem: 'old_format' });
    expect(parseResidentId('11010519491231002')).to.deep.equal({ ok: false, problem: 'format' });
    expect(parseResidentId('1101051949123100XX')).to.deep.equal({ ok: false, problem: 'format' });
  });

  it('counts age in completed years, a 29 February birthday ageing on 1 March', () => {
    expect(ageOn('1966-11-22', '2026-11-22')).to.equal(60);
    expect(ageOn('1966-11-23', '2026-11-22')).to.equal(59);
    expect(ageOn('1964-02-29', '2025-02-28')).to.equal(60);
    expect(ageOn('1964-02-29', '2025-03-01')).to.equal(61);
  });
});

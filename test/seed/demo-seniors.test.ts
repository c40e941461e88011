import { expect } from 'chai';
import { generateDemoSeniors, type DemoSenior } from '../../seed/demo-seniors.ts';
import { ageOn, parseResidentId } from '../../src/seniors/id-number.ts';
import { PHONE_PATTERN } from '../../src/shared/pii.ts';

const COMMUNITY_CODES = ['340104001001', '340104001002', '340104002001', '340104003004'];
const TODAY = '2026-11-22';
const ENTERED_CATEGORIES = ['empty_nest', 'three_nos', 'extreme_hardship', 'low_income', 'living_alone', 'disabled'];

const countBy = <K extends string | number>(seniors: DemoSenior[], key: (senior: DemoSenior) => K[]): Map<K, number> => {
  const counts = new Map<K, number>();
  for (const senior of seniors) for (const value of key(senior)) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
};

describe('demo seniors generator', () => {
  const seniors = generateDemoSeniors({ count: 1000, communityCodes: COMMUNITY_CODES, seed: 20261122, today: TODAY });

  it('gives the same people for the same seed, and different people for another seed', () => {
    const again = generateDemoSeniors({ count: 1000, communityCodes: COMMUNITY_CODES, seed: 20261122, today: TODAY });
    const other = generateDemoSeniors({ count: 1000, communityCodes: COMMUNITY_CODES, seed: 7, today: TODAY });

    expect(again).to.deep.equal(seniors);
    expect(other.map((s) => s.idNumber)).not.to.deep.equal(seniors.map((s) => s.idNumber));
    expect(generateDemoSeniors({ count: 0, communityCodes: [], seed: 1, today: TODAY })).to.deep.equal([]);
  });

  it('gives every senior a valid, unique ID number of someone aged 60 to 98 today, its gender matching the name', () => {
    const femaleNames = new Set(['秀英', '桂英', '玉兰', '淑珍', '凤英', '玉珍', '秀珍', '桂兰']);
    for (const senior of seniors) {
      const parsed = parseResidentId(senior.idNumber);
      if (!parsed.ok) expect.fail(`${senior.idNumber}: ${parsed.problem}`);
      const age = ageOn(parsed.id.birthDate, TODAY);
      expect(age, senior.idNumber).to.be.within(60, 98);
      expect(senior.idNumber.slice(0, 2)).to.equal('34');
      if (femaleNames.has(senior.name.slice(1))) expect(parsed.id.gender, senior.name).to.equal('female');
    }
    expect(new Set(seniors.map((s) => s.idNumber)).size).to.equal(seniors.length);
    expect(seniors.filter((s) => s.idNumber.startsWith('340104')).length).to.be.within(500, 700);
  });

  it('spreads ages mostly over the sixties and seventies, with some of 80 and over', () => {
    const ages = seniors.map((s) => ageOn((parseResidentId(s.idNumber) as { ok: true; id: { birthDate: string } }).id.birthDate, TODAY));

    expect(ages.filter((age) => age < 80).length).to.be.within(700, 800);
    expect(ages.filter((age) => age >= 90).length).to.be.within(20, 90);
  });

  it('writes plausible names, mobile phones and Hefei addresses', () => {
    for (const senior of seniors) {
      expect(senior.name).to.match(/^[\u4e00-\u9fff]{3}$/);
      expect(senior.phone).to.match(/^1[3-9]\d{9}$/).and.match(PHONE_PATTERN);
      expect(senior.address).to.match(/^合肥市蜀山区\S+路\d+号\d+栋\d单元\d0\d室$/);
    }
    expect(new Set(seniors.map((s) => s.phone)).size).to.equal(seniors.length);
    expect(new Set(seniors.map((s) => s.name[0])).size).to.be.greaterThan(20);
  });

  it('assigns the communities in turn', () => {
    expect(seniors.slice(0, 5).map((s) => s.communityCode)).to.deep.equal([...COMMUNITY_CODES, COMMUNITY_CODES[0]]);
    expect([...countBy(seniors, (s) => [s.communityCode]).values()]).to.deep.equal([250, 250, 250, 250]);
  });

  it('gives 1 to 3 distinct categories, empty_nest and living_alone common and three_nos rare', () => {
    for (const senior of seniors) {
      expect(senior.categories.length).to.be.within(1, 3);
      expect(new Set(senior.categories).size).to.equal(senior.categories.length);
      for (const category of senior.categories) expect(ENTERED_CATEGORIES).to.include(category);
    }
    const counts = countBy(seniors, (s) => s.categories);
    const threeNos = counts.get('three_nos') ?? 0;

    expect(counts.get('empty_nest')).to.be.greaterThan(300);
    expect(counts.get('living_alone')).to.be.greaterThan(250);
    expect(threeNos).to.be.greaterThan(0).and.lessThan(80);
    for (const category of ENTERED_CATEGORIES.filter((c) => c !== 'three_nos')) expect(counts.get(category), category).to.be.greaterThan(threeNos);
  });

  it('weights care levels to the low end, disabled seniors at level 3 or above', () => {
    const levels = countBy(seniors, (s) => [s.careLevel]);
    const at = (level: number) => levels.get(level) ?? 0;

    for (const senior of seniors) expect(senior.careLevel).to.be.oneOf([0, 1, 2, 3, 4, 5]);
    expect(at(0) + at(1)).to.be.greaterThan(2 * (at(4) + at(5)));
    expect(seniors.reduce((sum, s) => sum + s.careLevel, 0) / seniors.length).to.be.lessThan(2);
    for (const senior of seniors.filter((s) => s.categories.includes('disabled'))) expect(senior.careLevel).to.be.at.least(3);
  });

  it('has everyone in the living_alone category living alone, and only them', () => {
    for (const senior of seniors) {
      expect(senior.livingArrangement === 'alone', senior.categories.join()).to.equal(senior.categories.includes('living_alone'));
    }
    expect(new Set(seniors.map((s) => s.livingArrangement))).to.deep.equal(new Set(['alone', 'with_spouse', 'with_family', 'other']));
  });

  it('gives each senior one emergency contact with another name, a relation and another phone', () => {
    for (const senior of seniors) {
      expect(senior.emergencyContacts).to.have.length(1);
      const [contact] = senior.emergencyContacts;
      expect(contact?.name).to.match(/^[\u4e00-\u9fff]{2,3}$/).and.not.equal(senior.name);
      expect(contact?.relation).to.be.oneOf(['儿子', '女儿', '配偶', '侄子', '邻居']);
      expect(contact?.phone).to.match(/^1[3-9]\d{9}$/).and.not.equal(senior.phone);
      if (contact?.relation === '配偶') expect(senior.livingArrangement).to.equal('with_spouse');
      if (senior.categories.includes('three_nos')) expect(contact?.relation).to.be.oneOf(['侄子', '邻居']);
    }
  });

  it('sets the demo states in the intended shares: 80% active, 8% pending, 5% suspended, 4% deactivated, 3% rejected', () => {
    expect(Object.fromEntries(countBy(seniors, (s) => [s.status]))).to.deep.equal({ active: 800, pending_review: 80, suspended: 50, deactivated: 40, rejected: 30 });
    expect(seniors.slice(0, 100).filter((s) => s.status === 'active').length).to.be.within(65, 95);
    const small = generateDemoSeniors({ count: 60, communityCodes: COMMUNITY_CODES, seed: 1, today: TODAY });
    expect(new Set(small.map((s) => s.status)).size).to.equal(5);
  });

  it('refuses a negative count, no communities or an impossible day', () => {
    expect(() => generateDemoSeniors({ count: -1, communityCodes: COMMUNITY_CODES, seed: 1, today: TODAY })).to.throw(/count/);
    expect(() => generateDemoSeniors({ count: 3, communityCodes: [], seed: 1, today: TODAY })).to.throw(/communityCodes/);
    expect(() => generateDemoSeniors({ count: 3, communityCodes: COMMUNITY_CODES, seed: 1, today: '2026-02-30' })).to.throw(/today/);
  });
});

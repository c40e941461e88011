// Demo seniors: invented people who look like a Hefei community's register — common surnames, given
// names of people born 1930–1965, valid ID numbers (mostly Shushan District, some elsewhere in Anhui),
// mobiles, addresses in 合肥市蜀山区. Deterministic: the same options give the same people.
import { ageOn, idCheckCharacter, isRealDate } from '../src/seniors/id-number.ts';
import { mulberry32 } from './visit-noise.ts';

export type DemoSeniorStatus = 'active' | 'pending_review' | 'suspended' | 'deactivated' | 'rejected';
export type DemoLivingArrangement = 'alone' | 'with_spouse' | 'with_family' | 'other';

export interface DemoSenior {
  name: string;
  idNumber: string;
  phone: string;
  address: string;
  communityCode: string;
  categories: string[];
  careLevel: number;
  livingArrangement: DemoLivingArrangement;
  emergencyContacts: { name: string; relation: string; phone: string }[];
  /** The state the demo loader should bring this senior to after enrolling them. */
  status: DemoSeniorStatus;
}

export interface DemoSeniorOptions {
  count: number;
  communityCodes: string[];
  seed: number;
  /** YYYY-MM-DD: everyone is 60 to 98 years old on this day. */
  today: string;
}

type Weighted<T> = readonly (readonly [T, number])[];

// Frequency-ordered, weights roughly per mille of the population.
const SURNAMES: Weighted<string> = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗'].map((s, i) => [s, [71, 70, 67, 54, 46, 31, 24, 22, 20, 19, 15, 15, 14, 13, 13, 12, 12, 11, 11, 10][i] as number] as const)
  .concat([...'郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏汪方丁储'].map((s) => [s, 5] as const));
const OLDER_GIVEN_NAMES = {
  female: ['秀英', '桂英', '玉兰', '秀兰', '淑珍', '凤英', '玉珍', '秀珍', '桂兰', '玉梅', '素珍', '翠英', '桂珍', '淑英', '春梅', '金凤', '秀芳', '玉英', '兰英', '凤兰', '桂芳', '秀梅', '玉芳', '淑芬', '美兰', '月英', '菊英', '素英', '玉华', '丽华'],
  male: ['建国', '国强', '德明', '建华', '志强', '国华', '卫国', '振华', '德福', '明德', '福林', '志明', '永福', '建军', '保国', '德胜', '春生', '桂林', '有才', '金山', '建平', '国庆', '文华', '明华', '家福', '长林', '志刚', '宝山', '学文', '光明'],
};
// The generation of their children and nephews: born in the 1960s–80s.
const YOUNGER_GIVEN_NAMES = {
  female: ['芳', '娜', '敏', '静', '丽', '艳', '娟', '霞', '红梅', '海燕', '丽娟', '小红', '春燕', '秀云'],
  male: ['伟', '强', '磊', '军', '洋', '勇', '杰', '涛', '明', '超', '刚', '晓东', '建新', '志勇', '海波'],
};
// 340104 is Shushan District; the rest are other Anhui counties people moved to Hefei from.
const REGION_CODES: Weighted<string> = [['340104', 60], ['340103', 8], ['340102', 6], ['340111', 6], ['340123', 6], ['340122', 5], ['340181', 3], ['341502', 3], ['340822', 3]];
const MOBILE_PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '153', '155', '156', '157', '158', '159', '176', '177', '180', '181', '182', '183', '185', '186', '187', '188', '189', '199'];
const ROADS = ['长江西路', '黄山路', '望江西路', '潜山路', '稻香路', '桐城路', '肥西路', '青阳路', '淠河路', '怀宁路', '金寨路', '龙河路', '安庆路', '合作化南路', '西一环路', '史河路'];
// Ages 60–98 by decade band: most registers are in their sixties and seventies.
const AGE_BANDS: Weighted<[number, number]> = [[[60, 69], 40], [[70, 79], 35], [[80, 89], 20], [[90, 98], 5]];
const CATEGORY_WEIGHTS: Weighted<string> = [['empty_nest', 30], ['living_alone', 25], ['low_income', 14], ['disabled', 12], ['extreme_hardship', 9], ['three_nos', 3]];
const CATEGORY_COUNTS: Weighted<number> = [[1, 55], [2, 35], [3, 10]];
const CARE_LEVELS: Weighted<number> = [[0, 34], [1, 28], [2, 20], [3, 10], [4, 5], [5, 3]];
// 失能 (disabled) means a needs assessment found real dependency: the upper care levels.
const DISABLED_CARE_LEVELS: Weighted<number> = [[3, 45], [4, 35], [5, 20]];
const STATUS_SHARES: Weighted<DemoSeniorStatus> = [['pending_review', 8], ['suspended', 5], ['deactivated', 4], ['rejected', 3]];

class Dice {
  constructor(private readonly next: () => number) {}
  int(min: number, max: number): number { return min + Math.floor(this.next() * (max - min + 1)); }
  chance(probability: number): boolean { return this.next() < probability; }
  pick<T>(items: readonly T[]): T { return items[this.int(0, items.length - 1)] as T; }
  digits(length: number): string { return Array.from({ length }, () => String(this.int(0, 9))).join(''); }
  weighted<T>(entries: Weighted<T>): T {
    let roll = this.next() * entries.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return (entries[entries.length - 1] as readonly [T, number])[0];
  }
}

export function generateDemoSeniors(options: DemoSeniorOptions): DemoSenior[] {
  const { count, communityCodes, seed, today } = options;
  if (!Number.isInteger(count) || count < 0) throw new Error(`count must be a whole number ≥ 0, not ${count}`);
  if (count > 0 && communityCodes.length === 0) throw new Error('communityCodes must name at least one community');
  if (!isRealDate(today)) throw new Error(`today must be a real YYYY-MM-DD day, not ${today}`);

  const dice = new Dice(mulberry32(seed));
  const idNumbers = new Set<string>();
  const phones = new Set<string>();
  const statuses = shuffledStatuses(count, dice);
  return statuses.map((status, index) => {
    const gender: Gender = dice.chance(0.55) ? 'female' : 'male';
    const surname = dice.weighted(SURNAMES);
    const name = surname + dice.pick(OLDER_GIVEN_NAMES[gender]);
    const categories = pickCategories(dice);
    const livingArrangement = livingArrangementFor(categories, dice);
    const phone = uniquePhone(dice, phones);
    return {
      name,
      idNumber: uniqueIdNumber(dice, idNumbers, gender, today),
      phone,
      address: `合肥市蜀山区${dice.pick(ROADS)}${dice.int(1, 399)}号${dice.int(1, 24)}栋${dice.int(1, 4)}单元${dice.int(1, 7)}0${dice.int(1, 4)}室`,
      communityCode: communityCodes[index % communityCodes.length] as string,
      categories,
      careLevel: dice.weighted(categories.includes('disabled') ? DISABLED_CARE_LEVELS : CARE_LEVELS),
      livingArrangement,
      emergencyContacts: [emergencyContact({ name, surname, gender, categories, livingArrangement, phone }, dice)],
      status,
    };
  });
}

/** Exact shares (rounded) rather than independent draws, so even a small demo shows every state. */
function shuffledStatuses(count: number, dice: Dice): DemoSeniorStatus[] {
  const statuses: DemoSeniorStatus[] = STATUS_SHARES.flatMap(([status, percent]) => Array<DemoSeniorStatus>(Math.round((count * percent) / 100)).fill(status));
  statuses.splice(count);
  statuses.push(...Array<DemoSeniorStatus>(count - statuses.length).fill('active'));
  for (let i = statuses.length - 1; i > 0; i -= 1) {
    const j = dice.int(0, i);
    [statuses[i], statuses[j]] = [statuses[j] as DemoSeniorStatus, statuses[i] as DemoSeniorStatus];
  }
  return statuses;
}

function uniqueIdNumber(dice: Dice, taken: Set<string>, gender: Gender, today: string): string {
  for (;;) {
    const birthDate = birthDateAged(dice.int(...dice.weighted(AGE_BANDS)), today, dice);
    if (birthDate === undefined) continue;
    // The 17th digit is odd for men and even for women (GB 11643).
    const genderDigit = 2 * dice.int(0, 4) + (gender === 'male' ? 1 : 0);
    const first17 = `${dice.weighted(REGION_CODES)}${birthDate.replaceAll('-', '')}${dice.digits(2)}${genderDigit}`;
    const idNumber = first17 + idCheckCharacter(first17);
    if (taken.has(idNumber)) continue;
    taken.add(idNumber);
    return idNumber;
  }
}

/** A birth date making the person exactly `age` on `today`, or undefined to draw again. */
function birthDateAged(age: number, today: string, dice: Dice): string | undefined {
  const latest = Date.UTC(Number(today.slice(0, 4)) - age, Number(today.slice(5, 7)) - 1, Number(today.slice(8, 10)));
  const birthDate = new Date(latest - dice.int(0, 364) * 86_400_000).toISOString().slice(0, 10);
  return ageOn(birthDate, today) === age ? birthDate : undefined;
}

function uniquePhone(dice: Dice, taken: Set<string>): string {
  for (;;) {
    const phone = dice.pick(MOBILE_PREFIXES) + dice.digits(8);
    if (taken.has(phone)) continue;
    taken.add(phone);
    return phone;
  }
}

function pickCategories(dice: Dice): string[] {
  const wanted = dice.weighted(CATEGORY_COUNTS);
  const chosen: string[] = [];
  while (chosen.length < wanted) {
    const category = dice.weighted(CATEGORY_WEIGHTS.filter(([code]) => !chosen.includes(code)));
    chosen.push(category);
  }
  return chosen;
}

function livingArrangementFor(categories: string[], dice: Dice): DemoLivingArrangement {
  if (categories.includes('living_alone')) return 'alone';
  // 空巢: no children at home — with a spouse, or in some other arrangement.
  if (categories.includes('empty_nest')) return dice.chance(0.8) ? 'with_spouse' : 'other';
  return dice.weighted([['with_family', 50], ['with_spouse', 35], ['other', 15]]);
}

type Gender = 'female' | 'male';
type ContactContext = Pick<DemoSenior, 'name' | 'categories' | 'livingArrangement' | 'phone'> & { surname: string; gender: Gender };

function emergencyContact(senior: ContactContext, dice: Dice): { name: string; relation: string; phone: string } {
  // 三无 means no children or other legal supporter: a nephew or a neighbour answers instead.
  const relation = senior.categories.includes('three_nos')
    ? dice.pick(['侄子', '邻居'])
    : senior.livingArrangement === 'with_spouse' && dice.chance(0.4)
      ? '配偶'
      : dice.weighted([['儿子', 40], ['女儿', 35], ['侄子', 10], ['邻居', 15]] as const);
  const gender: Gender = relation === '配偶' ? (senior.gender === 'male' ? 'female' : 'male')
    : relation === '女儿' ? 'female' : relation === '邻居' ? dice.pick(['female', 'male'] as const) : 'male';
  // Children and nephews carry the father's surname: the senior's own when the senior is a man.
  const isSameFamilyLine = senior.gender === 'male' && ['儿子', '女儿', '侄子'].includes(relation);
  let name = senior.name;
  while (name === senior.name) {
    const surname = isSameFamilyLine ? senior.surname : dice.weighted(SURNAMES);
    name = surname + dice.pick(relation === '配偶' ? OLDER_GIVEN_NAMES[gender] : YOUNGER_GIVEN_NAMES[gender]);
  }
  let phone = senior.phone;
  while (phone === senior.phone) phone = dice.pick(MOBILE_PREFIXES) + dice.digits(8);
  return { name, relation, phone };
}

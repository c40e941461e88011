import { ENTERABLE_CATEGORIES, LIVING_ARRANGEMENTS } from '../senior.model.ts';
import type { RegisterFields } from './register-columns.ts';

/**
 * The import-specific mappings of one register row to the enrolment shape: category and
 * living-arrangement names as offices write them, the care level as text. Names, ID numbers,
 * phones, addresses and community codes pass through untouched — enrolment validates those
 * exactly as it does for a single senior, so an import can never be looser than the form.
 */
export type EnteredCategory = (typeof ENTERABLE_CATEGORIES)[number];
export type LivingArrangement = (typeof LIVING_ARRANGEMENTS)[number];

export interface ParsedRegisterRow {
  name: string;
  idNumber: string;
  phone: string;
  address: string;
  communityCode: string;
  categories: EnteredCategory[];
  careLevel: number;
  livingArrangement: LivingArrangement;
  emergencyContacts: { name: string; relation: string; phone: string }[];
}

export interface RegisterFieldError {
  path: string;
  message: { zh: string; en: string };
}

export type RegisterFieldsResult = { ok: true; value: ParsedRegisterRow } | { ok: false; errors: RegisterFieldError[] };

const CATEGORY_NAMES: Record<EnteredCategory, string> = {
  empty_nest: '空巢',
  three_nos: '三无',
  extreme_hardship: '特困',
  low_income: '低保',
  living_alone: '独居',
  disabled: '失能',
};

const LIVING_ARRANGEMENT_NAMES: Record<LivingArrangement, string> = {
  alone: '独居',
  with_spouse: '与配偶同住',
  with_family: '与子女同住',
  other: '其他',
};

/** A register has no relation column; the one contact it names is recorded as such. */
export const REGISTER_CONTACT_RELATION = '紧急联系人';

// 、 and ; ； , ， are the separators API.md names; spaces are accepted as well since neither the
// names nor the codes contain any.
const CATEGORY_SEPARATORS = /[、;；,，\s]+/;
const DERIVED_CATEGORY = new Set(['高龄', 'advanced_age']);

const byName = <T extends string>(names: Record<T, string>): Map<string, T> =>
  new Map((Object.entries(names) as [T, string][]).flatMap(([code, name]) => [[name, code], [code, code]]));
const CATEGORY_BY_NAME = byName(CATEGORY_NAMES);
const LIVING_ARRANGEMENT_BY_NAME = byName(LIVING_ARRANGEMENT_NAMES);

export function parseRegisterFields(fields: RegisterFields): RegisterFieldsResult {
  const errors: RegisterFieldError[] = [];
  const categories = parseCategories(fields.categories, errors);
  const careLevel = parseCareLevel(fields.careLevel, errors);
  const livingArrangement = parseLivingArrangement(fields.livingArrangement, errors);
  if (errors.length > 0 || careLevel === undefined || livingArrangement === undefined) return { ok: false, errors };

  const contactName = fields.emergencyContactName.trim();
  const contactPhone = fields.emergencyContactPhone.trim();
  return {
    ok: true,
    value: {
      name: fields.name.trim(),
      idNumber: fields.idNumber.trim(),
      phone: fields.phone.trim(),
      address: fields.address.trim(),
      communityCode: fields.communityCode.trim(),
      categories,
      careLevel,
      livingArrangement,
      // Half a contact (a name without a phone) still goes through, so enrolment names what is missing.
      emergencyContacts: contactName || contactPhone ? [{ name: contactName, relation: REGISTER_CONTACT_RELATION, phone: contactPhone }] : [],
    },
  };
}

function parseCategories(raw: string, errors: RegisterFieldError[]): EnteredCategory[] {
  const tokens = raw.split(CATEGORY_SEPARATORS).filter((token) => token !== '');
  const allowed = { zh: Object.values(CATEGORY_NAMES).join('、'), en: ENTERABLE_CATEGORIES.join(', ') };
  if (tokens.length === 0) {
    errors.push({ path: 'categories', message: { zh: `请至少填写一个类别（${allowed.zh}）`, en: `Enter at least one category (${allowed.en})` } });
    return [];
  }
  const categories = new Set<EnteredCategory>();
  for (const token of tokens) {
    const category = CATEGORY_BY_NAME.get(token) ?? CATEGORY_BY_NAME.get(token.toLowerCase());
    if (category) {
      categories.add(category);
    } else if (DERIVED_CATEGORY.has(token) || DERIVED_CATEGORY.has(token.toLowerCase())) {
      errors.push({
        path: 'categories',
        message: { zh: `“${token}”由系统按年龄（80 周岁及以上）自动认定，不能填写`, en: `"${token}" is derived from the age (80 or older), not entered` },
      });
    } else {
      errors.push({ path: 'categories', message: { zh: `未知的类别“${token}”（可填：${allowed.zh}）`, en: `Unknown category "${token}" (allowed: ${allowed.en})` } });
    }
  }
  return [...categories];
}

function parseCareLevel(raw: string, errors: RegisterFieldError[]): number | undefined {
  // Full-width digits (３) and a trailing 级 ("3级") are how levels are often typed in Chinese.
  const text = toHalfWidthDigits(raw.trim()).replace(/级$/, '');
  const match = /^([0-9]+)(\.0+)?$/.exec(text);
  const level = match ? Number(match[1]) : Number.NaN;
  if (Number.isInteger(level) && level >= 0 && level <= 5) return level;
  errors.push({
    path: 'careLevel',
    message: raw.trim() === ''
      ? { zh: '请填写照护等级（0–5 的整数）', en: 'Enter the care level (a whole number 0-5)' }
      : { zh: `照护等级“${raw.trim()}”无效，应为 0–5 的整数`, en: `Care level "${raw.trim()}" is not a whole number from 0 to 5` },
  });
  return undefined;
}

function parseLivingArrangement(raw: string, errors: RegisterFieldError[]): LivingArrangement | undefined {
  const text = raw.trim();
  const arrangement = LIVING_ARRANGEMENT_BY_NAME.get(text) ?? LIVING_ARRANGEMENT_BY_NAME.get(text.toLowerCase());
  if (arrangement) return arrangement;
  const allowed = { zh: Object.values(LIVING_ARRANGEMENT_NAMES).join('、'), en: LIVING_ARRANGEMENTS.join(', ') };
  errors.push({
    path: 'livingArrangement',
    message: text === ''
      ? { zh: `请填写居住情况（${allowed.zh}）`, en: `Enter the living arrangement (${allowed.en})` }
      : { zh: `居住情况“${text}”无效（可填：${allowed.zh}）`, en: `Living arrangement "${text}" is not one of ${allowed.en}` },
  });
  return undefined;
}

const toHalfWidthDigits = (text: string): string => text.replace(/[０-９]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0xfee0));

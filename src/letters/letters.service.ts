import type { Config } from '../config/env.ts';
import { visitsForLetters, type VisitForLetter } from '../dispatch/index.ts';
import { getProvider, listServiceTypes, type CommunityView } from '../organisation/index.ts';
import { activeSeniorsForLetters, type SeniorForLetter } from '../seniors/index.ts';
import { businessDay } from '../shared/time.ts';
import { policyForMonth, voucherMonthStatements, type VoucherPolicy } from '../vouchers/index.ts';
import { drawEmptyCommunityPage, drawLetterPage, type LetterPage, type LetterSetting } from './letter.pdf.ts';
import { newDocument } from './pdf-document.ts';

/** One senior's letter: the page as printed, and whom its SMS goes to. */
export interface SeniorLetter {
  senior: SeniorForLetter;
  page: LetterPage;
}

export interface CommunityLetters {
  pdf: Buffer;
  /** One per active senior (a community without any gets one page saying so). */
  pages: number;
  letters: SeniorLetter[];
}

/** Seniors read per page of the register: the statements and visits of a page are one read each. */
const SENIORS_PER_READ = 100;

/**
 * The community's letters of `month`: one A4 page per active senior, from bounded reads per page
 * of SENIORS_PER_READ seniors — the page of the register (a keyset walk of (communityId, _id)),
 * their voucher statements (accounts by key, the entries since the month began by seniorId), their
 * visits confirmed in the month (by seniorId and confirmedMonth) — plus the service types (one
 * small collection) and each provider named once (by key). Nothing reads the district.
 */
export async function buildCommunityLetters(community: CommunityView, month: string, config: Config, now: Date = new Date()): Promise<CommunityLetters> {
  const setting = letterSetting(community, month, config, await policyForMonth(month), now);
  const name = await visitNames();
  const { doc, finish } = newDocument(`居家养老服务券月度告知书 ${community.name} ${setting.monthText}`);
  const letters: SeniorLetter[] = [];
  let afterId: string | null = null;
  for (;;) {
    const seniors = await activeSeniorsForLetters(community.id, afterId, SENIORS_PER_READ, config.pii);
    if (seniors.length === 0) break;
    const ids = seniors.map((senior) => senior.seniorId);
    const [statements, visits] = await Promise.all([voucherMonthStatements(ids, month, config.businessTimeZone), visitsForLetters(ids, month)]);
    const visitsBySenior = new Map<string, VisitForLetter[]>();
    for (const visit of visits) visitsBySenior.set(visit.seniorId, [...(visitsBySenior.get(visit.seniorId) ?? []), visit]);
    for (const senior of seniors) {
      const page: LetterPage = {
        seniorName: senior.name,
        phoneMasked: senior.phoneMasked,
        statement: statements.get(senior.seniorId) as NonNullable<ReturnType<typeof statements.get>>,
        visits: await Promise.all((visitsBySenior.get(senior.seniorId) ?? []).map((visit) => name(visit, config.businessTimeZone))),
      };
      drawLetterPage(doc, page, setting);
      letters.push({ senior, page });
    }
    if (seniors.length < SENIORS_PER_READ) break;
    afterId = ids.at(-1) as string;
  }
  if (letters.length === 0) drawEmptyCommunityPage(doc, setting);
  return { pdf: await finish(), pages: Math.max(1, letters.length), letters };
}

/** 2026年11月 */
export const monthText = (month: string) => `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`;

function letterSetting(community: CommunityView, month: string, config: Config, policy: VoucherPolicy | null, now: Date): LetterSetting {
  return { monthText: monthText(month), communityName: community.name, hotline: config.serviceHotline, expiryRule: expiryRuleText(policy), madeOn: businessDay(now, config.businessTimeZone) };
}

/** The policy's expiry rule in the words of the letter (policy.model.ts: end_of_month or rollover). */
export function expiryRuleText(policy: VoucherPolicy | null): string {
  if (!policy) return '本月没有生效的服务券政策。';
  if (policy.expiry.mode === 'rollover') {
    return `服务券按月发放，没有用完的额度可以再用 ${policy.expiry.rolloverMonths ?? 0} 个月，之后自动失效；服务券只能用于上门服务，不能兑换现金、不能转让。`;
  }
  return '服务券按月发放，当月有效：月底没有用完的额度自动失效，不能留到下个月；服务券只能用于上门服务，不能兑换现金、不能转让。';
}

/** A visit in words: its day, the service's and the provider's names (each provider read once per build). */
async function visitNames(): Promise<(visit: VisitForLetter, timeZone: string) => Promise<LetterPage['visits'][number]>> {
  const services = new Map((await listServiceTypes()).map((type) => [type.code, type.name]));
  const providers = new Map<string, Promise<string>>();
  const providerName = (id: string | null) => {
    if (!id) return Promise.resolve('—');
    if (!providers.has(id)) providers.set(id, getProvider(id).then((provider) => provider?.name ?? '—'));
    return providers.get(id) as Promise<string>;
  };
  return async (visit, timeZone) => {
    const day = businessDay(visit.at, timeZone);
    return {
      day: `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`, service: services.get(visit.serviceTypeCode) ?? visit.serviceTypeCode,
      provider: await providerName(visit.providerId), subsidyFen: visit.subsidyFen, selfPayFen: visit.selfPayFen, isDisputed: visit.isDisputed,
    };
  };
}

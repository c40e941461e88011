import type { Config } from '../src/config/env.ts';
import { ensureUser } from '../src/identity/index.ts';
import {
  creditCodeCheckCharacter, ensureProviderBankAccount, upsertCaregiver, upsertCommunity, upsertContract, upsertProvider, upsertServiceType, upsertStreet,
} from '../src/organisation/index.ts';
import { CURRENT_PRIVACY_NOTICE_VERSION, enrolSenior, enrolledIdNumberHmacs, transitionSenior, type SeniorContext } from '../src/seniors/index.ts';
import { hmacPii } from '../src/shared/pii.ts';
import { DomainError } from '../src/shared/errors.ts';
import type { Actor, Role } from '../src/shared/roles.ts';
import { SYSTEM_ACTOR_ID } from '../src/shared/roles.ts';
import { generateDemoSeniors, type DemoSenior } from './demo-seniors.ts';
import { ensureDemoDay, seedDemoOrders } from './demo-orders.ts';
import { seedDemoSettlement, seedPreviousMonthVisits } from './demo-settlement.ts';
import { createVoucherPolicy, createVoucherPolicyBody, isIssuanceComplete, issueMonth, policyForMonth } from '../src/vouchers/index.ts';
import { parseInput } from '../src/shared/http/validate.ts';
import { addMonths, businessMonth } from '../src/shared/time.ts';
import { DEMO_PASSWORD, demoVoucherPolicy, demoCaregivers, demoCommunities, demoProviders, demoServiceTypes, demoStreets, demoUsers } from './demo-district.ts';

export interface DemoLogin {
  username: string;
  password: string;
  role: Role;
  displayName: string;
}

// Demo contracts run through 2027 so a demo started any day of the next year still dispatches.
const CONTRACT_PERIOD = { validFrom: '2026-01-01', validTo: '2027-12-31' };
// Starlight centres are community-run and subsidised in kind: their contract prices are lower.
const STARLIGHT_PRICE_PERCENT = 80;

/**
 * Loads the demo district. Every step is an upsert by natural key (codes, credit codes, usernames),
 * so it runs on every start and creates only what is missing.
 */
export async function seedDemoDistrict(config: Config): Promise<DemoLogin[]> {
  const streetIds = new Map<string, string>();
  for (const street of demoStreets) streetIds.set(street.code, (await upsertStreet(street)).id);

  const communityIds = new Map<string, string>();
  for (const { streetCode, ...community } of demoCommunities) {
    communityIds.set(community.code, (await upsertCommunity({ ...community, streetId: streetIds.get(streetCode) as string })).id);
  }

  const prices = new Map<string, number>();
  for (const { unitPriceFen, ...serviceType } of demoServiceTypes) {
    await upsertServiceType(serviceType);
    prices.set(serviceType.code, unitPriceFen);
  }

  const providerIds = new Map<string, string>();
  for (const [index, { key, creditCodeBase, communityCodes, services, ...provider }] of demoProviders.entries()) {
    const covered = communityCodes.map((code) => communityIds.get(code) as string);
    const created = await upsertProvider({ ...provider, creditCode: creditCodeBase + creditCodeCheckCharacter(creditCodeBase), communityIds: covered, status: 'active' });
    providerIds.set(key, created.id);
    // Made-up payee accounts, so the demo's batch payment file can be downloaded once a month is approved.
    await ensureProviderBankAccount(config.pii, created.id, { accountName: provider.name, accountNo: `62220213020000${String(1001 + index)}`, bankName: '中国工商银行合肥蜀山支行', bankBranchCode: `102361003${String(101 + index)}` });
    const percent = provider.kind === 'starlight_center' ? STARLIGHT_PRICE_PERCENT : 100;
    await upsertContract({
      providerId: created.id,
      ...CONTRACT_PERIOD,
      communityIds: covered,
      prices: services.map((code) => ({ serviceTypeCode: code, unitPriceFen: Math.round(((prices.get(code) as number) * percent) / 100) })),
    });
  }

  const caregiverIds = new Map<string, string>();
  for (const { providerKey, skills, ...caregiver } of demoCaregivers) {
    const created = await upsertCaregiver(config.pii, { providerId: providerIds.get(providerKey) as string, skills: [...skills], ...caregiver });
    caregiverIds.set(`${providerKey}:${caregiver.name}`, created.id);
  }

  const logins: DemoLogin[] = [];
  let adminId = '';
  for (const user of demoUsers) {
    const scope = {
      streetId: 'streetCode' in user ? streetIds.get(user.streetCode) : undefined,
      communityIds: 'communityCodes' in user ? user.communityCodes.map((code) => communityIds.get(code) as string) : undefined,
      providerId: 'providerKey' in user ? providerIds.get(user.providerKey) : undefined,
      caregiverId: 'caregiverName' in user ? caregiverIds.get(`${user.providerKey}:${user.caregiverName}`) : undefined,
    };
    const created = await ensureUser({ username: user.username, password: DEMO_PASSWORD, displayName: user.displayName, role: user.role, ...scope });
    if (user.role === 'admin') adminId = created.id;
    logins.push({ username: user.username, password: DEMO_PASSWORD, role: user.role, displayName: user.displayName });
  }
  await seedDemoPolicy(adminId);
  await seedDemoSeniors(config, communityIds, adminId);
  const caregiversByProvider = new Map<string, { caregiverId: string; skills: readonly string[] }[]>();
  for (const caregiver of demoCaregivers) {
    const providerId = providerIds.get(caregiver.providerKey) as string;
    const list = caregiversByProvider.get(providerId) ?? [];
    list.push({ caregiverId: caregiverIds.get(`${caregiver.providerKey}:${caregiver.name}`) as string, skills: caregiver.skills });
    caregiversByProvider.set(providerId, list);
  }
  // The previous and the current month, so the demo shows balances and a lapse (idempotent); the
  // previous month's visits are made in between, while that month's vouchers are still there.
  // A month whose run completed is not streamed again on every start (re-running would change nothing).
  const thisMonth = businessMonth(new Date(), config.businessTimeZone);
  const lastMonth = addMonths(thisMonth, -1);
  if (!(await isIssuanceComplete(lastMonth))) await issueMonth(lastMonth, SYSTEM_ACTOR_ID);
  await seedPreviousMonthVisits(config, lastMonth, caregiversByProvider);
  if (!(await isIssuanceComplete(thisMonth))) await issueMonth(thisMonth, SYSTEM_ACTOR_ID);
  await seedDemoOrders(config, caregiversByProvider);
  await ensureDemoDay(config, providerIds.get('anxin') as string, caregiverIds.get('anxin:李桂英') as string);
  await seedDemoSettlement(config);
  return logins;
}

async function seedDemoPolicy(adminId: string): Promise<void> {
  if (await policyForMonth(demoVoucherPolicy.effectiveFrom)) return;
  const actor: Actor = { id: adminId, role: 'admin', communityIds: [], streetId: null, providerId: null, caregiverId: null };
  await createVoucherPolicy({ actor, requestId: null, lang: 'zh' }, parseInput(createVoucherPolicyBody, demoVoucherPolicy, 'zh'));
}

export const DEMO_SENIOR_COUNT = 300;
// A fixed day keeps the generated people identical on every start (so the seed stays idempotent);
// everyone is at least 60 on it and only gets older.
const DEMO_SENIORS_AS_OF = '2026-01-01';

/**
 * Enrols the demo seniors (as 'system') and brings each newly enrolled one to its demo status with
 * the demo admin as the second pair of eyes. Seniors already there are left as they are.
 */
async function seedDemoSeniors(config: Config, communityIds: Map<string, string>, approverId: string): Promise<void> {
  const actorOf = (id: string): Actor => ({ id, role: 'admin', communityIds: [], streetId: null, providerId: null, caregiverId: null });
  // Enrolled and approved on the 1st of the previous month, so the demo's previous-month visits were
  // made to seniors who were active then (settlement checks that against each senior's status log).
  const enrolledOn = new Date(`${addMonths(businessMonth(new Date(), config.businessTimeZone), -1)}-01T08:00:00+08:00`);
  const enroller: SeniorContext = { actor: actorOf(SYSTEM_ACTOR_ID), config, requestId: null, lang: 'zh', now: enrolledOn };
  const approver: SeniorContext = { ...enroller, actor: actorOf(approverId) };
  const seniors = generateDemoSeniors({ count: DEMO_SENIOR_COUNT, communityCodes: [...communityIds.keys()], seed: 20260101, today: DEMO_SENIORS_AS_OF });
  // One pass over the registry instead of a failed enrolment per senior on every later start.
  const enrolled = await enrolledIdNumberHmacs();
  for (const senior of seniors) {
    if (enrolled.has(hmacPii(config.pii, senior.idNumber))) continue;
    const id = await enrolDemoSenior(senior, communityIds, enroller);
    if (id) await bringToStatus(id, senior.status, approver);
  }
}

async function enrolDemoSenior(senior: DemoSenior, communityIds: Map<string, string>, ctx: SeniorContext): Promise<string | null> {
  const { communityCode, status: _status, ...fields } = senior;
  try {
    // The demo's seniors stand for a register held under the programme's statutory duty, as an import would record them.
    return (await enrolSenior({ ...fields, communityId: communityIds.get(communityCode), privacyNotice: { version: CURRENT_PRIVACY_NOTICE_VERSION, basis: 'public_duty', givenAt: ctx.now?.toISOString() } }, ctx)).id;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'DUPLICATE_SENIOR') return null;
    throw error;
  }
}

async function bringToStatus(id: string, status: DemoSenior['status'], ctx: SeniorContext): Promise<void> {
  if (status === 'pending_review') return;
  if (status === 'rejected') {
    await transitionSenior(id, { action: 'reject', reason: '材料不全，请补充低保证明' }, ctx);
    return;
  }
  await transitionSenior(id, { action: 'approve' }, ctx);
  if (status === 'suspended') await transitionSenior(id, { action: 'suspend', reason: '住院治疗' }, ctx);
  if (status === 'deactivated') await transitionSenior(id, { action: 'deactivate', reason: 'moved_out', effectiveDate: DEMO_SENIORS_AS_OF }, ctx);
}

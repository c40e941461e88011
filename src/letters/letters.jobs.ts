import { z } from 'zod';
import { enqueueNotifications, nextSendableAt, type NotificationInput } from '../notifications/index.ts';
import { allCommunities } from '../organisation/index.ts';
import type { JobDefinition } from '../shared/job-definition.ts';
import { addMonths, businessMonth } from '../shared/time.ts';
import { isIssuanceComplete, policyForMonth } from '../vouchers/index.ts';
import { letterSms } from './letter-sms.ts';
import { buildCommunityLetters } from './letters.service.ts';
import { completeLetterSet, completedCommunities, isLetterMonthDone, markLetterMonthDone, storeLetterPdf } from './letters.store.ts';

/**
 * Test seam: lets a test stop the run as a crash would, after a community's PDF is stored and its
 * SMS enqueued but before the community is marked complete.
 */
export const letterFaults = {
  beforeComplete: null as null | ((communityId: string) => void),
};

export interface LetterRunCounts {
  communities: number;
  made: number;
  /** Communities completed by an earlier run: not made again. */
  skipped: number;
  pages: number;
  smsEnqueued: number;
  /** Seniors without a mobile of their own or of an emergency contact: their letter is on paper only. */
  smsUnreachable: number;
}

/**
 * Makes month M's letters of every community: the PDF stored (letters.store.ts) and the summary
 * enqueued as an SMS per active senior (one per senior and month, by the dedupe key). Resumable:
 * a community is complete only once both are done, so a rerun skips the complete ones and redoes
 * the one a crash cut (its PDF rewritten under the same keys, its SMS found already enqueued).
 */
export async function makeMonthlyLetters(month: string, options: { config: Parameters<typeof buildCommunityLetters>[2]; runId?: string | null; signal?: AbortSignal; now?: Date }): Promise<LetterRunCounts> {
  const now = options.now ?? new Date();
  const communities = await allCommunities();
  const done = await completedCommunities(month);
  // The SMS waits out quiet hours (SMS_QUIET_HOURS): the scheduled 06:00 run's go at 08:00.
  const sendAt = nextSendableAt(now, { ...options.config.sms.quietHours, timeZone: options.config.businessTimeZone });
  const counts: LetterRunCounts = { communities: communities.length, made: 0, skipped: 0, pages: 0, smsEnqueued: 0, smsUnreachable: 0 };
  for (const community of communities) {
    if (options.signal?.aborted) return counts;
    if (done.has(community.id)) {
      counts.skipped += 1;
      continue;
    }
    const built = await buildCommunityLetters(community, month, options.config, now);
    await storeLetterPdf(month, community.id, built.pdf, built.pages, options.runId ?? null);
    const messages = built.letters.map((letter) => letterSms(letter, month, community.id, sendAt));
    const enqueued = await enqueueNotifications(messages.filter((message): message is NotificationInput => message !== null), options.config.pii, now);
    letterFaults.beforeComplete?.(community.id);
    await completeLetterSet(month, community.id, enqueued, now);
    counts.made += 1;
    counts.pages += built.pages;
    counts.smsEnqueued += enqueued;
    counts.smsUnreachable += messages.filter((message) => message === null).length;
  }
  await markLetterMonthDone(month, communities.length, now);
  return counts;
}

/**
 * The 2nd of the month, 06:00 Asia/Shanghai: the previous month's letters — after the 1st's
 * expiry and issuance runs, so the month-end lapse is in the ledger, and in time for the
 * community workers to print and deliver them that day. On start, a previous month not done is
 * made (or finished) once.
 */
export const monthlyLettersJob: JobDefinition<{ month: string }> = {
  name: 'monthly-letters',
  description: '生成上个月每个社区的居家养老服务券月度告知书（PDF），并向老人或家属发送摘要短信（每月 2 日 06:00）',
  schedule: '0 0 6 2 * *',
  params: z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/) }).strict(),
  paramsForTick: (at, config) => ({ month: addMonths(businessMonth(at, config.businessTimeZone), -1) }),
  leaseMs: 10 * 60_000,
  async catchUp(now, config) {
    const current = businessMonth(now, config.businessTimeZone);
    const month = addMonths(current, -1);
    // Not before this month's issuance has lapsed what the previous month left (vouchers.jobs.ts).
    if ((await isLetterMonthDone(month)) || !(await policyForMonth(month)) || !(await isIssuanceComplete(current))) return null;
    return { key: `monthly-letters:${month}`, params: { month } };
  },
  async run({ month }, { config, runId, signal }) {
    return { ...(await makeMonthlyLetters(month, { config, runId, signal })) };
  },
};

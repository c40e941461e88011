import type { Config } from '../config/env.ts';
import { enqueueNotification } from '../notifications/index.ts';
import { addDaysToDay, addMonthsToDay, businessDay } from '../shared/time.ts';
import { SeniorModel } from './senior.model.ts';
import { REASSESSMENT_NOTICE_DAYS } from './seniors.query.ts';
import { ASSESSMENT_VALID_MONTHS } from './senior.view.ts';

/**
 * Tells each community's staff of its active seniors whose needs assessment runs out within
 * REASSESSMENT_NOTICE_DAYS (or has run out): the same seniors as the community's re-assessment
 * list (GET /seniors?assessmentDue=true), one staff message per senior and assessment — the dedupe
 * key carries the assessment day, so every run reminds once and a new assessment reminds again a
 * year later. The care-level supplement stops by itself (entitlement.ts) when the assessment lapses.
 * A nightly job reads the due seniors only (assessedAt is a range: the engine scans, once a day).
 */
export async function remindReassessments(config: Config, now: Date = new Date(), signal?: AbortSignal): Promise<{ due: number; reminded: number }> {
  const today = businessDay(now, config.businessTimeZone);
  const dueBy = addMonthsToDay(addDaysToDay(today, REASSESSMENT_NOTICE_DAYS), -ASSESSMENT_VALID_MONTHS);
  let [due, reminded] = [0, 0];
  const seniors = SeniorModel.find({ status: 'active', assessedAt: { $lte: dueBy } }, { communityId: 1, assessedAt: 1, careLevel: 1 }).lean().cursor({ batchSize: 500 });
  for await (const senior of seniors) {
    if (signal?.aborted) break;
    due += 1;
    const seniorId = String(senior._id);
    const validUntil = addMonthsToDay(senior.assessedAt, ASSESSMENT_VALID_MONTHS);
    const notification = await enqueueNotification({
      dedupeKey: `reassessment:${seniorId}:${senior.assessedAt}`,
      channel: 'staff_message',
      recipient: { kind: 'community_staff', communityId: senior.communityId },
      template: 'reassessment_due',
      params: { seniorId, assessmentValidUntil: validUntil, careLevel: String(senior.careLevel) },
      subject: { type: 'senior', id: seniorId },
    }, config.pii, now);
    if (notification.createdAt.getTime() === now.getTime()) reminded += 1;
  }
  return { due, reminded };
}

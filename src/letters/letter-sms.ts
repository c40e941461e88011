import type { NotificationInput } from '../notifications/index.ts';
import { yuanText } from '../shared/money.ts';
import { maskName } from '../shared/pii.ts';
import type { SeniorLetter } from './letters.service.ts';

/**
 * The letter's summary as an SMS, approved-template style: fixed text, figures as parameters.
 * No parameter carries a phone or an ID number (the outbox refuses them anyway); to a family member
 * the senior is named masked (王*英), as the outbox lists and logs parameters in clear. The texts
 * are what is filed with the SMS provider for approval (README, "Letters and cards").
 */
export const LETTER_SMS_TEMPLATES = {
  monthly_letter: '您{month}的居家养老服务券：发放{issuedYuan}元，使用{usedYuan}元（上门服务{visitCount}次），调整{adjustedYuan}元，月底失效{lapsedYuan}元，月末余额{balanceYuan}元。纸质告知书由社区送达，如有疑问请联系社区或拨打12345。',
  monthly_letter_family: '您的家人{seniorName}{month}的居家养老服务券：发放{issuedYuan}元，使用{usedYuan}元（上门服务{visitCount}次），调整{adjustedYuan}元，月底失效{lapsedYuan}元，月末余额{balanceYuan}元。纸质告知书由社区送达，如有疑问请联系社区或拨打12345。',
} as const;

/**
 * One SMS per senior and month (the dedupe key), or null when nobody has a mobile to text. It is
 * kept back in quiet hours like a visit question (`quietHours`): due no earlier than `sendAt`, the
 * end of the quiet hours the run falls in (the job's 06:00 tick → 08:00), and a retry that would
 * fall in the night waits for the morning too.
 */
export function letterSms(letter: SeniorLetter, month: string, communityId: string, sendAt: Date): NotificationInput | null {
  const { senior, page } = letter;
  if (!senior.textTo) return null;
  const { statement } = page;
  const params: Record<string, string> = {
    month: `${Number(month.slice(5, 7))}月`,
    issuedYuan: yuanText(statement.issuedFen),
    usedYuan: yuanText(statement.usedFen),
    visitCount: String(page.visits.length),
    adjustedYuan: signedYuan(statement.adjustedFen + statement.refundedFen),
    lapsedYuan: yuanText(statement.lapsedFen),
    balanceYuan: yuanText(statement.closingFen),
  };
  const isFamily = senior.textTo.kind === 'emergency_contact';
  return {
    dedupeKey: `monthly-letter:${month}:${senior.seniorId}`,
    channel: 'sms',
    recipient: { kind: senior.textTo.kind, name: senior.textTo.name, phone: senior.textTo.phone, communityId },
    template: isFamily ? 'monthly_letter_family' : 'monthly_letter',
    params: isFamily ? { seniorName: maskName(senior.name), ...params } : params,
    subject: { type: 'senior', id: senior.seniorId },
    notBefore: sendAt,
    quietHours: true,
  };
}

const signedYuan = (fen: number) => (fen > 0 ? `+${yuanText(fen)}` : yuanText(fen));

export { lettersRouter } from './letters.routes.ts';
export { monthlyLettersJob, makeMonthlyLetters, type LetterRunCounts } from './letters.jobs.ts';
export { buildCommunityLetters } from './letters.service.ts';
export { LETTER_SMS_TEMPLATES } from './letter-sms.ts';

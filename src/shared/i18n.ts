import type { ErrorCode } from './errors.ts';

export type Language = 'zh' | 'en';

const BILINGUAL_PREFIX = 'i18n:';

/**
 * A message in both languages: a refinement's (zod keeps one string per issue) or a DomainError
 * detail's. The pair travels encoded and is picked when the error is formatted for the caller's
 * language (Chinese unless the client asks for English first).
 */
export function bilingual(zh: string, en: string): string {
  return BILINGUAL_PREFIX + JSON.stringify({ zh, en });
}

export function localise(message: string, lang: Language): string {
  if (!message.startsWith(BILINGUAL_PREFIX)) return message;
  const pair = JSON.parse(message.slice(BILINGUAL_PREFIX.length)) as Record<Language, string>;
  return pair[lang];
}

/** Chinese is the default; English only when the client's first preference is English. */
export function languageOf(acceptLanguage: string | undefined): Language {
  const first = acceptLanguage?.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'zh';
}

export const ERROR_MESSAGES: Record<ErrorCode, Record<Language, string>> = {
  VALIDATION_FAILED: { zh: '请求参数校验失败', en: 'The request is not valid' },
  UNAUTHENTICATED: { zh: '未登录或登录已过期', en: 'Authentication is required' },
  INVALID_CREDENTIALS: { zh: '用户名或密码错误', en: 'Wrong username or password' },
  TOKEN_REUSED: { zh: '刷新令牌已被使用，请重新登录', en: 'This refresh token was already used; sign in again' },
  FORBIDDEN: { zh: '当前角色无权执行此操作', en: 'Your role may not do this' },
  NOT_FOUND: { zh: '资源不存在', en: 'Not found' },
  DUPLICATE_SENIOR: { zh: '该身份证号已登记', en: 'A senior with this ID number is already enrolled' },
  DUPLICATE: { zh: '记录已存在', en: 'This record already exists' },
  INVALID_TRANSITION: { zh: '当前状态不允许此操作', en: 'This action is not allowed in the current state' },
  OFFER_NOT_ACTIVE: { zh: '该派单当前未派给本服务商', en: 'This order is not currently offered to your provider' },
  ALREADY_SETTLED: { zh: '已结算，不能修改', en: 'Already settled' },
  STATEMENT_LOCKED: { zh: '结算单已审核，不能修改', en: 'The statement is approved and cannot change' },
  JOB_RUNNING: { zh: '该任务正在运行', en: 'This job is already running' },
  PAYLOAD_TOO_LARGE: { zh: '请求体过大', en: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { zh: '不支持的内容类型', en: 'Unsupported content type' },
  INSUFFICIENT_BALANCE: { zh: '服务券可用余额不足', en: 'The available voucher balance is insufficient' },
  CAP_EXCEEDED: { zh: '超出服务券政策的限额', en: 'A cap of the voucher policy would be exceeded' },
  VISIT_CODE_MISMATCH: { zh: '服务核验码错误', en: 'The visit code does not match' },
  VISIT_CODE_LOCKED: { zh: '核验码错误次数过多，已锁定', en: 'Too many wrong visit codes; locked' },
  NOT_ELIGIBLE: { zh: '不符合服务条件', en: 'Not eligible' },
  SELF_APPROVAL: { zh: '不能审核自己登记的记录', en: 'You cannot approve what you enrolled' },
  RULE_VIOLATION: { zh: '违反业务规则', en: 'A business rule forbids this' },
  RATE_LIMITED: { zh: '请求过于频繁，请稍后再试', en: 'Too many requests; try again later' },
  ACCOUNT_LOCKED: { zh: '登录失败次数过多，账号暂时锁定', en: 'Too many failed logins; the account is locked for a while' },
  INTERNAL_ERROR: { zh: '服务器内部错误', en: 'Internal server error' },
  SERVICE_UNAVAILABLE: { zh: '服务暂不可用', en: 'Service unavailable' },
  QUERY_TIMEOUT: { zh: '查询超时，请缩小筛选范围后重试', en: 'The query took too long; narrow the filters and try again' },
};

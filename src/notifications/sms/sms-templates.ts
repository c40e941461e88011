/**
 * The SMS the system sends, as the provider's approved templates must read: fixed Chinese text with
 * ${parameters}. Each is registered with the provider (Alibaba Cloud: 短信模板, type 短信通知) and
 * its approved code named in SMS_ALIYUN_TEMPLATE_CODES under the template's name; the provider
 * prefixes the sign (【…】). Parameters never carry a full phone or ID number (piiParamKey refuses
 * them at enqueue) and each stays within the provider's variable length.
 */
export const SMS_TEMPLATES = {
  emergency_alert: {
    text: '您好，您是其${relation}的老人刚刚发出紧急求助，社区已安排服务人员上门处理，工单编号${orderId}。',
    params: ['relation', 'orderId'],
  },
  visit_question: {
    text: '${month}月${day}日 ${provider}为您提供了${service}服务吗？回复1确认，回复2没有',
    params: ['month', 'day', 'provider', 'service'],
  },
} as const satisfies Record<string, { text: string; params: readonly string[] }>;

export type SmsTemplateName = keyof typeof SMS_TEMPLATES;

/** Alibaba Cloud's limit on one template variable of a notification SMS (characters). */
export const TEMPLATE_PARAM_MAX_CHARS = 35;

export const isSmsTemplate = (name: string): name is SmsTemplateName => Object.hasOwn(SMS_TEMPLATES, name);

/** The text a recipient reads (without the sign): the template with its parameters put in. */
export function renderSms(template: SmsTemplateName, params: Readonly<Record<string, string | number>>): string {
  return SMS_TEMPLATES[template].text.replace(/\$\{(\w+)\}/g, (_whole, name: string) => String(params[name] ?? ''));
}

import type { Senior, SeniorHistoryEntry } from '../../api/types.ts';
import { chineseDate } from '../../format.ts';
import { AUDIT_FIELD_LABELS, CATEGORY_LABELS, DEACTIVATION_REASON_LABELS, LIVING_LABELS, TOUCHED_KIND_LABELS, labelOf } from '../../labels.ts';

// A senior's history in the words of the page: the fields an entry changed, and what a status
// change did elsewhere (the history's consequence.<event> entries), in the
// words of the page. The API's `change` is Chinese already; its labels are an order's GD number,
// 服务券账户, or a care plan as `<service code> 每周<1、4> <09:00>`, which is said with the
// service's name and the weekdays' (a code is not wording).

export type Touched = SeniorHistoryEntry['touched'][number];

const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];
const CARE_PLAN_LABEL = /^(\S+) 每周([1-7](?:、[1-7])*) (\d{2}:\d{2})$/;

export function touchedLabel(item: Touched, serviceName: (code: string) => string): string {
  if (item.kind !== 'care_plan') return item.label;
  const match = CARE_PLAN_LABEL.exec(item.label);
  if (!match) return item.label;
  const days = match[2]!.split('、').map((day) => WEEKDAYS[Number(day) - 1]).join('、');
  return `${serviceName(match[1]!)} 每周${days} ${match[3]!}`;
}

/** `工单 GD2026… 已取消`, `服务券 GD2026…：冻结的服务券已解除（32.00 元）`, `照护计划 助洁 每周一、四 09:00：已暂停（老人暂停服务）`. */
export function touchedParts(item: Touched, serviceName: (code: string) => string): { kind: string; label: string; change: string; to: string | null } {
  const label = touchedLabel(item, serviceName);
  const kind = TOUCHED_KIND_LABELS[item.kind] ?? '';
  // The lapsed balance is labelled 服务券账户 already; its id is the senior's, not an order's.
  const isOrder = item.kind === 'order' || (item.kind === 'voucher_account' && label !== '服务券账户');
  return { kind: label.startsWith(kind) ? '' : kind, label, change: item.change, to: isOrder ? `/orders/${item.id}` : null };
}

const FIELD_LABELS: Record<string, string> = {
  ...AUDIT_FIELD_LABELS, phoneMasked: '联系电话', livingArrangement: '居住情况', emergencyContacts: '紧急联系人', assessedAt: '评估日期', assessmentValidUntil: '评估有效至',
};
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function valueText(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.map((item) => valueText(field, item)).join('、');
  if (typeof value === 'object') {
    const contact = value as { name?: string; relation?: string; phoneMasked?: string };
    if (contact.name) return `${contact.name}${contact.relation ? `（${contact.relation}）` : ''}${contact.phoneMasked ?? ''}`;
    return Object.values(value).map((item) => valueText(field, item)).join(' ');
  }
  const text = String(value);
  if (field === 'categories') return labelOf(CATEGORY_LABELS, text);
  if (field === 'livingArrangement') return labelOf(LIVING_LABELS, text);
  return DAY.test(text) ? chineseDate(text) : text;
}

/** `生效日期：2026年11月20日`, `住址：… → …`: a field set for the first time has no before. */
export function changesText(entry: Pick<SeniorHistoryEntry, 'changes'>): string {
  return Object.entries(entry.changes).map(([field, change]) => {
    const label = labelOf(FIELD_LABELS, field);
    const after = valueText(field, change.after);
    return change.before === null || change.before === undefined ? `${label}：${after}` : `${label}：${valueText(field, change.before)} → ${after}`;
  }).join('；');
}

/** A deactivation's reason is a code (deceased, moved_out, other); a suspension's is the worker's words. */
export const reasonText = (entry: Pick<SeniorHistoryEntry, 'action' | 'reason'>): string => (entry.action === 'deactivate' ? labelOf(DEACTIVATION_REASON_LABELS, entry.reason) : entry.reason ?? '');
/** The senior's status reason, by the same rule (a deactivated senior's is the deactivation's code). */
export const statusReasonText = (senior: Pick<Senior, 'status' | 'statusReason'>): string => (senior.status === 'deactivated' ? labelOf(DEACTIVATION_REASON_LABELS, senior.statusReason) : senior.statusReason ?? '');

import type { Role } from './api/types.ts';

export interface MenuGroup { title: string; items: { path: string; label: string }[] }

// Each role's menu lists only what the API lets that role do (API.md's "who" column).
const MENUS: Record<Role, MenuGroup[]> = {
  community_staff: [
    { title: '老人服务', items: [
      { path: '/seniors', label: '老人名册' }, { path: '/seniors/new', label: '登记老人' }, { path: '/seniors/import', label: '台账导入' }, { path: '/letters', label: '月度告知书' },
    ] },
    { title: '服务工单', items: [
      { path: '/orders/new', label: '热线下单' }, { path: '/orders/queue', label: '待处理工单' }, { path: '/alerts', label: '紧急救助' },
    ] },
    { title: '统计', items: [{ path: '/overview', label: '月度概览' }, { path: '/anomalies', label: '异常监测' }] },
  ],
  street_officer: [
    { title: '街道审核', items: [{ path: '/approvals', label: '登记审核' }, { path: '/seniors', label: '老人名册' }, { path: '/overview', label: '月度概览' }, { path: '/anomalies', label: '异常监测' }] },
    { title: '生命事件', items: [{ path: '/life-events/proposals', label: '生命事件待确认' }, { path: '/life-events/import', label: '生命事件导入' }] },
  ],
  provider_admin: [
    { title: '服务商', items: [
      { path: '/provider/offers', label: '实时派单' }, { path: '/provider/schedule', label: '接单与排班' }, { path: '/caregivers', label: '护理员' }, { path: '/service-records/upload', label: '服务记录上传' },
    ] },
  ],
  caregiver: [{ title: '护理员', items: [{ path: '/visits', label: '今日上门' }] }],
  finance_officer: [
    { title: '财务结算', items: [
      { path: '/settlement', label: '月度结算' }, { path: '/settlement/summary', label: '结算汇总' }, { path: '/overview', label: '月度概览' }, { path: '/anomalies', label: '异常监测' },
    ] },
    { title: '查询', items: [{ path: '/seniors', label: '老人名册' }] },
  ],
  admin: [
    { title: '基础数据', items: [
      { path: '/admin/divisions', label: '街道与社区' }, { path: '/admin/providers', label: '服务商' }, { path: '/caregivers', label: '护理员' },
      { path: '/admin/contracts', label: '服务合同' }, { path: '/admin/policies', label: '补贴政策' }, { path: '/admin/service-types', label: '服务项目' },
    ] },
    { title: '业务', items: [
      { path: '/seniors', label: '老人名册' }, { path: '/approvals', label: '登记审核' }, { path: '/life-events/proposals', label: '生命事件待确认' }, { path: '/life-events/import', label: '生命事件导入' }, { path: '/letters', label: '月度告知书' }, { path: '/orders/queue', label: '待处理工单' }, { path: '/service-records/upload', label: '服务记录上传' },
      { path: '/settlement', label: '月度结算' }, { path: '/settlement/summary', label: '结算汇总' }, { path: '/overview', label: '月度概览' }, { path: '/anomalies', label: '异常监测' },
    ] },
    { title: '系统', items: [{ path: '/admin/users', label: '用户' }, { path: '/admin/jobs', label: '定时任务' }, { path: '/admin/notifications', label: '通知发件箱' }, { path: '/admin/audit', label: '审计日志' }] },
  ],
  auditor: [
    { title: '审计', items: [
      { path: '/admin/audit', label: '审计日志' }, { path: '/settlement', label: '月度结算' }, { path: '/settlement/summary', label: '结算汇总' }, { path: '/overview', label: '月度概览' },
      { path: '/anomalies', label: '异常监测' }, { path: '/seniors', label: '老人名册' },
    ] },
  ],
};

export function menuFor(role: Role): MenuGroup[] {
  return MENUS[role];
}

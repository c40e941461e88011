import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { session } from './api/session.ts';
import type { Role } from './api/types.ts';
import { menuFor } from './menu.ts';

declare module 'vue-router' {
  interface RouteMeta {
    /** Roles that may open the page; the menu shows it only to them. */
    roles?: Role[];
    title?: string;
  }
}

const COMMUNITY: Role[] = ['community_staff', 'admin'];
const SENIOR_READERS: Role[] = ['community_staff', 'street_officer', 'admin', 'auditor', 'finance_officer'];
const FINANCE_READERS: Role[] = ['finance_officer', 'admin', 'auditor'];

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { title: '登录' } },
  { path: '/visits', name: 'caregiver-visits', component: () => import('./views/caregiver/CaregiverVisitsView.vue'), meta: { roles: ['caregiver'], title: '今日上门' } },
  {
    path: '/',
    component: () => import('./layout/ConsoleLayout.vue'),
    children: [
      { path: '', name: 'home', redirect: () => { const user = session.user(); return user ? homeOf(user.role) : { name: 'login' }; } },
      { path: 'seniors', name: 'seniors', component: () => import('./views/seniors/SeniorsListView.vue'), meta: { roles: SENIOR_READERS, title: '老人名册' } },
      { path: 'seniors/new', name: 'senior-enrol', component: () => import('./views/seniors/SeniorEnrolView.vue'), meta: { roles: COMMUNITY, title: '登记老人' } },
      { path: 'seniors/import', name: 'senior-import', component: () => import('./views/seniors/SeniorImportView.vue'), meta: { roles: COMMUNITY, title: '台账导入' } },
      { path: 'letters', name: 'letters', component: () => import('./views/letters/LettersView.vue'), meta: { roles: COMMUNITY, title: '月度告知书' } },
      { path: 'seniors/:id', name: 'senior-detail', component: () => import('./views/seniors/SeniorDetailView.vue'), props: true, meta: { roles: SENIOR_READERS, title: '老人详情' } },
      { path: 'approvals', name: 'approvals', component: () => import('./views/seniors/ApprovalsView.vue'), meta: { roles: ['street_officer', 'admin'], title: '登记审核' } },
      { path: 'life-events/import', name: 'life-event-import', component: () => import('./views/life-events/LifeEventImportView.vue'), meta: { roles: ['street_officer', 'admin'], title: '生命事件导入' } },
      { path: 'life-events/proposals', name: 'life-event-proposals', component: () => import('./views/life-events/LifeEventProposalsView.vue'), meta: { roles: ['street_officer', 'admin'], title: '生命事件待确认' } },
      { path: 'orders/new', name: 'order-create', component: () => import('./views/orders/OrderCreateView.vue'), meta: { roles: COMMUNITY, title: '热线下单' } },
      { path: 'orders/queue', name: 'order-queue', component: () => import('./views/orders/OrderQueueView.vue'), meta: { roles: COMMUNITY, title: '待处理工单' } },
      { path: 'orders/:id', name: 'order-detail', component: () => import('./views/orders/OrderDetailView.vue'), props: true, meta: { title: '工单详情' } },
      { path: 'alerts', name: 'alerts', component: () => import('./views/orders/AlertsView.vue'), meta: { roles: COMMUNITY, title: '紧急救助' } },
      { path: 'provider/offers', name: 'provider-offers', component: () => import('./views/provider/OffersView.vue'), meta: { roles: ['provider_admin'], title: '实时派单' } },
      { path: 'provider/schedule', name: 'provider-schedule', component: () => import('./views/provider/ScheduleView.vue'), meta: { roles: ['provider_admin'], title: '接单与排班' } },
      { path: 'service-records/upload', name: 'record-upload', component: () => import('./views/provider/RecordUploadView.vue'), meta: { roles: ['provider_admin', 'admin'], title: '服务记录上传' } },
      { path: 'caregivers', name: 'caregivers', component: () => import('./views/admin/CaregiversView.vue'), meta: { roles: ['provider_admin', 'admin'], title: '护理员' } },
      { path: 'settlement', name: 'settlement', component: () => import('./views/finance/SettlementView.vue'), meta: { roles: FINANCE_READERS, title: '月度结算' } },
      { path: 'settlement/statements/:id', name: 'statement-detail', component: () => import('./views/finance/StatementDetailView.vue'), props: true, meta: { roles: [...FINANCE_READERS, 'provider_admin'], title: '结算单' } },
      { path: 'overview', name: 'overview', component: () => import('./views/finance/OverviewView.vue'), meta: { roles: [...FINANCE_READERS, 'street_officer', 'community_staff'], title: '月度概览' } },
      { path: 'anomalies', name: 'anomalies', component: () => import('./views/reports/AnomaliesView.vue'), meta: { roles: [...FINANCE_READERS, 'street_officer', 'community_staff'], title: '异常监测' } },
      { path: 'settlement/summary', name: 'settlement-summary', component: () => import('./views/finance/SummaryView.vue'), meta: { roles: FINANCE_READERS, title: '结算汇总' } },
      { path: 'admin/service-types', name: 'service-types', component: () => import('./views/admin/ServiceTypesView.vue'), meta: { roles: ['admin'], title: '服务项目' } },
      { path: 'admin/notifications', name: 'notifications', component: () => import('./views/admin/OutboxView.vue'), meta: { roles: ['admin'], title: '通知发件箱' } },
      { path: 'admin/divisions', name: 'divisions', component: () => import('./views/admin/DivisionsView.vue'), meta: { roles: ['admin'], title: '街道与社区' } },
      { path: 'admin/providers', name: 'providers', component: () => import('./views/admin/ProvidersView.vue'), meta: { roles: ['admin'], title: '服务商' } },
      { path: 'admin/contracts', name: 'contracts', component: () => import('./views/admin/ContractsView.vue'), meta: { roles: ['admin'], title: '服务合同' } },
      { path: 'admin/policies', name: 'policies', component: () => import('./views/admin/PoliciesView.vue'), meta: { roles: ['admin'], title: '补贴政策' } },
      { path: 'admin/users', name: 'users', component: () => import('./views/admin/UsersView.vue'), meta: { roles: ['admin'], title: '用户' } },
      { path: 'admin/jobs', name: 'jobs', component: () => import('./views/admin/JobsView.vue'), meta: { roles: ['admin'], title: '定时任务' } },
      { path: 'admin/audit', name: 'audit', component: () => import('./views/admin/AuditView.vue'), meta: { roles: ['admin', 'auditor'], title: '审计日志' } },
    ],
  },
  { path: '/:unknown(.*)*', redirect: '/' },
];

export const router = createRouter({ history: createWebHistory(), routes });

/** Where a role lands after login: its first menu entry (the caregiver's phone page for caregivers). */
export function homeOf(role: Role): string {
  if (role === 'caregiver') return '/visits';
  return menuFor(role)[0]?.items[0]?.path ?? '/';
}

router.beforeEach((to) => {
  const user = session.user();
  if (to.name === 'login') return true;
  if (!user) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
  const roles = to.meta.roles;
  if (roles && !roles.includes(user.role)) return homeOf(user.role);
  return true;
});

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · 星光助老` : '星光助老';
});

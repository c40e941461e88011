import type { LifeEvent, LifeEventRowStatus, ProposalStatus, ReviewOutcome, Role, SuspectReason } from './api/types.ts';

// Chinese names of the API's codes, one table per enum.

export const ROLE_LABELS: Record<Role, string> = {
  admin: '系统管理员（区民政局）',
  street_officer: '街道审核员',
  community_staff: '社区工作者',
  provider_admin: '服务商调度员',
  caregiver: '护理员',
  finance_officer: '财务人员',
  auditor: '审计人员',
};

export const CATEGORY_LABELS: Record<string, string> = {
  empty_nest: '空巢', three_nos: '三无', extreme_hardship: '特困', low_income: '低保', living_alone: '独居', disabled: '失能/残疾', advanced_age: '高龄',
};

export const LIVING_LABELS: Record<string, string> = { alone: '独居', with_spouse: '与配偶同住', with_family: '与子女同住', other: '其他' };

export const SENIOR_STATUS_LABELS: Record<string, string> = {
  pending_review: '待审核', active: '在册', rejected: '已驳回', suspended: '暂停', deactivated: '已注销',
};
/** Why a senior was deactivated (POST /seniors/:id/deactivate `reason`, also the senior's statusReason then). */
export const DEACTIVATION_REASON_LABELS: Record<string, string> = { deceased: '去世', moved_out: '迁出本区', other: '其他' };

export const ORDER_STATUS_LABELS: Record<string, string> = {
  pending_dispatch: '待派单', offered: '已派单待接单', unassigned: '无人接单', accepted: '已接单', assigned: '已指派护理员',
  in_service: '服务中', completed: '已完成待核验', confirmed: '已核验', disputed: '有争议', rejected: '已驳回', cancelled: '已取消', settled: '已结算',
};

export const CONFIRMATION_METHOD_LABELS: Record<string, string> = { visit_code: '服务核验码', senior_pin: '老人个人确认码', callback: '电话回访', sms_reply: '老人短信回复' };

export const ORDER_SOURCE_LABELS: Record<string, string> = { hotline: '热线', staff: '社区', care_plan: '照护计划', emergency: '紧急救助', provider_record: '服务商上传' };

export const FLAG_LABELS: Record<string, string> = {
  geofence_check_in: '签到位置超出范围', geofence_check_out: '签退位置超出范围', short_visit: '服务时长不足', caregiver_overlap: '护理员时间重叠',
  late_sync: '离线记录延迟上报', clock_drift: '手机时间异常',
};

export const ENTRY_TYPE_LABELS: Record<string, string> = {
  issue: '发放', hold: '冻结', release: '解冻', redeem: '核销', expire: '过期', adjust: '调整', refund: '退回',
};

export const PROVIDER_KIND_LABELS: Record<string, string> = { company: '企业', ngo: '社会组织', starlight_center: '星光老年之家' };
export const UNIT_LABELS: Record<string, string> = { visit: '次', hour: '小时', meal: '餐' };
export const GENDER_LABELS: Record<string, string> = { male: '男', female: '女' };
export const STATEMENT_STATUS_LABELS: Record<string, string> = { draft: '草稿', approved: '已审核', paid: '已支付' };
export const JOB_STATUS_LABELS: Record<string, string> = { running: '运行中', succeeded: '成功', failed: '失败', abandoned: '已中断', skipped: '已跳过' };

/** Audit log: entity types (the filter), and the fields entries record before and after. */
export const AUDIT_ENTITY_LABELS: Record<string, string> = {
  user: '用户', senior: '老人', senior_register: '老人名册', service_order: '工单', emergency_alert: '紧急呼叫', care_plan: '照护计划',
  voucher_policy: '服务券政策', voucher_account: '服务券账户', voucher_month: '服务券月份', street: '街道', community: '社区',
  provider: '服务商', caregiver: '护理员', contract: '服务合同', service_type: '服务项目', settlement_period: '结算周期',
  settlement_statement: '结算单', job: '任务', service_record_file: '服务记录文件',
  life_event_file: '死亡住院迁出信息文件', life_event_proposal: '待确认的老人信息变更',
};
export const AUDIT_ROLE_LABELS: Record<string, string> = { ...ROLE_LABELS, system: '系统任务' };
export const AUDIT_FIELD_LABELS: Record<string, string> = {
  value: '内容', id: '编号', status: '状态', name: '名称', displayName: '姓名', username: '用户名', role: '角色', active: '启用',
  communityIds: '负责社区', communityId: '社区', streetId: '街道', providerId: '服务商', caregiverId: '护理员', kind: '类型',
  reason: '原因', note: '备注', effectiveDate: '生效日期', effectiveMonth: '生效月份', changes: '修改内容', fields: '查看的字段',
  orderId: '工单', purpose: '用途', familyId: '登录会话', runId: '运行编号', period: '结算周期', month: '月份', outcome: '结果',
  payableFen: '应付金额（分）', amountFen: '金额（分）', lineCount: '服务明细数', openChecks: '未完成回访', overrideReason: '提前审核理由',
  paymentRef: '支付凭证号', paidAt: '支付日期', entryId: '台账记录', created: '新增', duplicates: '重复', invalid: '无效',
  skills: '服务技能', certificateNo: '证书编号', creditCode: '统一社会信用代码', contactName: '联系人', address: '地址', location: '位置',
  dailyCapacity: '每日接单上限', code: '编码', unitPriceFen: '单价（分）', emergency: '紧急服务', validFrom: '生效日期', validTo: '截止日期',
  prices: '价格', categories: '类别', careLevel: '照护等级', seniorId: '老人', serviceTypeCode: '服务项目', quantity: '数量',
  weekdays: '星期', time: '时间', startDate: '开始日期', endDate: '结束日期', job: '任务', params: '参数', effectiveFrom: '生效月份',
  fundingSplit: '市区分担', combine: '组合方式', defaultSubsidyRatePct: '默认补贴比例（%）', expiry: '失效规则', source: '来源',
  unit: '计量单位', minutesPerUnit: '每单位时长（分钟）', onSite: '在星光老年之家提供',
  total: '总行数', rejected: '未通过', number: '工单号', externalId: '外部记录号', flags: '异常标记',
  matched: '已匹配待确认', notRegistered: '非登记老人', ambiguous: '存疑', event: '事件', date: '日期', seniorAction: '老人状态变更', seniorStatus: '老人状态', clawBack: '追回已付款服务',
  signatures: '签字人数', adjustmentId: '调整编号', adjustmentStatus: '调整状态', correctsPeriod: '更正月份', cityFen: '市级承担（分）', reference: '依据',
};

export function labelOf(table: Record<string, string>, code: string | null | undefined): string {
  if (!code) return '—';
  return table[code] ?? code;
}

export const HELD_BACK_LABELS: Record<string, string> = {
  NO_CONFIRMATION: '无核验记录', SENIOR_DECEASED: '服务日老人已去世', SENIOR_INACTIVE: '服务日老人暂停服务或已注销', SENIOR_NOT_ACTIVE: '服务日老人不在册',
  NO_VALID_CONTRACT: '无有效合同', DUPLICATE_VISIT: '重复服务', VOUCHER_NOT_REDEEMABLE: '服务券未核销',
};
/** The buckets of a settlement run's breakdown, in the order the page lists them. */
export const RUN_BREAKDOWN_LABELS = {
  newLines: '新增结算明细', carriedOver: '跨月结转（新增明细）', unchanged: '已在结算单中（无变化）', heldBack: '暂缓结算',
  alreadySettled: '已在已审核的结算单中', deferred: '本月结算单已审核，顺延下月', disputed: '争议或认定无效（已移出）', notBillable: '不结算（已取消等）',
} as const;
export const CHARGE_LABELS: Record<string, string> = {
  provider_cancellation: '接单后取消', late_arrival: '迟到', carried_penalty: '上期结转扣款', visit_rejected: '服务被认定无效',
  senior_deceased: '老人去世后的服务追回', senior_inactive: '老人住院或迁出期间的服务追回', manual: '财务手工调整',
};
export const ADJUSTMENT_STATUS_LABELS: Record<string, string> = { pending: '待复核（未计入）', approved: '已复核', rejected: '已驳回（未计入）' };
export const FUNDING_LABELS: Record<string, string> = { city: '市级财政', district: '区级财政', self_pay: '老人自付' };
export const SAMPLE_OUTCOME_LABELS: Record<string, string> = { visit_happened: '已服务', visit_did_not_happen: '未服务' };

export const JOB_LABELS: Record<string, string> = {
  'audit-verify': '审计日志校验', 'care-plan-generation': '照护计划生成工单', 'job-runs-purge': '清理任务记录', 'notifications-deliver': '发送通知',
  'offer-sweeper': '派单超时处理', 'senior-consequences': '老人状态变更后续处理', 'reassessment-reminders': '评估到期提醒', 'sessions-purge': '清理过期会话', 'unconfirmed-visit-reminders': '未核验服务提醒', 'voucher-expiry': '服务券过期',
  'voucher-issuance': '服务券月度发放', 'voucher-reconciliation': '服务券对账', settlement: '月度结算', 'order-counts-repair': '工单计数核对',
  'monthly-letters': '月度告知书',
  'visit-questions': '短信询问老人服务情况', 'sms-questions-expire': '短信询问超时转回访',
  'pii-retention': '到期个人信息删除', 'pii-rekey': '个人信息密钥轮换',
  'budget-run-rate': '预算执行预警',
};

/** What a job run counted, by the keys the jobs answer (the *.jobs.ts files of each capability). */
export const JOB_COUNT_LABELS: Record<string, string> = {
  communities: '社区', made: '已生成', pages: '页数', smsEnqueued: '已排队短信', smsUnreachable: '无手机号（仅纸质）',
  checked: '已校验', plans: '照护计划', created: '新建', skipped: '跳过', existing: '已存在', failed: '失败', expired: '已过期', reoffered: '重新派单',
  unassigned: '转无人接单', raced: '已被处理', orders: '工单', counters: '计数', repaired: '已修正', offeredToRepaired: '派单对象已修正',
  unconfirmed: '未核验', reminded: '已提醒', refreshTokensDeleted: '清理会话', loginFailuresDeleted: '清理登录失败记录', deleted: '已删除',
  sent: '已发送', retried: '重试', issued: '已发放', totalFen: '发放总额（分）', zeroAmount: '金额为零', expiredFen: '过期金额（分）', accounts: '账户',
  mismatches: '不一致', pendingCompleted: '补完成', entries: '台账记录', batches: '批次', ordersSeen: '处理工单', linesAdded: '新增明细',
  penaltiesAdded: '新增扣款', adjustmentsAdded: '新增调整', linesTakenOut: '移出明细', ordersMarkedSettled: '标记已结算', sampleChecksOpened: '新开抽查回访',
  resumed: '续跑', interrupted: '中断', newLines: '新增结算明细', carriedOver: '跨月结转', unchanged: '无变化', heldBack: '暂缓结算',
  alreadySettled: '已在已审核结算单中', deferred: '顺延下月', disputed: '争议或无效', notBillable: '不计费',
  seen: '检查服务', drawn: '抽中询问', flagged: '异常服务', asked: '已发询问',
  sourcesOverThreshold: '预计超过预算 90% 的资金来源', notified: '已通知',
  erased: '已删除个人信息', notifications: '通知中删除的电话', hookFailures: '删除未完成（下次重试）', scanned: '已检查', rekeyed: '已重新加密', unreadable: '无法解密', changedMeanwhile: '期间被修改', collectionsCompleted: '完成的数据集',
};

/** The actions of an order's history (src/dispatch/order.state-machine.ts, and its creation). */
export const ORDER_ACTION_LABELS: Record<string, string> = {
  create: '创建', record: '服务商上传服务记录', offer: '派单', unassign: '转为无人接单', accept: '接单', decline: '拒单', assign: '指派护理员', check_in: '签到', complete: '签退',
  confirm: '核验确认', cancel: '取消', void: '作废', dispute: '提出争议', uphold: '维持服务', reject: '驳回', settle: '结算', expire: '派单超时',
};

/** The notification outbox (src/notifications/notification.model.ts and the templates the capabilities enqueue). */
export const NOTIFICATION_CHANNEL_LABELS: Record<string, string> = { sms: '短信', callback_task: '回访任务', staff_message: '站内消息' };
export const NOTIFICATION_STATUS_LABELS: Record<string, string> = { pending: '待发送', sent: '已发送', delivered: '已送达', failed: '发送失败' };
export const RECIPIENT_KIND_LABELS: Record<string, string> = { emergency_contact: '紧急联系人', senior: '老人', community_staff: '社区工作者', user: '用户', district_staff: '区民政工作人员' };
export const NOTIFICATION_TEMPLATE_LABELS: Record<string, string> = {
  monthly_letter: '月度告知书短信', monthly_letter_family: '月度告知书短信（家属）',
  emergency_alert: '紧急救助通知', order_unassigned: '工单无人接单', visit_unconfirmed: '服务待核验提醒', settlement_sample_check: '结算抽查回访', reassessment_due: '照护等级评估到期提醒',
  visit_question: '询问老人是否接受服务', visit_question_unanswered: '短信询问未得到答复，请电话回访', sms_reply_late: '老人短信回复（询问已结束）', sms_reply_unmatched: '未知号码的短信回复',
  budget_run_rate: '预算执行预警（预计年底用到预算的 90% 以上）',
};
/** The template parameters the outbox shows, by key (no parameter carries personal data). */
export const NOTIFICATION_PARAM_LABELS: Record<string, string> = {
  issuedYuan: '发放（元）', usedYuan: '使用（元）', visitCount: '服务次数', adjustedYuan: '调整（元）', lapsedYuan: '失效（元）', balanceYuan: '月末余额（元）', seniorName: '老人',
  relation: '关系', orderId: '工单', serviceTypeCode: '服务项目', scheduledDay: '服务日期', period: '结算月份', day: '服务日期',
  month: '服务月份', provider: '服务商', service: '服务', replyText: '短信回复内容', fromMasked: '回复号码', questionStatus: '询问状态', staffReason: '转回访原因',
  year: '年度', fundingSource: '资金来源', settledMonths: '已审核月数', projectedYuan: '预计全年支出（元）', budgetYuan: '年度预算（元）', projectedSharePct: '预计占预算（%）',
};

/** The anomaly report's sections, as the page titles them. */
export const ANOMALY_SECTION_LABELS = {
  suspectVisits: '可疑服务', flaggedVisits: '异常服务记录', caregiverOverlaps: '护理员时间重叠', visitsForInactiveSeniors: '老人不在册期间的服务', flagRateOutliers: '异常率偏高的服务商', latePayments: '逾期未支付的结算单',
} as const;

/**
 * Why a visit is suspect (GET /reports/anomalies suspectVisits[].reasons), in the words an
 * inspector would use; keyed by the service's own codes, so a new code without a label fails the
 * type check.
 */
export const SUSPECT_REASON_LABELS: Record<SuspectReason, string> = {
  geofence: '签到/签退位置超出范围',
  impossible_travel: '行程不可能（前后两单距离过远、时间过短）',
  repeated_coordinates: '多次使用完全相同的坐标',
  caregiver_overlap: '护理员同一时间在两处服务',
  senior_deactivated: '服务日老人已注销（如去世）',
  senior_suspended: '服务时老人处于暂停状态（如住院）',
  duration_pattern: '服务时长总是整数倍/满额',
  long_caregiver_day: '护理员单日服务时长过长',
  callback_only_provider: '服务商的服务几乎都只靠电话回访核验',
  short_visit: '服务时长不足预约的一半',
  provider_flag_rate: '服务商异常率显著高于全区',
  late_sync: '离线记录延迟上传',
  clock_drift: '手机时间异常',
};
/** A care plan's state (src/care-plans/care-plan.model.ts): paused while the senior is suspended (a hospital stay). */
export const CARE_PLAN_STATUS_LABELS: Record<string, string> = { active: '执行中', paused: '暂停', stopped: '已停止' };

/** Life events from outside feeds (src/life-events): the events, a feed row's result, a proposal's state. */
export const LIFE_EVENT_LABELS: Record<LifeEvent, string> = { death: '死亡', hospital_admission: '住院', hospital_discharge: '出院', moved_out: '迁出' };
export const LIFE_EVENT_ROW_LABELS: Record<LifeEventRowStatus, string> = {
  matched: '已匹配待确认', duplicate: '重复', not_registered: '非登记老人', ambiguous: '存疑', invalid: '格式错误',
};
export const PROPOSAL_STATUS_LABELS: Record<ProposalStatus, string> = { pending: '待确认', confirming: '确认未完成', confirmed: '已确认', rejected: '已驳回' };
/** What a senior's status change touched elsewhere (the history's consequence entries). */
export const TOUCHED_KIND_LABELS: Record<string, string> = { order: '工单', care_plan: '照护计划', voucher_account: '服务券' };

export const REVIEW_OUTCOME_LABELS: Record<ReviewOutcome, string> = { fine: '已复核：无误', dispute: '已提出争议' };

/** The legal basis of processing a senior's personal data (src/seniors/privacy-notice.ts). */
export const PRIVACY_BASIS_LABELS: Record<string, string> = { public_duty: '履行法定职责（已告知）', consent: '本人同意', guardian_consent: '监护人同意' };

/**
 * What an audit entry says, in words an auditor reads: the action codes and entity types written
 * across the capabilities, in Chinese. The codes themselves stay in the chain (they are hashed and
 * filtered on); these labels are only for the list, the export and the console. A code without a
 * label is shown as it is — test/audit/audit-labels.test.ts fails for any code written in src/.
 */
export const AUDIT_ACTION_ZH: Record<string, string> = {
  'auth.login': '登录', 'auth.logout': '退出登录', 'auth.token_reused': '刷新令牌被重复使用（已强制下线）',
  'user.create': '新建用户', 'user.update': '修改用户',
  'senior.enrol': '登记老人', 'senior.import': '批量导入老人名册', 'senior.update': '修改老人档案', 'senior.reveal': '查看老人完整信息', 'senior.export': '导出老人个人信息（本人查阅申请）', 'senior.pii_erase': '按保存期限删除老人个人信息',
  'senior.approve': '审核通过老人登记', 'senior.reject': '驳回老人登记', 'senior.suspend': '暂停老人服务', 'senior.resume': '恢复老人服务',
  'senior.deactivate': '注销老人', 'senior.confirmation_pin_reset': '重置老人个人确认码',
  'voucher_policy.create': '新建服务券政策', 'voucher.issue_month': '发放月度服务券', 'voucher.adjust': '调整服务券余额',
  'order.create': '新建工单', 'order.record': '服务商上传服务记录', 'service_record.import': '导入服务商服务记录', 'alert.raise': '紧急呼叫',
  'order.offer': '工单派单', 'order.unassign': '工单转为无人接单', 'order.accept': '服务商接单', 'order.assign': '指派护理员', 'order.check_in': '护理员签到',
  'order.complete': '护理员签退', 'order.confirm': '服务核验确认', 'order.cancel': '取消工单', 'order.void': '作废工单（老人已注销）', 'order.dispute': '工单提出争议', 'order.uphold': '争议认定服务有效',
  'order.reject': '争议认定服务无效', 'order.settle': '工单结算',
  'care_plan.create': '新建照护计划', 'care_plan.stop': '停止照护计划',
  'street.create': '新建街道', 'community.create': '新建社区', 'provider.create': '新建服务商', 'provider.update': '修改服务商',
  'caregiver.create': '新建护理员', 'caregiver.update': '修改护理员', 'contract.create': '新建服务合同', 'service_type.create': '新建服务项目', 'service_type.update': '修改服务项目',
  'settlement.run': '运行月度结算', 'settlement.sample_check': '登记结算抽查回访',
  'statement.approve': '审核结算单', 'statement.approve_override': '审核结算单（回访未完成，填写理由）', 'statement.pay': '登记结算单支付',
  'statement.first_signature': '结算单第一签（待第二名财务人员复核）', 'statement.adjustment_add': '录入结算单手工调整',
  'statement.adjustment_approve': '复核通过结算单手工调整', 'statement.adjustment_reject': '驳回结算单手工调整',
  'settlement.payment_file': '导出批量支付文件（含收款账号）',
  'anomaly.review': '复核可疑服务（无误或提出争议）',
  'life_event.import': '导入死亡、住院、迁出信息', 'life_event.confirm': '确认死亡、住院、迁出信息', 'life_event.reject': '驳回死亡、住院、迁出信息',
  'job.run': '手动运行任务',
};

export const AUDIT_ENTITY_ZH: Record<string, string> = {
  user: '用户', senior: '老人', senior_register: '老人名册', service_order: '工单', emergency_alert: '紧急呼叫', care_plan: '照护计划',
  voucher_policy: '服务券政策', voucher_account: '服务券账户', voucher_month: '服务券月份', street: '街道', community: '社区',
  provider: '服务商', caregiver: '护理员', contract: '服务合同', service_type: '服务项目', settlement_period: '结算周期',
  settlement_statement: '结算单', job: '任务', service_record_file: '服务记录文件', life_event_file: '死亡住院迁出信息文件', life_event_proposal: '待确认的老人信息变更',
};

export const auditActionLabel = (action: string): string => AUDIT_ACTION_ZH[action] ?? action;
export const auditEntityLabel = (entityType: string): string => AUDIT_ENTITY_ZH[entityType] ?? entityType;

export { ordersRouter } from './orders.routes.ts';
export { offerSweeperJob, orderCountsRepairJob } from './dispatch.jobs.ts';
export { repairOrderCounts } from './order-counts.ts';
export { createOrder } from './order-create.service.ts';
export { orderLabel, orderNumbersOf } from './order-number.ts';
export { alertsRouter } from './alerts.routes.ts';
export { cancelOrder } from './order-close.service.ts';
export { remindUnconfirmedVisits, visitRemindersJob } from './visit-reminders.jobs.ts';
export { orderState } from './orders.query.ts';
export { acceptOffer, declineOffer } from './order-offers.service.ts';
export { assignCaregiver, checkIn, checkOut, confirmByCallback, confirmBySmsReply } from './order-visit.service.ts';
export { askAboutVisits, isDrawnForSmsQuestion, visitQuestionKey, type VisitToAsk } from './visit-questions.ts';
export { registerVisitQuestionHooks, visitQuestionsJob } from './visit-questions.jobs.ts';
export { disputeOrder, resolveDispute } from './order-close.service.ts';
export { countOrdersCreatedBy, hasLiveOffer, hasOpenVisitOn } from './orders.query.ts';
export {
  ordersForSettlement, settlementOrderFilter, orderForSettlement, visitsOfSeniorForSettlement, attachOrderToStatement, detachOrderFromStatement, settleOrderInStatement, onOrderDisputed,
  type OrderForSettlement,
} from './orders.settlement.ts';
export { ordersForReports, orderForReports, districtVisitFlagCounts, districtConfirmationCounts, type OrderForReports, type VisitPoint } from './orders.reports.ts';
export { ORDER_STATUSES, canTransition, type OrderStatus } from './order.state-machine.ts';
export { recordVisit, recordedVisitsByKey, caregiverIntervals, recordKeyOf, type RecordedVisit, type RecordOutcome, type RecordedPoint, type CaregiverInterval } from './order-record.service.ts';
export { CONFIRMATION_METHODS, ORDER_FLAGS, type ConfirmationMethod, type OrderFlag } from './order.model.ts';
export { registerDispatchSeniorHooks } from './senior-lifecycle.ts';
export { visitsForLetters, type VisitForLetter } from './orders.letters.ts';
export { orderAndAlertIdsOfSenior, ordersOfSenior } from './orders.subject.ts';

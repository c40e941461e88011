export { reportsRouter } from './reports.routes.ts';
export { budgetRunRateJob, alertBudgetRunRate } from './budget-alerts.ts';

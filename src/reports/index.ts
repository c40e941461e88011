export { reportsRouter } from './reports.routes.ts';

export { serviceRecordsRouter } from './service-records.routes.ts';

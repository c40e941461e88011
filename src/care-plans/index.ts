export { carePlansRouter } from './care-plans.routes.ts';
export { carePlanGenerationJob } from './care-plans.jobs.ts';
export { createCarePlan, stopCarePlan, type CarePlanCall } from './care-plans.service.ts';
export { generateCarePlanOrders, type GenerationCounts } from './care-plan-generation.service.ts';
export type { CarePlanView, CreateCarePlanInput } from './care-plans.schemas.ts';
export { registerCarePlanSeniorHooks } from './senior-lifecycle.ts';
export { carePlansOfSenior } from './subject-export.ts';

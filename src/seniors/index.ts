export { seniorsRouter } from './seniors.routes.ts';
export { enrolSenior } from './enrolment.service.ts';
export { transitionSenior } from './lifecycle.service.ts';
export { onSeniorLifecycle, type SeniorLifecycleEvent, type SeniorHookEvent } from './lifecycle-hooks.ts';
export { enrolledIdNumberHmacs, getSenior } from './seniors.query.ts';
export type { SeniorView } from './senior.view.ts';
export type { SeniorContext } from './seniors.context.ts';

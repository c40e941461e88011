export { lifeEventsRouter } from './life-events.routes.ts';
export { lifeEventsOfSenior } from './proposals.service.ts';

export { lifeEventsRouter } from './life-events.routes.ts';

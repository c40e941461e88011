export { resolveActor } from './actor.ts';
export { identityRouter } from './identity.routes.ts';
export { sessionsPurgeJob } from './identity.jobs.ts';
export { ensureBootstrapAdmin, ensureUser, type UserView } from './users.service.ts';

export { resolveActor } from './actor.ts';
export { identityRouter } from './identity.routes.ts';
export { sessionsPurgeJob } from './identity.jobs.ts';
export { activeUserIdsWithRole, displayNamesOf, ensureBootstrapAdmin, ensureUser, type UserView } from './users.service.ts';

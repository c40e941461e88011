export { resolveActor } from './actor.ts';

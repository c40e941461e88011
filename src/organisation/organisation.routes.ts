import { Router } from 'express';
import { divisionsRouter } from './divisions.routes.ts';
import { serviceTypesRouter } from './service-types.routes.ts';
import { providersRouter } from './providers.routes.ts';
import { contractsRouter } from './contracts.routes.ts';

/** Streets, communities, the service catalogue, providers and caregivers, and contracts. */
export const organisationRouter = Router().use(divisionsRouter, serviceTypesRouter, providersRouter, contractsRouter);

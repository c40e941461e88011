import { createRouteGroup } from '../shared/http/route.ts';
import { carePlanPageSchema, carePlanParams, carePlanSchema, carePlansQuery, createCarePlanBody } from './care-plans.schemas.ts';
import { createCarePlan, listCarePlans, stopCarePlan } from './care-plans.service.ts';

const { router, route } = createRouteGroup('/api/v1');

route({
  method: 'post', path: '/care-plans', summary: 'Create a recurring service for an active senior', tags: ['care plans'],
  access: ['community_staff', 'admin'], body: createCarePlanBody,
  errors: ['NOT_ELIGIBLE'],
  success: { status: 201, schema: carePlanSchema, description: 'The plan; its orders are generated a week ahead' },
  handler: ({ body, actor, config, requestId }) => createCarePlan(body, { actor, config, requestId }),
});

route({
  method: 'get', path: '/care-plans', summary: 'Care plans in your scope', tags: ['care plans'],
  access: ['admin', 'auditor', 'street_officer', 'community_staff'], query: carePlansQuery,
  success: { status: 200, schema: carePlanPageSchema, description: 'A page of care plans' },
  handler: ({ query, actor }) => listCarePlans(query, actor),
});

route({
  method: 'post', path: '/care-plans/:id/stop', summary: 'Stop a plan; its future orders not yet accepted are cancelled', tags: ['care plans'],
  access: ['community_staff', 'admin'], params: carePlanParams,
  errors: ['INVALID_TRANSITION'],
  success: { status: 200, schema: carePlanSchema, description: 'The stopped plan' },
  handler: ({ params, actor, config, requestId }) => stopCarePlan(params.id, { actor, config, requestId }),
});

export const carePlansRouter = router;

import { createRouteGroup } from '../shared/http/route.ts';
import { createServiceTypeBody, serviceTypeCodeParams, serviceTypePageSchema, serviceTypeSchema, serviceTypesQuery, updateServiceTypeBody } from './service-types.schemas.ts';
import { createServiceType, getServiceTypeInScope, listServiceTypesPage, updateServiceType } from './service-types.service.ts';

const { router, route } = createRouteGroup('/api/v1');

route({
  method: 'post',
  path: '/service-types',
  summary: 'Add a service to the catalogue',
  tags: ['organisation'],
  access: ['admin'],
  body: createServiceTypeBody,
  errors: ['DUPLICATE'],
  success: { status: 201, schema: serviceTypeSchema, description: 'The service type' },
  handler: ({ body, actor, requestId, lang }) => createServiceType({ actor, requestId, lang }, body),
});

route({
  method: 'get',
  path: '/service-types',
  summary: 'The service catalogue, by code',
  tags: ['organisation'],
  access: 'any-user',
  query: serviceTypesQuery,
  success: { status: 200, schema: serviceTypePageSchema, description: 'A page of service types' },
  handler: ({ query, actor }) => listServiceTypesPage(actor, query),
});

route({
  method: 'get',
  path: '/service-types/:code',
  summary: 'One service type by its code',
  tags: ['organisation'],
  access: 'any-user',
  params: serviceTypeCodeParams,
  success: { status: 200, schema: serviceTypeSchema, description: 'The service type' },
  handler: ({ params, actor }) => getServiceTypeInScope(actor, params.code),
});

route({
  method: 'patch',
  path: '/service-types/:code',
  summary: 'Change a service type\'s name, unit, minutes per unit or kind (the code stays)',
  tags: ['organisation'],
  access: ['admin'],
  params: serviceTypeCodeParams,
  body: updateServiceTypeBody,
  success: { status: 200, schema: serviceTypeSchema, description: 'The service type as changed' },
  handler: ({ params, body, actor, requestId, lang }) => updateServiceType({ actor, requestId, lang }, params.code, body),
});

export const serviceTypesRouter = router;

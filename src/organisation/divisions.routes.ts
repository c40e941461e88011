import { createRouteGroup } from '../shared/http/route.ts';
import {
  communitiesQuery, communityPageSchema, communitySchema, createCommunityBody, createStreetBody,
  streetPageSchema, streetSchema, streetsQuery,
} from './divisions.schemas.ts';
import { createCommunity, createStreet, getCommunityInScope, getStreetInScope, listCommunities, listStreets } from './divisions.service.ts';
import { idParams } from './organisation.schemas.ts';

const { router, route } = createRouteGroup('/api/v1');

route({
  method: 'post',
  path: '/streets',
  summary: 'Create a street (街道) with its 9-digit division code',
  tags: ['organisation'],
  access: ['admin'],
  body: createStreetBody,
  errors: ['DUPLICATE'],
  success: { status: 201, schema: streetSchema, description: 'The street' },
  handler: ({ body, actor, requestId, lang }) => createStreet({ actor, requestId, lang }, body),
});

route({
  method: 'get',
  path: '/streets',
  summary: 'List streets by code',
  tags: ['organisation'],
  access: 'any-user',
  query: streetsQuery,
  success: { status: 200, schema: streetPageSchema, description: 'A page of streets' },
  handler: ({ query, actor }) => listStreets(actor, query),
});

route({
  method: 'get',
  path: '/streets/:id',
  summary: 'One street',
  tags: ['organisation'],
  access: 'any-user',
  params: idParams,
  success: { status: 200, schema: streetSchema, description: 'The street' },
  handler: ({ params, actor }) => getStreetInScope(actor, params.id),
});

route({
  method: 'post',
  path: '/communities',
  summary: 'Create a community (社区); its 12-digit code starts with its street\'s code',
  tags: ['organisation'],
  access: ['admin'],
  body: createCommunityBody,
  errors: ['DUPLICATE'],
  success: { status: 201, schema: communitySchema, description: 'The community' },
  handler: ({ body, actor, requestId, lang }) => createCommunity({ actor, requestId, lang }, body),
});

route({
  method: 'get',
  path: '/communities',
  summary: 'List communities within the caller\'s scope, by code',
  tags: ['organisation'],
  access: 'any-user',
  query: communitiesQuery,
  success: { status: 200, schema: communityPageSchema, description: 'A page of communities' },
  handler: ({ query, actor }) => listCommunities(actor, query),
});

route({
  method: 'get',
  path: '/communities/:id',
  summary: 'One community (404 outside the caller\'s scope)',
  tags: ['organisation'],
  access: 'any-user',
  params: idParams,
  success: { status: 200, schema: communitySchema, description: 'The community' },
  handler: ({ params, actor }) => getCommunityInScope(actor, params.id),
});

export const divisionsRouter = router;

import { createRouteGroup } from '../shared/http/route.ts';
import { contractPageSchema, contractSchema, contractsQuery, createContractBody } from './contracts.schemas.ts';
import { createContract, getContractInScope, listContracts } from './contracts.service.ts';
import { idParams } from './organisation.schemas.ts';

const { router, route } = createRouteGroup('/api/v1');

const CONTRACT_READERS = ['admin', 'auditor', 'finance_officer', 'provider_admin'] as const;

route({
  method: 'post',
  path: '/contracts',
  summary: 'Sign a contract: a provider\'s unit prices for service types in communities over a period',
  tags: ['organisation'],
  access: ['admin'],
  body: createContractBody,
  errors: ['DUPLICATE', 'SERVICE_UNAVAILABLE'],
  success: { status: 201, schema: contractSchema, description: 'The contract' },
  handler: ({ body, actor, requestId, lang }) => createContract({ actor, requestId, lang }, body),
});

route({
  method: 'get',
  path: '/contracts',
  summary: 'List contracts, newest period first (provider staff: their own)',
  tags: ['organisation'],
  access: CONTRACT_READERS,
  query: contractsQuery,
  success: { status: 200, schema: contractPageSchema, description: 'A page of contracts' },
  handler: ({ query, actor }) => listContracts(actor, query),
});

route({
  method: 'get',
  path: '/contracts/:id',
  summary: 'One contract (404 outside the caller\'s scope)',
  tags: ['organisation'],
  access: CONTRACT_READERS,
  params: idParams,
  success: { status: 200, schema: contractSchema, description: 'The contract' },
  handler: ({ params, actor }) => getContractInScope(actor, params.id),
});

export const contractsRouter = router;

import { createRouteGroup } from '../shared/http/route.ts';
import {
  caregiverPageSchema, caregiverParams, caregiverSchema, caregiversQuery, createCaregiverBody, updateCaregiverBody,
} from './caregivers.schemas.ts';
import { addCaregiver, getCaregiverInScope, listCaregivers, updateCaregiver } from './caregivers.service.ts';
import { idParams } from './organisation.schemas.ts';
import { createProviderBody, providerPageSchema, providerSchema, providersQuery, updateProviderBody } from './providers.schemas.ts';
import { createProvider, getProviderInScope, listProviders, updateProvider } from './providers.service.ts';

const { router, route } = createRouteGroup('/api/v1');

const PROVIDER_READERS = ['admin', 'auditor', 'finance_officer', 'street_officer', 'community_staff', 'provider_admin'] as const;

route({
  method: 'post',
  path: '/providers',
  summary: 'Register a provider (company, NGO or Starlight centre)',
  tags: ['organisation'],
  access: ['admin'],
  body: createProviderBody,
  errors: ['DUPLICATE'],
  success: { status: 201, schema: providerSchema, description: 'The provider' },
  handler: ({ body, actor, requestId, lang, config }) => createProvider({ actor, requestId, lang }, body, config.pii),
});

route({
  method: 'get',
  path: '/providers',
  summary: 'List providers (provider staff: their own)',
  tags: ['organisation'],
  access: PROVIDER_READERS,
  query: providersQuery,
  success: { status: 200, schema: providerPageSchema, description: 'A page of providers' },
  handler: ({ query, actor }) => listProviders(actor, query),
});

route({
  method: 'get',
  path: '/providers/:id',
  summary: 'One provider (404 outside the caller\'s scope)',
  tags: ['organisation'],
  access: PROVIDER_READERS,
  params: idParams,
  success: { status: 200, schema: providerSchema, description: 'The provider' },
  handler: ({ params, actor }) => getProviderInScope(actor, params.id),
});

route({
  method: 'patch',
  path: '/providers/:id',
  summary: 'Change a provider\'s contact, coverage, capacity, status or bank account (its number stored encrypted, answered masked)',
  tags: ['organisation'],
  access: ['admin'],
  params: idParams,
  body: updateProviderBody,
  success: { status: 200, schema: providerSchema, description: 'The provider as changed' },
  handler: ({ params, body, actor, requestId, lang, config }) => updateProvider({ actor, requestId, lang }, params.id, body, config.pii),
});

route({
  method: 'post',
  path: '/providers/:id/caregivers',
  summary: 'Add a caregiver to a provider (the phone is stored encrypted)',
  tags: ['organisation'],
  access: ['admin', 'provider_admin'],
  params: idParams,
  body: createCaregiverBody,
  errors: ['DUPLICATE'],
  success: { status: 201, schema: caregiverSchema, description: 'The caregiver, phone masked' },
  handler: ({ params, body, actor, requestId, lang, config }) => addCaregiver({ actor, requestId, lang }, config.pii, params.id, body),
});

route({
  method: 'get',
  path: '/providers/:id/caregivers',
  summary: 'A provider\'s caregivers, phones masked',
  tags: ['organisation'],
  access: ['admin', 'auditor', 'provider_admin'],
  params: idParams,
  query: caregiversQuery,
  success: { status: 200, schema: caregiverPageSchema, description: 'A page of caregivers' },
  handler: ({ params, query, actor }) => listCaregivers(actor, params.id, query),
});

route({
  method: 'get',
  path: '/providers/:id/caregivers/:caregiverId',
  summary: 'One caregiver of a provider, phone masked',
  tags: ['organisation'],
  access: ['admin', 'auditor', 'provider_admin'],
  params: caregiverParams,
  success: { status: 200, schema: caregiverSchema, description: 'The caregiver' },
  handler: ({ params, actor }) => getCaregiverInScope(actor, { providerId: params.id, caregiverId: params.caregiverId }),
});

route({
  method: 'patch',
  path: '/providers/:id/caregivers/:caregiverId',
  summary: 'Change a caregiver\'s details, skills or status',
  tags: ['organisation'],
  access: ['admin', 'provider_admin'],
  params: caregiverParams,
  body: updateCaregiverBody,
  errors: ['DUPLICATE'],
  success: { status: 200, schema: caregiverSchema, description: 'The caregiver as changed' },
  handler: ({ params, body, actor, requestId, lang, config }) =>
    updateCaregiver({ actor, requestId, lang }, config.pii, { providerId: params.id, caregiverId: params.caregiverId }, body),
});

export const providersRouter = router;

import { createRouteGroup } from '../shared/http/route.ts';
import { login, logout, refresh, revokeAllSessions } from './auth.service.ts';
import { createUserBody, loginBody, refreshBody, tokenPairSchema, updateUserBody, userIdParams, userSchema, usersPageSchema, usersQuery } from './identity.schemas.ts';
import { createUser, getUser, listUsers, updateUser } from './users.service.ts';

const { router, route } = createRouteGroup('/api/v1');

route({
  method: 'post',
  path: '/auth/login',
  summary: 'Sign in with username and password',
  tags: ['auth'],
  access: 'public',
  body: loginBody,
  errors: ['INVALID_CREDENTIALS', 'ACCOUNT_LOCKED', 'RATE_LIMITED'],
  success: { status: 200, schema: tokenPairSchema, description: 'Access and refresh tokens' },
  handler: ({ body, config, requestId }) => login(body.username, body.password, { config, requestId }),
});

route({
  method: 'post',
  path: '/auth/refresh',
  summary: 'Exchange a refresh token for a new pair (the old one is spent)',
  tags: ['auth'],
  access: 'public',
  body: refreshBody,
  errors: ['TOKEN_REUSED', 'RATE_LIMITED'],
  success: { status: 200, schema: tokenPairSchema, description: 'A new token pair' },
  handler: ({ body, config, requestId }) => refresh(body.refreshToken, { config, requestId }),
});

route({
  method: 'post',
  path: '/auth/logout',
  summary: 'Revoke the refresh token and its whole family',
  tags: ['auth'],
  access: 'any-user',
  body: refreshBody,
  errors: ['RATE_LIMITED'],
  success: { status: 204, description: 'Signed out' },
  handler: ({ body, actor, config, requestId }) => logout(body.refreshToken, actor, { config, requestId }),
});

route({
  method: 'get',
  path: '/me',
  summary: 'The signed-in user',
  tags: ['auth'],
  access: 'any-user',
  success: { status: 200, schema: userSchema, description: 'The user' },
  handler: ({ actor }) => getUser(actor.id),
});

route({
  method: 'post',
  path: '/users',
  summary: 'Create a user with a role and its scope',
  tags: ['users'],
  access: ['admin'],
  body: createUserBody,
  errors: ['DUPLICATE'],
  success: { status: 201, schema: userSchema, description: 'The user' },
  handler: ({ body, actor, requestId }) => createUser(body, actor, requestId),
});

route({
  method: 'get',
  path: '/users',
  summary: 'List users',
  tags: ['users'],
  access: ['admin'],
  query: usersQuery,
  success: { status: 200, schema: usersPageSchema, description: 'A page of users' },
  handler: ({ query }) => listUsers(query),
});

route({
  method: 'get',
  path: '/users/:id',
  summary: 'One user',
  tags: ['users'],
  access: ['admin'],
  params: userIdParams,
  success: { status: 200, schema: userSchema, description: 'The user' },
  handler: ({ params }) => getUser(params.id),
});

route({
  method: 'patch',
  path: '/users/:id',
  summary: 'Change a user\'s name, communities or active flag (deactivation ends their sessions)',
  tags: ['users'],
  access: ['admin'],
  params: userIdParams,
  body: updateUserBody,
  errors: ['RULE_VIOLATION'],
  success: { status: 200, schema: userSchema, description: 'The user' },
  handler: ({ params, body, actor, requestId }) => updateUser(params.id, body, actor, requestId, revokeAllSessions),
});

export const identityRouter = router;

import type { Role } from '../shared/roles.ts';
import { createRouteGroup } from '../shared/http/route.ts';
import { createVoucherPolicyBody, effectivePolicyQuery, voucherPoliciesQuery, voucherPolicyPageSchema, voucherPolicySchema } from './policy.schemas.ts';
import { createVoucherPolicy, getEffectivePolicy, listVoucherPolicies } from './policy.service.ts';

const { router, route } = createRouteGroup('/api/v1');

/** Policies are district-wide rules every member of staff may read; providers and caregivers may not. */
const STAFF: readonly Role[] = ['admin', 'finance_officer', 'auditor', 'street_officer', 'community_staff'];

route({
  method: 'post',
  path: '/voucher-policies',
  summary: 'Add a voucher policy, in force from its month on',
  tags: ['vouchers'],
  access: ['admin'],
  body: createVoucherPolicyBody,
  errors: ['DUPLICATE'],
  success: { status: 201, schema: voucherPolicySchema, description: 'The policy; 409 DUPLICATE when its month already has one or already has vouchers' },
  handler: ({ body, actor, requestId, lang }) => createVoucherPolicy({ actor, requestId, lang }, body),
});

route({
  method: 'get',
  path: '/voucher-policies',
  summary: 'Voucher policies, newest first',
  tags: ['vouchers'],
  access: STAFF,
  query: voucherPoliciesQuery,
  success: { status: 200, schema: voucherPolicyPageSchema, description: 'A page of policies' },
  handler: ({ query }) => listVoucherPolicies(query),
});

// Declared before any '/voucher-policies/:id' route, which would otherwise take 'effective' as an id.
route({
  method: 'get',
  path: '/voucher-policies/effective',
  summary: 'The policy in force in a month: the newest whose effectiveFrom is not after it',
  tags: ['vouchers'],
  access: STAFF,
  query: effectivePolicyQuery,
  success: { status: 200, schema: voucherPolicySchema, description: 'The policy; 404 when no policy covers the month' },
  handler: ({ query }) => getEffectivePolicy(query.month),
});

export const voucherPolicyRouter = router;

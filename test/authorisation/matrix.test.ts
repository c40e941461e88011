import { expect } from 'chai';
import request from 'supertest';
import { idCheckCharacter } from '../../src/seniors/id-number.ts';
import { enrolSenior, transitionSenior } from '../../src/seniors/index.ts';
import { issueMonth } from '../../src/vouchers/index.ts';
import { createOrder } from '../../src/dispatch/index.ts';
import { createCarePlan } from '../../src/care-plans/index.ts';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { buildOpenApiDocument } from '../../src/shared/openapi/registry.ts';
import { businessDay } from '../../src/shared/time.ts';
import type { Role } from '../../src/shared/roles.ts';
import { ROLES } from '../../src/shared/roles.ts';
import { VoucherPolicyModel } from '../../src/vouchers/policy.model.ts';
import { LineModel, RunProgressModel, SampleCheckModel, StatementModel } from '../../src/settlement/settlement.model.ts';
import { ProposalModel } from '../../src/life-events/life-event.model.ts';
import mongoose from 'mongoose';
import { TEST_USER_PASSWORD, authFor, createTestApp } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { makeCaregiver, makeCommunity, makeContract, makeProvider, makeServiceType, makeStreet, providerBody } from '../organisation/organisation.fixtures.ts';

/*
 * The authorisation matrix: every route of the OpenAPI document, every role, the answer expected.
 *   'ok'     — the role reaches everything (2xx, also for the other side's rows);
 *   'scoped' — 2xx for rows in the caller's scope (side A), 404 for rows outside it (side B), and
 *              lists that leave side B out;
 *   'scopedBody' — like 'scoped' for a create whose scope is a field of the body: 2xx for side A,
 *              400 for side B (the unknown reference; existence is not revealed either way);
 *   403      — the role may never call this route.
 * A route missing from the table fails the first test, so every new route must be added here.
 */
type Expectation = 'ok' | 'scoped' | 'scopedBody' | 403;
type Call = { path: string; body?: unknown; file?: { name: string; content: string } };

interface Row {
  /** The request against side A (the scoped users' side). */
  call: (w: World) => Call | Promise<Call>;
  /** The same request against side B, for routes that address one row. */
  outOfScope?: (w: World) => Call | Promise<Call>;
  /** For lists: the id that must appear (side A) and the one scoped roles must not see (side B). */
  list?: (w: World) => { includes: string; excludes: string };
  /** Where the listed ids are in the answer, when not `items[].id` (the reports' rows). */
  idsOf?: (body: any) => string[]; // eslint-disable-line @typescript-eslint/no-explicit-any -- any JSON answer
  expect: Record<Role, Expectation>;
}

type World = Awaited<ReturnType<typeof buildWorld>>;

let unique = 0;
const next = () => (unique += 1);
const all = (expectation: Expectation): Record<Role, Expectation> => Object.fromEntries(ROLES.map((role) => [role, expectation])) as Record<Role, Expectation>;
const only = (allowed: Partial<Record<Role, Expectation>>): Record<Role, Expectation> => ({ ...all(403), ...allowed });

const MATRIX: Record<string, Row> = {
  'GET /api/v1/audit': { call: () => ({ path: '/api/v1/audit' }), expect: only({ admin: 'ok', auditor: 'ok' }) },
  'GET /api/v1/audit/verify': { call: () => ({ path: '/api/v1/audit/verify' }), expect: only({ admin: 'ok', auditor: 'ok' }) },
  'GET /api/v1/audit/export': { call: () => ({ path: '/api/v1/audit/export' }), expect: only({ admin: 'ok', auditor: 'ok' }) },
  'GET /api/v1/seniors/import/template': { call: () => ({ path: '/api/v1/seniors/import/template' }), expect: only({ admin: 'ok', community_staff: 'ok' }) },

  'POST /api/v1/streets': { call: () => ({ path: '/api/v1/streets', body: { name: '新街道', code: String(900_000_000 + next()) } }), expect: only({ admin: 'ok' }) },
  'GET /api/v1/streets': { call: () => ({ path: '/api/v1/streets' }), expect: all('ok') },
  'GET /api/v1/streets/{id}': { call: (w) => ({ path: `/api/v1/streets/${w.streetA.id}` }), outOfScope: (w) => ({ path: `/api/v1/streets/${w.streetB.id}` }), expect: all('ok') },

  'POST /api/v1/communities': {
    call: (w) => ({ path: '/api/v1/communities', body: { name: '新社区', code: `${w.streetA.code}${String(500 + next()).slice(-3)}`, streetId: w.streetA.id, location: { lng: 117.25, lat: 31.85 } } }),
    expect: only({ admin: 'ok' }),
  },
  'GET /api/v1/communities': {
    call: () => ({ path: '/api/v1/communities?pageSize=200' }),
    list: (w) => ({ includes: w.communityA.id, excludes: w.communityB.id }),
    expect: { ...all('ok'), street_officer: 'scoped', community_staff: 'scoped' },
  },
  'GET /api/v1/communities/{id}': {
    call: (w) => ({ path: `/api/v1/communities/${w.communityA.id}` }),
    outOfScope: (w) => ({ path: `/api/v1/communities/${w.communityB.id}` }),
    expect: { ...all('ok'), street_officer: 'scoped', community_staff: 'scoped' },
  },

  'POST /api/v1/service-types': {
    call: () => ({ path: '/api/v1/service-types', body: { code: `svc_matrix_${next()}`, name: '助洁', unit: 'hour', minutesPerUnit: 60, emergency: false, onSite: false } }),
    expect: only({ admin: 'ok' }),
  },
  'GET /api/v1/service-types': { call: () => ({ path: '/api/v1/service-types' }), expect: all('ok') },
  'GET /api/v1/service-types/{code}': { call: (w) => ({ path: `/api/v1/service-types/${w.serviceType.code}` }), expect: all('ok') },
  'PATCH /api/v1/service-types/{code}': { call: (w) => ({ path: `/api/v1/service-types/${w.serviceType.code}`, body: { minutesPerUnit: 60 } }), expect: only({ admin: 'ok' }) },

  'POST /api/v1/providers': { call: (w) => ({ path: '/api/v1/providers', body: providerBody([w.communityA.id]) }), expect: only({ admin: 'ok' }) },
  'GET /api/v1/providers': {
    call: () => ({ path: '/api/v1/providers?pageSize=200' }),
    list: (w) => ({ includes: w.providerA.id, excludes: w.providerB.id }),
    expect: { ...all('ok'), provider_admin: 'scoped', caregiver: 403 },
  },
  'GET /api/v1/providers/{id}': {
    call: (w) => ({ path: `/api/v1/providers/${w.providerA.id}` }),
    outOfScope: (w) => ({ path: `/api/v1/providers/${w.providerB.id}` }),
    expect: { ...all('ok'), provider_admin: 'scoped', caregiver: 403 },
  },
  'PATCH /api/v1/providers/{id}': {
    call: (w) => ({ path: `/api/v1/providers/${w.providerA.id}`, body: { dailyCapacity: 30 } }),
    outOfScope: (w) => ({ path: `/api/v1/providers/${w.providerB.id}`, body: { dailyCapacity: 30 } }),
    expect: only({ admin: 'ok' }),
  },
  'POST /api/v1/providers/{id}/caregivers': {
    call: (w) => ({ path: `/api/v1/providers/${w.providerA.id}/caregivers`, body: caregiverBody(w) }),
    outOfScope: (w) => ({ path: `/api/v1/providers/${w.providerB.id}/caregivers`, body: caregiverBody(w) }),
    expect: only({ admin: 'ok', provider_admin: 'scoped' }),
  },
  'GET /api/v1/providers/{id}/caregivers': {
    call: (w) => ({ path: `/api/v1/providers/${w.providerA.id}/caregivers` }),
    outOfScope: (w) => ({ path: `/api/v1/providers/${w.providerB.id}/caregivers` }),
    expect: only({ admin: 'ok', auditor: 'ok', provider_admin: 'scoped' }),
  },
  'GET /api/v1/providers/{id}/caregivers/{caregiverId}': {
    call: (w) => ({ path: `/api/v1/providers/${w.providerA.id}/caregivers/${w.caregiverA.id}` }),
    outOfScope: (w) => ({ path: `/api/v1/providers/${w.providerB.id}/caregivers/${w.caregiverB.id}` }),
    expect: only({ admin: 'ok', auditor: 'ok', provider_admin: 'scoped' }),
  },
  'PATCH /api/v1/providers/{id}/caregivers/{caregiverId}': {
    call: (w) => ({ path: `/api/v1/providers/${w.providerA.id}/caregivers/${w.caregiverA.id}`, body: { status: 'active' } }),
    outOfScope: (w) => ({ path: `/api/v1/providers/${w.providerB.id}/caregivers/${w.caregiverB.id}`, body: { status: 'active' } }),
    expect: only({ admin: 'ok', provider_admin: 'scoped' }),
  },

  'POST /api/v1/contracts': {
    // Each call takes a year of its own, so calls never overlap one another.
    call: (w) => { const year = 2100 + next(); return { path: '/api/v1/contracts', body: { providerId: w.providerA.id, validFrom: `${year}-01-01`, validTo: `${year}-12-31`, communityIds: [w.communityA.id], prices: [{ serviceTypeCode: w.serviceType.code, unitPriceFen: 4000 }] } }; },
    expect: only({ admin: 'ok' }),
  },
  'GET /api/v1/contracts': {
    call: () => ({ path: '/api/v1/contracts?pageSize=200' }),
    list: (w) => ({ includes: w.contractA.id, excludes: w.contractB.id }),
    expect: only({ admin: 'ok', auditor: 'ok', finance_officer: 'ok', provider_admin: 'scoped' }),
  },
  'GET /api/v1/contracts/{id}': {
    call: (w) => ({ path: `/api/v1/contracts/${w.contractA.id}` }),
    outOfScope: (w) => ({ path: `/api/v1/contracts/${w.contractB.id}` }),
    expect: only({ admin: 'ok', auditor: 'ok', finance_officer: 'ok', provider_admin: 'scoped' }),
  },

  'POST /api/v1/auth/logout': { call: () => ({ path: '/api/v1/auth/logout', body: { refreshToken: 'r'.repeat(43) } }), expect: all('ok') },
  'GET /api/v1/me': { call: () => ({ path: '/api/v1/me' }), expect: all('ok') },
  'POST /api/v1/users': {
    call: () => ({ path: '/api/v1/users', body: { username: `matrix.user${next()}`, password: 'long-enough-1', displayName: '审计员', role: 'auditor' } }),
    expect: only({ admin: 'ok' }),
  },
  'GET /api/v1/users': { call: () => ({ path: '/api/v1/users' }), expect: only({ admin: 'ok' }) },
  'GET /api/v1/users/{id}': { call: (w) => ({ path: `/api/v1/users/${w.users.auditor.actor.id}` }), expect: only({ admin: 'ok' }) },
  'PATCH /api/v1/users/{id}': { call: (w) => ({ path: `/api/v1/users/${w.users.auditor.actor.id}`, body: { displayName: '审计员' } }), expect: only({ admin: 'ok' }) },

  'POST /api/v1/seniors': {
    call: (w) => ({ path: '/api/v1/seniors', body: enrolmentBody(w.communityA.id) }),
    outOfScope: (w) => ({ path: '/api/v1/seniors', body: enrolmentBody(w.communityB.id) }),
    expect: only({ admin: 'ok', community_staff: 'scopedBody' }),
  },
  'POST /api/v1/seniors/import': {
    // Scope applies per row (a row for another community is reported invalid), not to the route.
    call: (w) => ({ path: '/api/v1/seniors/import', file: { name: 'register.csv', content: `name,idNumber,phone,address,communityCode,categories,careLevel,livingArrangement\n王秀英,${nextIdNumber()},13912345678,合肥市蜀山区桐城路1号,${w.communityA.code},空巢,1,独居\n` } }),
    expect: only({ admin: 'ok', community_staff: 'ok' }),
  },
  'POST /api/v1/service-records/imports': {
    // A header alone is a valid, empty upload: the route's scope is the provider named (a provider's own only).
    call: (w) => ({ path: `/api/v1/service-records/imports?providerId=${w.providerA.id}`, file: { name: 'records.csv', content: 'seniorIdNumber,serviceTypeCode,quantity,caregiverPhone,checkInAt,checkInLng,checkInLat,checkOutAt,checkOutLng,checkOutLat,externalId\n' } }),
    outOfScope: (w) => ({ path: `/api/v1/service-records/imports?providerId=${w.providerB.id}`, file: { name: 'records.csv', content: 'seniorIdNumber,serviceTypeCode,quantity,caregiverPhone,checkInAt,checkInLng,checkInLat,checkOutAt,checkOutLng,checkOutLat,externalId\n' } }),
    expect: only({ admin: 'ok', provider_admin: 'scoped' }),
  },
  'GET /api/v1/service-records/imports/template': { call: () => ({ path: '/api/v1/service-records/imports/template' }), expect: only({ admin: 'ok', provider_admin: 'ok' }) },
  'POST /api/v1/life-events/imports': {
    // A header alone is a valid, empty feed; a street officer's rows of other streets answer not_registered (no 404 to give).
    call: () => ({ path: '/api/v1/life-events/imports', file: { name: 'feed.csv', content: '身份证号,事件,日期\n' } }),
    expect: only({ admin: 'ok', street_officer: 'ok' }),
  },
  'GET /api/v1/life-events/imports/template': { call: () => ({ path: '/api/v1/life-events/imports/template' }), expect: only({ admin: 'ok', street_officer: 'ok' }) },
  'GET /api/v1/life-events/proposals': {
    call: () => ({ path: '/api/v1/life-events/proposals?pageSize=200' }),
    list: (w) => ({ includes: w.proposalA, excludes: w.proposalB }),
    expect: only({ admin: 'ok', street_officer: 'scoped' }),
  },
  'POST /api/v1/life-events/proposals/{id}/confirm': {
    call: async (w) => ({ path: `/api/v1/life-events/proposals/${await w.freshProposal('A')}/confirm`, body: { note: '矩阵测试' } }),
    outOfScope: async (w) => ({ path: `/api/v1/life-events/proposals/${await w.freshProposal('B')}/confirm`, body: {} }),
    expect: only({ admin: 'ok', street_officer: 'scoped' }),
  },
  'POST /api/v1/life-events/proposals/{id}/reject': {
    call: async (w) => ({ path: `/api/v1/life-events/proposals/${await w.freshProposal('A')}/reject`, body: { reason: '矩阵测试' } }),
    outOfScope: async (w) => ({ path: `/api/v1/life-events/proposals/${await w.freshProposal('B')}/reject`, body: { reason: '矩阵测试' } }),
    expect: only({ admin: 'ok', street_officer: 'scoped' }),
  },
  'GET /api/v1/seniors': {
    call: () => ({ path: '/api/v1/seniors?pageSize=200' }),
    list: (w) => ({ includes: w.seniorA.id, excludes: w.seniorB.id }),
    expect: only({ admin: 'ok', auditor: 'ok', finance_officer: 'ok', street_officer: 'scoped', community_staff: 'scoped' }),
  },
  'GET /api/v1/seniors/{id}': {
    call: (w) => ({ path: `/api/v1/seniors/${w.seniorA.id}` }),
    outOfScope: (w) => ({ path: `/api/v1/seniors/${w.seniorB.id}` }),
    expect: only({ admin: 'ok', auditor: 'ok', finance_officer: 'ok', street_officer: 'scoped', community_staff: 'scoped' }),
  },
  'PATCH /api/v1/seniors/{id}': {
    call: (w) => ({ path: `/api/v1/seniors/${w.seniorA.id}`, body: { address: `合肥市蜀山区长江西路${next()}号` } }),
    outOfScope: (w) => ({ path: `/api/v1/seniors/${w.seniorB.id}`, body: { address: `合肥市蜀山区长江西路${next()}号` } }),
    expect: only({ admin: 'ok', community_staff: 'scoped' }),
  },
  'POST /api/v1/seniors/{id}/approve': seniorAction('approve', 'pending_review', undefined, only({ admin: 'ok', street_officer: 'scoped' })),
  'POST /api/v1/seniors/{id}/reject': seniorAction('reject', 'pending_review', { reason: '材料不全' }, only({ admin: 'ok', street_officer: 'scoped' })),
  'POST /api/v1/seniors/{id}/suspend': seniorAction('suspend', 'active', { reason: '住院' }, only({ admin: 'ok', community_staff: 'scoped' })),
  'POST /api/v1/seniors/{id}/resume': seniorAction('resume', 'suspended', undefined, only({ admin: 'ok', community_staff: 'scoped' })),
  'POST /api/v1/seniors/{id}/deactivate': seniorAction('deactivate', 'active', { reason: 'moved_out', effectiveDate: '2026-01-31' }, only({ admin: 'ok', community_staff: 'scoped' })),
  'POST /api/v1/seniors/{id}/reveal': {
    call: (w) => ({ path: `/api/v1/seniors/${w.seniorA.id}/reveal`, body: { fields: ['phone'], reason: '电话回访核对' } }),
    outOfScope: (w) => ({ path: `/api/v1/seniors/${w.seniorB.id}/reveal`, body: { fields: ['phone'], reason: '电话回访核对' } }),
    expect: only({ admin: 'ok', community_staff: 'scoped' }),
  },
  'GET /api/v1/seniors/{id}/export': {
    call: (w) => ({ path: `/api/v1/seniors/${w.seniorA.id}/export?reason=${encodeURIComponent('老人本人申请查阅')}` }),
    outOfScope: (w) => ({ path: `/api/v1/seniors/${w.seniorB.id}/export?reason=${encodeURIComponent('老人本人申请查阅')}` }),
    expect: only({ admin: 'ok', community_staff: 'scoped' }),
  },
  'POST /api/v1/seniors/{id}/confirmation-pin/reset': {
    call: (w) => ({ path: `/api/v1/seniors/${w.seniorA.id}/confirmation-pin/reset` }),
    outOfScope: (w) => ({ path: `/api/v1/seniors/${w.seniorB.id}/confirmation-pin/reset` }),
    expect: only({ admin: 'ok', community_staff: 'scoped' }),
  },
  'GET /api/v1/seniors/{id}/history': {
    call: (w) => ({ path: `/api/v1/seniors/${w.seniorA.id}/history` }),
    outOfScope: (w) => ({ path: `/api/v1/seniors/${w.seniorB.id}/history` }),
    expect: only({ admin: 'ok', auditor: 'ok', finance_officer: 'ok', street_officer: 'scoped', community_staff: 'scoped' }),
  },
  'GET /api/v1/seniors/{id}/card': {
    call: (w) => ({ path: `/api/v1/seniors/${w.seniorA.id}/card` }),
    outOfScope: (w) => ({ path: `/api/v1/seniors/${w.seniorB.id}/card` }),
    expect: only({ admin: 'ok', community_staff: 'scoped' }),
  },
  'GET /api/v1/letters': {
    // The current month: made on the spot (no job has stored it), one page per active senior.
    call: (w) => ({ path: `/api/v1/letters?month=${businessDay(new Date(), 'Asia/Shanghai').slice(0, 7)}&communityId=${w.communityA.id}` }),
    outOfScope: (w) => ({ path: `/api/v1/letters?month=${businessDay(new Date(), 'Asia/Shanghai').slice(0, 7)}&communityId=${w.communityB.id}` }),
    expect: only({ admin: 'ok', community_staff: 'scoped' }),
  },

  'GET /api/v1/seniors/{id}/voucher-account': {
    call: (w) => ({ path: `/api/v1/seniors/${w.seniorA.id}/voucher-account` }),
    outOfScope: (w) => ({ path: `/api/v1/seniors/${w.seniorB.id}/voucher-account` }),
    expect: only({ admin: 'ok', auditor: 'ok', finance_officer: 'ok', street_officer: 'scoped', community_staff: 'scoped' }),
  },
  'GET /api/v1/seniors/{id}/voucher-account/entries': {
    call: (w) => ({ path: `/api/v1/seniors/${w.seniorA.id}/voucher-account/entries` }),
    outOfScope: (w) => ({ path: `/api/v1/seniors/${w.seniorB.id}/voucher-account/entries` }),
    expect: only({ admin: 'ok', auditor: 'ok', finance_officer: 'ok', street_officer: 'scoped', community_staff: 'scoped' }),
  },
  'POST /api/v1/seniors/{id}/voucher-account/adjustments': {
    call: async (w) => ({ path: `/api/v1/seniors/${(await w.creditedSenior('A')).id}/voucher-account/adjustments`, body: { amountFen: 100, reason: '矩阵测试' } }),
    outOfScope: async (w) => ({ path: `/api/v1/seniors/${(await w.creditedSenior('B')).id}/voucher-account/adjustments`, body: { amountFen: 100, reason: '矩阵测试' } }),
    expect: only({ admin: 'ok', finance_officer: 'ok' }),
  },
  'POST /api/v1/vouchers/issuance': {
    call: () => ({ path: '/api/v1/vouchers/issuance', body: { month: '2000-03' } }),
    expect: only({ admin: 'ok', finance_officer: 'ok' }),
  },
  'POST /api/v1/voucher-policies': {
    // A far-future month per call: one policy per month, and later than any month issued in this run.
    call: () => ({ path: '/api/v1/voucher-policies', body: matrixPolicyBody(`${5000 + next()}-06`) }),
    expect: only({ admin: 'ok' }),
  },
  'GET /api/v1/voucher-policies': { call: () => ({ path: '/api/v1/voucher-policies' }), expect: { ...all('ok'), provider_admin: 403, caregiver: 403 } },
  'GET /api/v1/voucher-policies/effective': {
    call: async () => {
      const { effectiveFrom: _id, ...policy } = matrixPolicyBody('2000-01');
      await VoucherPolicyModel.updateOne({ _id }, { $setOnInsert: { ...policy, createdBy: 'matrix', createdAt: new Date() } }, { upsert: true });
      return { path: '/api/v1/voucher-policies/effective?month=2000-02' };
    },
    expect: { ...all('ok'), provider_admin: 403, caregiver: 403 },
  },

  'POST /api/v1/service-orders': {
    call: (w) => ({ path: '/api/v1/service-orders', body: orderBody(w.seniorA.id, w.serviceType.code) }),
    outOfScope: (w) => ({ path: '/api/v1/service-orders', body: orderBody(w.seniorB.id, w.serviceType.code) }),
    expect: only({ admin: 'ok', community_staff: 'scoped' }),
  },
  'GET /api/v1/service-orders': {
    call: () => ({ path: '/api/v1/service-orders?pageSize=200' }),
    list: (w) => ({ includes: w.orderA, excludes: w.orderB }),
    expect: { ...all('ok'), street_officer: 'scoped', community_staff: 'scoped', provider_admin: 'scoped', caregiver: 'scoped' },
  },
  'GET /api/v1/service-orders/{id}': {
    call: (w) => ({ path: `/api/v1/service-orders/${w.orderA}` }),
    outOfScope: (w) => ({ path: `/api/v1/service-orders/${w.orderB}` }),
    expect: { ...all('ok'), street_officer: 'scoped', community_staff: 'scoped', provider_admin: 'scoped', caregiver: 'scoped' },
  },
  'GET /api/v1/service-orders/{id}/history': {
    call: (w) => ({ path: `/api/v1/service-orders/${w.orderA}/history` }),
    outOfScope: (w) => ({ path: `/api/v1/service-orders/${w.orderB}/history` }),
    expect: { ...all('ok'), street_officer: 'scoped', community_staff: 'scoped', provider_admin: 'scoped', caregiver: 'scoped' },
  },
  'POST /api/v1/service-orders/{id}/accept': {
    call: async (w) => ({ path: `/api/v1/service-orders/${await w.freshOrder('A')}/accept` }),
    outOfScope: async (w) => ({ path: `/api/v1/service-orders/${await w.freshOrder('B')}/accept` }),
    expect: only({ provider_admin: 'scoped' }),
  },
  'POST /api/v1/service-orders/{id}/decline': {
    call: async (w) => ({ path: `/api/v1/service-orders/${await w.freshOrder('A')}/decline`, body: { reason: '人手不足' } }),
    outOfScope: async (w) => ({ path: `/api/v1/service-orders/${await w.freshOrder('B')}/decline`, body: { reason: '人手不足' } }),
    expect: only({ provider_admin: 'scoped' }),
  },
  'POST /api/v1/service-orders/{id}/dispatch': {
    call: async (w) => ({ path: `/api/v1/service-orders/${await w.freshOrder('A', true)}/dispatch`, body: {} }),
    outOfScope: async (w) => ({ path: `/api/v1/service-orders/${await w.freshOrder('B', true)}/dispatch`, body: {} }),
    expect: only({ admin: 'ok', community_staff: 'scoped' }),
  },

  'POST /api/v1/service-orders/{id}/assign': orderAction('assign', 'accepted', (w) => ({ caregiverId: w.caregiverA.id }), only({ provider_admin: 'scoped' })),
  'POST /api/v1/service-orders/{id}/check-in': orderAction('check-in', 'assigned', () => ({ lng: 117.25, lat: 31.85 }), only({ caregiver: 'scoped' })),
  'POST /api/v1/service-orders/{id}/check-out': orderAction('check-out', 'in_service', () => ({ lng: 117.25, lat: 31.85, noCodeReason: '老人记不清核验码' }), only({ caregiver: 'scoped' })),
  // orderIn's orders are scheduled for tomorrow: inside the caregiver's window for the phone.
  'POST /api/v1/service-orders/{id}/senior-phone': orderAction('senior-phone', 'assigned', () => ({}), only({ caregiver: 'scoped' })),
  'POST /api/v1/service-orders/{id}/confirm': orderAction('confirm', 'completed', () => ({ method: 'callback', satisfaction: 5 }), only({ community_staff: 'scoped' })),
  'POST /api/v1/service-orders/{id}/cancel': orderAction('cancel', 'accepted', () => ({ reason: '矩阵测试' }), only({ admin: 'ok', community_staff: 'scoped', provider_admin: 'scoped' })),
  'POST /api/v1/service-orders/{id}/dispute': orderAction('dispute', 'completed', () => ({ reason: '矩阵测试' }), only({ admin: 'ok', finance_officer: 'ok', community_staff: 'scoped' })),
  'POST /api/v1/service-orders/{id}/resolve-dispute': orderAction('resolve-dispute', 'disputed', () => ({ outcome: 'valid', note: '矩阵测试' }), only({ admin: 'ok', finance_officer: 'ok' })),

  'POST /api/v1/alerts': {
    call: (w) => ({ path: '/api/v1/alerts', body: { seniorId: w.seniorA.id, source: 'hotline' } }),
    outOfScope: (w) => ({ path: '/api/v1/alerts', body: { seniorId: w.seniorB.id, source: 'hotline' } }),
    expect: only({ admin: 'ok', community_staff: 'scoped' }),
  },
  'GET /api/v1/alerts': { call: () => ({ path: '/api/v1/alerts' }), expect: only({ admin: 'ok', community_staff: 'ok' }) },

  'POST /api/v1/care-plans': {
    call: (w) => ({ path: '/api/v1/care-plans', body: carePlanBody(w.seniorA.id, w.serviceType.code) }),
    outOfScope: (w) => ({ path: '/api/v1/care-plans', body: carePlanBody(w.seniorB.id, w.serviceType.code) }),
    expect: only({ admin: 'ok', community_staff: 'scoped' }),
  },
  'GET /api/v1/care-plans': {
    call: () => ({ path: '/api/v1/care-plans?pageSize=200' }),
    list: (w) => ({ includes: w.planA, excludes: w.planB }),
    expect: only({ admin: 'ok', auditor: 'ok', street_officer: 'scoped', community_staff: 'scoped' }),
  },
  'POST /api/v1/care-plans/{id}/stop': {
    call: async (w) => ({ path: `/api/v1/care-plans/${await w.freshPlan('A')}/stop` }),
    outOfScope: async (w) => ({ path: `/api/v1/care-plans/${await w.freshPlan('B')}/stop` }),
    expect: only({ admin: 'ok', community_staff: 'scoped' }),
  },

  // Reports answer one document per month; 'scoped' means side B's rows are left out of it.
  'GET /api/v1/reports/overview': {
    call: () => ({ path: '/api/v1/reports/overview' }),
    list: (w) => ({ includes: w.communityA.id, excludes: w.communityB.id }),
    idsOf: (body) => body.seniors.byCommunity.map((row: { communityId: string }) => row.communityId),
    expect: only({ admin: 'ok', finance_officer: 'ok', auditor: 'ok', street_officer: 'scoped', community_staff: 'scoped' }),
  },
  'GET /api/v1/reports/providers': {
    call: () => ({ path: '/api/v1/reports/providers' }),
    list: (w) => ({ includes: w.providerA.id, excludes: w.providerB.id }),
    idsOf: (body) => body.providers.map((row: { providerId: string }) => row.providerId),
    expect: only({ admin: 'ok', finance_officer: 'ok', auditor: 'ok', street_officer: 'scoped', community_staff: 'scoped' }),
  },
  'GET /api/v1/reports/anomalies': {
    call: async (w) => {
      await makeFlaggedVisits(w);
      return { path: '/api/v1/reports/anomalies' };
    },
    list: (w) => ({ includes: flaggedVisits.get(w)!.A, excludes: flaggedVisits.get(w)!.B }),
    idsOf: (body) => body.flaggedVisits.map((row: { orderId: string }) => row.orderId),
    expect: only({ admin: 'ok', finance_officer: 'ok', auditor: 'ok', street_officer: 'scoped', community_staff: 'scoped' }),
  },
  // The auditor reads the reviews in the report but does not make them.
  'POST /api/v1/reports/anomalies/reviews': {
    call: async (w) => ({ path: '/api/v1/reports/anomalies/reviews', body: { orderId: await w.orderIn('A', 'completed'), outcome: 'fine', note: '矩阵测试' } }),
    outOfScope: async (w) => ({ path: '/api/v1/reports/anomalies/reviews', body: { orderId: await w.orderIn('B', 'completed'), outcome: 'fine', note: '矩阵测试' } }),
    expect: only({ admin: 'ok', finance_officer: 'ok', street_officer: 'scoped' }),
  },

  'GET /api/v1/jobs': { call: () => ({ path: '/api/v1/jobs' }), expect: only({ admin: 'ok' }) },
  'GET /api/v1/jobs/runs': { call: () => ({ path: '/api/v1/jobs/runs' }), expect: only({ admin: 'ok' }) },
  'POST /api/v1/jobs/{name}/run': { call: () => ({ path: '/api/v1/jobs/audit-verify/run?wait=true', body: {} }), expect: only({ admin: 'ok' }) },

  'GET /api/v1/notifications': { call: () => ({ path: '/api/v1/notifications' }), expect: only({ admin: 'ok' }) },

  'POST /api/v1/settlements': { call: () => ({ path: '/api/v1/settlements', body: { period: '2000-03' } }), expect: only({ finance_officer: 'ok' }) },
  'GET /api/v1/settlements': {
    call: () => ({ path: '/api/v1/settlements?pageSize=200' }),
    list: (w) => ({ includes: w.statementA, excludes: w.statementB }),
    expect: only({ admin: 'ok', auditor: 'ok', finance_officer: 'ok' }),
  },
  'GET /api/v1/settlements/summary': { call: () => ({ path: '/api/v1/settlements/summary?period=2000-03' }), expect: only({ admin: 'ok', auditor: 'ok', finance_officer: 'ok' }) },
  'GET /api/v1/settlements/runs/{period}': { call: () => ({ path: '/api/v1/settlements/runs/1999-12' }), expect: only({ admin: 'ok', auditor: 'ok', finance_officer: 'ok' }) },
  'GET /api/v1/settlements/statements/{id}': {
    call: (w) => ({ path: `/api/v1/settlements/statements/${w.statementA}` }),
    outOfScope: (w) => ({ path: `/api/v1/settlements/statements/${w.statementB}` }),
    expect: only({ admin: 'ok', auditor: 'ok', finance_officer: 'ok', provider_admin: 'scoped' }),
  },
  'GET /api/v1/settlements/statements/{id}/lines': {
    call: (w) => ({ path: `/api/v1/settlements/statements/${w.statementA}/lines` }),
    outOfScope: (w) => ({ path: `/api/v1/settlements/statements/${w.statementB}/lines` }),
    expect: only({ admin: 'ok', auditor: 'ok', finance_officer: 'ok', provider_admin: 'scoped' }),
  },
  'GET /api/v1/settlements/statements/{id}/export': {
    call: (w) => ({ path: `/api/v1/settlements/statements/${w.statementA}/export?format=csv` }),
    outOfScope: (w) => ({ path: `/api/v1/settlements/statements/${w.statementB}/export?format=csv` }),
    expect: only({ admin: 'ok', auditor: 'ok', finance_officer: 'ok', provider_admin: 'scoped' }),
  },
  'POST /api/v1/settlements/statements/{id}/approve': {
    call: async (w) => ({ path: `/api/v1/settlements/statements/${await w.freshStatement('A', 'draft')}/approve`, body: {} }),
    expect: only({ finance_officer: 'ok' }),
  },
  'POST /api/v1/settlements/statements/{id}/adjustments': {
    call: async (w) => ({ path: `/api/v1/settlements/statements/${await w.freshStatement('A', 'draft')}/adjustments`, body: { amountFen: -100, reason: '矩阵测试的调整', correctsPeriod: '2000-01' } }),
    expect: only({ finance_officer: 'ok' }),
  },
  'POST /api/v1/settlements/statements/{id}/adjustments/{adjustmentId}/approve': {
    call: async (w) => ({ path: `/api/v1/settlements/statements/${await freshManualAdjustment(w)}/approve`, body: {} }),
    expect: only({ finance_officer: 'ok' }),
  },
  'POST /api/v1/settlements/statements/{id}/adjustments/{adjustmentId}/reject': {
    call: async (w) => ({ path: `/api/v1/settlements/statements/${await freshManualAdjustment(w)}/reject`, body: { note: '矩阵测试驳回' } }),
    expect: only({ finance_officer: 'ok' }),
  },
  'POST /api/v1/settlements/statements/{id}/pay': {
    call: async (w) => ({ path: `/api/v1/settlements/statements/${await w.freshStatement('A', 'approved')}/pay`, body: { paymentRef: 'BANK-2026-001', paidAt: new Date().toISOString() } }),
    expect: only({ finance_officer: 'ok' }),
  },
  'GET /api/v1/settlements/payment-file': { call: () => ({ path: '/api/v1/settlements/payment-file?period=2000-03&layout=generic' }), expect: only({ admin: 'ok', finance_officer: 'ok' }) },
  'POST /api/v1/settlements/payment-returns': {
    call: () => ({ path: '/api/v1/settlements/payment-returns', file: { name: 'return.csv', content: '结算单号,金额,状态,银行流水号,日期\n' } }),
    expect: only({ finance_officer: 'ok' }),
  },
  'GET /api/v1/settlements/sample-checks': {
    call: () => ({ path: '/api/v1/settlements/sample-checks?pageSize=200' }),
    list: (w) => ({ includes: w.checkA, excludes: w.checkB }),
    expect: only({ admin: 'ok', auditor: 'ok', finance_officer: 'ok', community_staff: 'scoped' }),
  },
  'POST /api/v1/settlements/sample-checks/{id}/record': {
    call: async (w) => ({ path: `/api/v1/settlements/sample-checks/${await w.freshCheck('A')}/record`, body: { outcome: 'visit_happened' } }),
    outOfScope: async (w) => ({ path: `/api/v1/settlements/sample-checks/${await w.freshCheck('B')}/record`, body: { outcome: 'visit_happened' } }),
    expect: only({ admin: 'ok', community_staff: 'scoped' }),
  },
};

/** Routes anyone may call without a token, with the answer expected. */
const PUBLIC: Record<string, { call: (w: World) => Call; status: number }> = {
  'POST /api/v1/auth/login': { call: (w) => ({ path: '/api/v1/auth/login', body: { username: w.users.admin.username, password: TEST_USER_PASSWORD } }), status: 200 },
  'POST /api/v1/auth/refresh': { call: () => ({ path: '/api/v1/auth/refresh', body: { refreshToken: 'x'.repeat(43) } }), status: 401 },
  'GET /healthz': { call: () => ({ path: '/healthz' }), status: 200 },
  'GET /readyz': { call: () => ({ path: '/readyz' }), status: 200 },
  'GET /metrics': { call: () => ({ path: '/metrics' }), status: 200 },
  // The SMS provider's pushes: anonymous, but refused without the shared secret of their URL (test/notifications covers the signed side).
  'POST /api/v1/notifications/sms/inbound': { call: () => ({ path: '/api/v1/notifications/sms/inbound', body: [{ phone_number: '13912345678', content: '1', sequence_id: 1 }] }), status: 401 },
  'POST /api/v1/notifications/sms/reports': { call: () => ({ path: '/api/v1/notifications/sms/reports', body: [{ success: true, out_id: 'x' }] }), status: 401 },
};

// The anomalies report lists flagged visits of the month: one on each side, made once per world.
const flaggedVisits = new WeakMap<World, { A: string; B: string }>();
async function makeFlaggedVisits(w: World): Promise<void> {
  if (flaggedVisits.has(w)) return;
  const flagged = async (side: 'A' | 'B') => {
    const id = await w.orderIn(side, 'completed');
    const now = new Date();
    await OrderModel.updateOne({ _id: id }, { $set: { flags: ['short_visit'], isFlagged: true, scheduledStart: now, scheduledDay: businessDay(now, 'Asia/Shanghai') } });
    return id;
  };
  flaggedVisits.set(w, { A: await flagged('A'), B: await flagged('B') });
}

/** A lifecycle action on a senior freshly put in `status`, on side A or B, enrolled by someone else. */
function seniorAction(action: string, status: 'pending_review' | 'active' | 'suspended', body: object | undefined, expect: Record<Role, Expectation>): Row {
  const make = (side: 'A' | 'B') => async (w: World): Promise<Call> => {
    const senior = await w.freshSenior(side, status);
    return { path: `/api/v1/seniors/${senior.id}/${action}`, body };
  };
  return { call: make('A'), outOfScope: make('B'), expect };
}

let idSequence = 0;
/** A valid ID number of someone born on 1 January 1950, unique within this run (up to 999). */
function nextIdNumber(): string {
  idSequence += 1;
  const base = `34010419500101${String(idSequence).padStart(3, '0')}`;
  return base + idCheckCharacter(base);
}

function enrolmentBody(communityId: string) {
  return {
    name: '王秀英', idNumber: nextIdNumber(), phone: '13912345678', address: '合肥市蜀山区桐城路1号',
    communityId, livingArrangement: 'alone', categories: ['living_alone'], careLevel: 2, emergencyContacts: [], privacyNotice: { version: '2026-01', basis: 'public_duty' },
  };
}

function matrixPolicyBody(effectiveFrom: string) {
  return {
    name: '矩阵测试政策', effectiveFrom, combine: 'max', categories: [{ category: 'empty_nest', monthlyAmountFen: 30_000, subsidyRatePct: 50 }],
    careLevelSupplementFen: [0, 0, 0, 0, 0, 0], defaultSubsidyRatePct: 30, fundingSplit: { cityPct: 50, districtPct: 50 }, expiry: { mode: 'end_of_month' },
  };
}

/** An action on an order freshly brought to `status` on side A or B (its provider and caregiver). */
function orderAction(action: string, status: string, body: (w: World) => object, expect: Record<Role, Expectation>): Row {
  const make = (side: 'A' | 'B') => async (w: World): Promise<Call> => ({ path: `/api/v1/service-orders/${await w.orderIn(side, status)}/${action}`, body: body(w) });
  return { call: make('A'), outOfScope: make('B'), expect };
}

function orderBody(seniorId: string, serviceTypeCode: string) {
  return { seniorId, serviceTypeCode, quantity: 1, scheduledStart: new Date(Date.now() + 86_400_000).toISOString(), source: 'hotline' };
}

function carePlanBody(seniorId: string, serviceTypeCode: string) {
  return { seniorId, serviceTypeCode, quantity: 1, weekdays: [1, 3, 5], time: '11:00', startDate: '2099-01-05' };
}

function caregiverBody(w: World) {
  return { name: '护理员', phone: `139${String(10_000_000 + next()).slice(-8)}`, skills: [w.serviceType.code] };
}

async function buildWorld(config: ReturnType<typeof createTestApp>['config']) {
  const [streetA, streetB] = [await makeStreet('甲街道'), await makeStreet('乙街道')];
  const [communityA, communityB] = [await makeCommunity(streetA, '甲社区'), await makeCommunity(streetB, '乙社区')];
  const serviceType = await makeServiceType();
  await makeServiceType('emergency_matrix', { emergency: true }); // alerts need an emergency service
  const [providerA, providerB] = [await makeProvider([communityA.id]), await makeProvider([communityB.id])];
  const [caregiverA, caregiverB] = [await makeCaregiver(config.pii, providerA.id, [serviceType.code]), await makeCaregiver(config.pii, providerB.id, [serviceType.code])];
  const price = [{ serviceTypeCode: serviceType.code, unitPriceFen: 4000 }];
  const [contractA, contractB] = [await makeContract(providerA.id, [communityA.id], price), await makeContract(providerB.id, [communityB.id], price)];
  const scopeOf: Record<Role, Parameters<typeof authFor>[2]> = {
    admin: {}, auditor: {}, finance_officer: {},
    street_officer: { streetId: streetA.id },
    community_staff: { communityIds: [communityA.id] },
    provider_admin: { providerId: providerA.id },
    caregiver: { providerId: providerA.id, caregiverId: caregiverA.id },
  };
  const users = {} as Record<Role, Awaited<ReturnType<typeof authFor>> & { username: string }>;
  for (const role of ROLES) {
    const auth = await authFor(config, role, scopeOf[role]);
    users[role] = { ...auth, username: (auth.actor as unknown as { username: string }).username };
  }
  // Seniors are enrolled by a registrar who is none of the matrix users, so approving is never self-approval.
  const registrar = { actor: { id: 'aaaaaaaaaaaaaaaaaaaaaaaa', role: 'admin' as const, communityIds: [], streetId: null, providerId: null, caregiverId: null }, config, requestId: null, lang: 'zh' as const };
  const freshSenior = async (side: 'A' | 'B', status: 'pending_review' | 'active' | 'suspended') => {
    const senior = await enrolSenior(enrolmentBody(side === 'A' ? communityA.id : communityB.id), registrar);
    const approver = { ...registrar, actor: { ...registrar.actor, id: 'bbbbbbbbbbbbbbbbbbbbbbbb' } };
    if (status !== 'pending_review') await transitionSenior(senior.id, { action: 'approve' }, approver);
    if (status === 'suspended') await transitionSenior(senior.id, { action: 'suspend', reason: '住院' }, approver);
    return senior;
  };
  const [seniorA, seniorB] = [await freshSenior('A', 'active'), await freshSenior('B', 'active')];
  // Adjustments need an account: a senior credited through the monthly issuance of a test policy.
  await VoucherPolicyModel.updateOne({ _id: '2000-01' }, { $setOnInsert: { ...matrixPolicyBody('2000-01'), createdBy: 'matrix', createdAt: new Date() } }, { upsert: true });
  const creditedSenior = async (side: 'A' | 'B') => {
    const senior = await freshSenior(side, 'active');
    await issueMonth('2000-03', 'matrix');
    return senior;
  };
  // Orders: each side's senior gets one, offered to that side's provider; side A's is also given to
  // caregiver A so the caregiver's scope has something to see.
  const freshOrder = async (side: 'A' | 'B', unassigned = false) => {
    const { order } = await createOrder(orderBody(side === 'A' ? seniorA.id : seniorB.id, serviceType.code) as Parameters<typeof createOrder>[0], { actor: registrar.actor, config, requestId: null });
    if (unassigned) await OrderModel.updateOne({ _id: order._id }, { $set: { status: 'unassigned', offer: null, 'dispatch.attempts': [] } });
    return String(order._id);
  };
  const [orderA, orderB] = [await freshOrder('A'), await freshOrder('B')];
  await OrderModel.updateOne({ _id: orderA }, { $set: { caregiverId: caregiverA.id } });
  // Moves a fresh order straight to a state in the database, as if the earlier steps had happened.
  const orderIn = async (side: 'A' | 'B', status: string) => {
    const id = await freshOrder(side);
    const [provider, caregiver] = side === 'A' ? [providerA, caregiverA] : [providerB, caregiverB];
    const at = new Date(Date.now() - 60 * 60_000);
    const set: Record<string, unknown> = { status, providerId: provider.id, offer: null };
    if (status !== 'accepted') set.caregiverId = caregiver.id;
    if (['in_service', 'completed', 'disputed'].includes(status)) set.checkIn = { at, lng: 117.25, lat: 31.85, distanceM: 0 };
    if (['completed', 'disputed'].includes(status)) set.checkOut = { at: new Date(), lng: 117.25, lat: 31.85, distanceM: 0 };
    await OrderModel.updateOne({ _id: id }, { $set: set });
    return id;
  };
  // Care plans: one per side for the lists, and fresh ones to stop (a plan stops once).
  const freshPlan = async (side: 'A' | 'B') => {
    const plan = await createCarePlan(carePlanBody(side === 'A' ? seniorA.id : seniorB.id, serviceType.code), { actor: registrar.actor, config, requestId: null });
    return plan.id;
  };
  const [planA, planB] = [await freshPlan('A'), await freshPlan('B')];
  // Statements and review callbacks are written directly: each call needs a fresh one in a given state.
  const freshStatement = async (side: 'A' | 'B', status: 'draft' | 'approved') => {
    const provider = side === 'A' ? providerA : providerB;
    const period = `${3000 + next()}-01`;
    const approved = status === 'approved' ? { approvedBy: 'matrix', approvedAt: new Date(Date.now() - 86_400_000) } : {};
    await StatementModel.create({
      _id: `${period}-${provider.id}`, period, providerId: provider.id, providerName: provider.name, status, fundingSplit: { cityPct: 50, districtPct: 50 },
      totals: { grossFen: 0, subsidyFen: 0, selfPayFen: 0, penaltyFen: 0, adjustmentFen: 0, payableFen: 0, cityFen: 0, districtFen: 0, carryForwardFen: 0 }, ...approved,
    });
    return `${period}-${provider.id}`;
  };
  const [statementA, statementB] = [await freshStatement('A', 'draft'), await freshStatement('B', 'draft')];
  const freshCheck = async (side: 'A' | 'B') => {
    const id = new mongoose.Types.ObjectId().toHexString();
    await SampleCheckModel.create({
      _id: id, statementId: side === 'A' ? statementA : statementB, period: '3000-01', providerId: side === 'A' ? providerA.id : providerB.id,
      communityId: side === 'A' ? communityA.id : communityB.id, seniorId: side === 'A' ? seniorA.id : seniorB.id, serviceTypeCode: serviceType.code, scheduledStart: new Date(), status: 'open',
    });
    return id;
  };
  const [checkA, checkB] = [await freshCheck('A'), await freshCheck('B')];
  await RunProgressModel.create({ _id: '1999-12', status: 'completed', runId: 'matrix', startedAt: new Date(), heartbeatAt: new Date(), completedAt: new Date() });
  // Life-event proposals: a move reported for a fresh senior of the side, imported by the registrar (never a matrix user).
  const freshProposal = async (side: 'A' | 'B') => {
    const senior = await freshSenior(side, 'active');
    const day = businessDay(new Date(), 'Asia/Shanghai');
    const proposal = await ProposalModel.create({
      key: `${senior.id}:moved_out:${day}`, seniorId: senior.id, streetId: senior.streetId, communityId: senior.communityId, event: 'moved_out', date: day, status: 'pending',
      sourceFile: 'matrix.csv', importedBy: registrar.actor.id, importedAt: new Date(),
    });
    return String(proposal._id);
  };
  const [proposalA, proposalB] = [await freshProposal('A'), await freshProposal('B')];
  return {
    proposalA, proposalB, freshProposal, statementA, statementB, freshStatement, checkA, checkB, freshCheck, streetA, streetB, communityA, communityB, serviceType, providerA, providerB, caregiverA, caregiverB, contractA, contractB, users, seniorA, seniorB, freshSenior, creditedSenior, orderA, orderB, freshOrder, orderIn, planA, planB, freshPlan };
}

/** A draft with a manual adjustment pending, entered by someone who is not a matrix user: '<statement>/adjustments/<id>'. */
async function freshManualAdjustment(w: { freshStatement: (side: 'A' | 'B', status: 'draft' | 'approved') => Promise<string> }): Promise<string> {
  const statementId = await w.freshStatement('A', 'draft');
  const id = `manual:${new mongoose.Types.ObjectId().toHexString()}`;
  await LineModel.create({
    _id: id, kind: 'adjustment', statementId, period: statementId.slice(0, 7), providerId: statementId.slice(8), amountFen: -100, cityFen: -50, correctsPeriod: statementId.slice(0, 7),
    reason: 'manual', note: '矩阵测试的调整', adjustmentStatus: 'pending', enteredBy: 'matrix', createdAt: new Date(),
  });
  return `${statementId}/adjustments/${id}`;
}

describe('authorisation matrix', function () {
  this.timeout(120_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  let world: World;
  before(async () => {
    world = await buildWorld(config);
  });

  const send = (method: string, call: Call, authorization?: string) => {
    const verb = method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
    const req = request(app)[verb](call.path);
    if (authorization) req.set('Authorization', authorization);
    if (call.file) return req.attach('file', Buffer.from(call.file.content), call.file.name);
    return call.body === undefined ? req : req.send(call.body as object);
  };

  it('lists every route of the OpenAPI document, and nothing else', () => {
    const documented = Object.entries(buildOpenApiDocument().paths ?? {}).flatMap(([path, operations]) => Object.keys(operations ?? {}).map((method) => `${method.toUpperCase()} ${path}`));

    expect([...Object.keys(MATRIX), ...Object.keys(PUBLIC)].sort()).to.deep.equal(documented.sort());
  });

  it('answers 401 on every non-public route without a token', async () => {
    for (const [route, row] of Object.entries(MATRIX)) {
      const res = await send(route.split(' ')[0]!, await row.call(world));
      expect(res.status, route).to.equal(401);
    }
  });

  it('lets anyone call the public routes', async () => {
    for (const [route, row] of Object.entries(PUBLIC)) {
      const res = await send(route.split(' ')[0]!, row.call(world));
      expect(res.status, route).to.equal(row.status);
    }
  });

  for (const role of ROLES) {
    it(`gives ${role} exactly the answers of the table, in and out of scope`, async () => {
      const { authorization } = world.users[role];
      for (const [route, row] of Object.entries(MATRIX)) {
        const method = route.split(' ')[0]!;
        const expected = row.expect[role];
        const inScope = await send(method, await row.call(world), authorization);
        const where = `${role} ${route}`;
        if (expected === 403) {
          expect(inScope.status, where).to.equal(403);
          expect(inScope.body.error.code, where).to.equal('FORBIDDEN');
          continue;
        }
        expect(inScope.status, `${where}: ${JSON.stringify(inScope.body).slice(0, 300)}`).to.be.within(200, 299);
        if (row.list) {
          const ids = row.idsOf ? row.idsOf(inScope.body) : (inScope.body.items as { id: string }[]).map((item) => item.id);
          const { includes, excludes } = row.list(world);
          expect(ids, `${where} sees its own`).to.include(includes);
          if (expected !== 'ok') expect(ids, `${where} must not see the other side`).not.to.include(excludes);
          else expect(ids, `${where} sees everything`).to.include(excludes);
        }
        if (row.outOfScope) {
          const outside = await send(method, await row.outOfScope(world), authorization);
          if (expected === 'scoped') {
            expect(outside.status, `${where} outside its scope`).to.equal(404);
            expect(outside.body.error.code, where).to.equal('NOT_FOUND');
          } else if (expected === 'scopedBody') {
            expect(outside.status, `${where} with the other side in its body`).to.equal(400);
          } else {
            expect(outside.status, `${where} on the other side`).to.be.within(200, 299);
          }
        }
      }
    });
  }
});

import { recordAudit } from '../audit/index.ts';
import { getSenior } from '../seniors/index.ts';
import { createRouteGroup, type RouteInput } from '../shared/http/route.ts';
import { businessMonth } from '../shared/time.ts';
import { accountOf, adjustBalance, entriesOf, toEntryView } from './account.service.ts';
import { capsViewOf } from './caps.service.ts';
import { issueMonth } from './issuance.service.ts';
import { accountQuery, accountWithCapsSchema, adjustmentBody, entriesQuery, entryPageSchema, entrySchema, issuanceBody, issuanceSchema, seniorIdParams } from './vouchers.schemas.ts';

const { router, route } = createRouteGroup('/api/v1');

const READERS = ['admin', 'auditor', 'finance_officer', 'street_officer', 'community_staff'] as const;

/** The senior must be in the caller's scope (else 404) before their account is shown or moved. */
const assertSeniorVisible = (input: RouteInput<{ id: string }, unknown, unknown>) =>
  getSenior(input.params.id, { actor: input.actor, config: input.config, requestId: input.requestId, lang: input.lang });

route({
  method: 'get', path: '/seniors/:id/voucher-account', summary: 'The senior\'s voucher balance, held and available amounts', tags: ['vouchers'],
  access: READERS, params: seniorIdParams, query: accountQuery,
  success: { status: 200, schema: accountWithCapsSchema, description: 'The account (zero before the first issuance), with the caps of the month (?month=, else the current one) and what is used of them' },
  handler: async (input) => {
    await assertSeniorVisible(input);
    const month = input.query.month ?? businessMonth(new Date(), input.config.businessTimeZone);
    const [account, caps] = await Promise.all([accountOf(input.params.id), capsViewOf(input.params.id, month)]);
    return { ...account, caps };
  },
});

route({
  method: 'get', path: '/seniors/:id/voucher-account/entries', summary: 'The senior\'s ledger entries, oldest first', tags: ['vouchers'],
  access: READERS, params: seniorIdParams, query: entriesQuery,
  success: { status: 200, schema: entryPageSchema, description: 'A page of entries' },
  handler: async (input) => {
    await assertSeniorVisible(input);
    return entriesOf(input.params.id, input.query);
  },
});

route({
  method: 'post', path: '/seniors/:id/voucher-account/adjustments', summary: 'A manual correction with its reason (audited); an Idempotency-Key header makes retries safe', tags: ['vouchers'],
  access: ['admin', 'finance_officer'], params: seniorIdParams, body: adjustmentBody,
  errors: ['INSUFFICIENT_BALANCE'],
  success: { status: 201, schema: entrySchema, description: 'The adjustment entry' },
  handler: async (input, req) => {
    await assertSeniorVisible(input);
    const idempotencyKey = req.get('Idempotency-Key');
    const applied = await adjustBalance({
      seniorId: input.params.id, amountFen: input.body.amountFen, reason: input.body.reason, by: input.actor.id,
      month: businessMonth(new Date(), input.config.businessTimeZone),
      idempotencyKey: idempotencyKey && /^[\w.:-]{8,100}$/.test(idempotencyKey) ? idempotencyKey : undefined,
    });
    if (applied.isNew) {
      await recordAudit({ actor: input.actor, action: 'voucher.adjust', entityType: 'voucher_account', entityId: input.params.id, requestId: input.requestId, after: { entryId: applied.entry._id, amountFen: input.body.amountFen, reason: input.body.reason } });
    }
    return toEntryView(applied.entry);
  },
});

route({
  method: 'post', path: '/vouchers/issuance', summary: 'Issue a month\'s vouchers now (idempotent: a re-run credits nothing new)', tags: ['vouchers'],
  access: ['admin', 'finance_officer'], body: issuanceBody,
  errors: ['RULE_VIOLATION'],
  success: { status: 200, schema: issuanceSchema, description: 'Counts of the run and the month\'s total' },
  handler: async (input) => {
    const result = await issueMonth(input.body.month, input.actor.id);
    await recordAudit({ actor: input.actor, action: 'voucher.issue_month', entityType: 'voucher_month', entityId: input.body.month, requestId: input.requestId, after: result });
    return result;
  },
});

export const vouchersRouter = router;

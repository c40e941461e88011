import { z } from 'zod';
import { pageOf, pageQuery } from '../shared/http/pagination.ts';
import { bilingual } from '../shared/i18n.ts';
import { dateTimeOut, nullableDateTimeOut, objectIdParam } from '../shared/http/schemas.ts';
import { ORDER_FLAGS, ORDER_SOURCES } from './order.model.ts';
import { ORDER_STATUSES } from './order.state-machine.ts';
import { COORD_SYSTEMS } from '../shared/geo.ts';

export const createOrderBody = z
  .object({
    seniorId: objectIdParam,
    serviceTypeCode: z.string().regex(/^[a-z][a-z0-9_]{1,49}$/),
    quantity: z.number().int().min(1).max(20),
    scheduledStart: z.iso.datetime({ offset: true }),
    notes: z.string().max(500).trim().optional(),
    source: z.enum(['hotline', 'staff', 'care_plan', 'emergency']),
  })
  .strict()
  .openapi('CreateServiceOrderRequest');

const point = z.object({
  at: dateTimeOut, lng: z.number(), lat: z.number(), distanceM: z.number(),
  accuracyM: z.number().nullable().openapi({ description: 'the phone\'s reported accuracy, metres' }),
  receivedAt: dateTimeOut.openapi({ description: 'when the service received the record (at is when it happened)' }),
}).nullable();

const dispatchAttempts = z.array(z.object({ providerId: z.string(), offeredAt: dateTimeOut, answeredAt: nullableDateTimeOut.openapi({ description: 'when the offer was accepted, declined or found expired; null while open and on offers recorded before this field' }), outcome: z.string(), reason: z.string().nullable() }));
const ranking = z.array(z.object({ providerId: z.string(), score: z.number(), distanceKm: z.number(), reasons: z.array(z.string()) }));

/**
 * The senior as the caregiver sees them at the door: only on the assigned caregiver's own visits
 * of today and tomorrow (Asia/Shanghai) that are not closed; absent everywhere else.
 */
const visitSeniorSchema = z
  .object({
    name: z.string(),
    address: z.string(),
    phoneMasked: z.string().openapi({ description: 'POST /service-orders/:id/senior-phone answers the full number (audited)' }),
    location: z.object({ lng: z.number(), lat: z.number() }).nullable(),
    mapUrl: z.string().openapi({ description: 'an Amap (高德) link to the senior\'s home' }),
  })
  .openapi('VisitSenior', { description: '老人上门信息：只在指派给本护理员、今明两天（上海时间）且未结束的服务单上出现' });

/** An order in a list: everything but `dispatch.ranking`, which lives beside the order (detail only). */
export const orderListItemSchema = z
  .object({
    id: z.string(),
    number: z.string().nullable().openapi({ description: 'human order number: GD + the Asia/Shanghai day of creation (YYYYMMDD) + that day\'s sequence (4 digits or more); unique and increasing, not gapless; null on orders created before numbers existed', example: 'GD202612030001' }),
    seniorId: z.string(),
    communityId: z.string(),
    serviceTypeCode: z.string(),
    quantity: z.number().int(),
    scheduledStart: dateTimeOut,
    notes: z.string().nullable().openapi({ description: 'the service note given with the order (what the caregiver should know)' }),
    source: z.enum(ORDER_SOURCES).openapi({ description: 'provider_record: a visit uploaded by its provider (POST /service-records/imports)' }),
    externalId: z.string().nullable().openapi({ description: 'the provider\'s own record id of an uploaded visit; null otherwise' }),
    priority: z.enum(['normal', 'emergency']),
    status: z.enum(ORDER_STATUSES),
    providerId: z.string().nullable(),
    caregiverId: z.string().nullable(),
    offer: z.object({ providerId: z.string(), offeredAt: dateTimeOut, expiresAt: dateTimeOut }).nullable(),
    dispatch: z.object({ attempts: dispatchAttempts }),
    priceFen: z.number().int(),
    subsidyFen: z.number().int(),
    selfPayFen: z.number().int(),
    checkIn: point,
    checkOut: point,
    durationMinutes: z.number().nullable(),
    flags: z.array(z.enum(ORDER_FLAGS)),
    confirmation: z.object({ method: z.string().openapi({ description: 'visit_code, senior_pin, callback or sms_reply (the senior answered the SMS question)' }), at: dateTimeOut, by: z.string(), satisfaction: z.number().nullable() }).nullable(),
    noCodeReason: z.string().nullable().openapi({ description: 'why the caregiver checked out without the senior\'s code or PIN (for the callback)' }),
    senior: visitSeniorSchema.optional(),
    offerFacts: z.object({
      senior: z.object({ nameMasked: z.string(), addressArea: z.string().openapi({ description: 'the address to the door number (no building or flat)' }) }).nullable(),
      rank: z.number().int().nullable().openapi({ description: '1 = this provider was the first choice; null when staff dispatched it by hand' }),
      candidates: z.number().int(),
      reasons: z.array(z.string()).openapi({ description: 'the ranking\'s reasons for this provider, in Chinese' }),
    }).optional().openapi({ description: 'to a provider\'s dispatcher, on orders offered to their provider: whom it is for and why it came to them' }),
    statementId: z.string().nullable(),
    createdAt: dateTimeOut,
    updatedAt: nullableDateTimeOut,
  })
  .openapi('ServiceOrderListItem', { description: '列表中的服务单：不含 dispatch.ranking（派单排名只在 GET /service-orders/:id 等单条答复中），使列表的代价只随本页条数' });

export const orderSchema = orderListItemSchema
  .extend({ dispatch: z.object({ attempts: dispatchAttempts, ranking }) })
  .openapi('ServiceOrder');

export const createdOrderSchema = z.object({ order: orderSchema, visitCode: z.string().openapi({ description: 'the 6-digit code to read to the senior; shown only here' }) }).openapi('CreatedServiceOrder');

export const ordersQuery = z
  .object({
    status: z.enum(ORDER_STATUSES).optional(),
    communityId: objectIdParam.optional(),
    providerId: objectIdParam.optional(),
    seniorId: objectIdParam.optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    flagged: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    ...pageQuery,
  })
  .strict();

export const orderPageSchema = pageOf(orderListItemSchema).openapi('ServiceOrderPage');
export const orderParams = z.object({ id: objectIdParam }).strict();
export const declineBody = z.object({ reason: z.string().max(500).trim().min(1) }).strict();
export const manualDispatchBody = z.object({ providerId: objectIdParam.optional() }).strict();

export const orderHistorySchema = pageOf(z.object({
  id: z.string(), at: dateTimeOut, actorId: z.string(), action: z.string(), fromStatus: z.string(), toStatus: z.string(), reason: z.string().nullable(), details: z.unknown(),
}));
export const historyQuery = z.object({ ...pageQuery }).strict();

const lng = z.number().min(73).max(136);
const lat = z.number().min(3).max(54);
export const assignBody = z.object({ caregiverId: objectIdParam }).strict();
/** The phone's datum: GPS is WGS-84 (the default); a point picked on a Chinese map is GCJ-02. */
const coordSystem = z.enum(COORD_SYSTEMS).optional().openapi({ description: 'wgs84 (GPS, the default) or gcj02; stored and compared in WGS-84' });
/** What a phone records at the door, also without signal (sent later by its queue). */
const deviceRecord = {
  recordedAt: z.iso.datetime({ offset: true }).optional().openapi({ description: 'the phone\'s time when the step was taken (offline records are sent later); default: when received' }),
  accuracyM: z.number().min(0).max(100_000).optional().openapi({ description: 'the GPS fix\'s accuracy, metres' }),
  clientRecordId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, bilingual('记录编号格式不正确', 'clientRecordId: 8-64 letters, digits, _ or -')).optional()
    .openapi({ description: 'the phone\'s id of this record: the same id again changes nothing and answers the order as it is' }),
};
export const checkInBody = z.object({ lng, lat, coordSystem, ...deviceRecord }).strict();
const sixDigits = (zh: string) => z.string().regex(/^\d{6}$/, bilingual(`${zh}为6位数字`, 'six digits'));
export const checkOutBody = z
  .object({
    lng,
    lat,
    coordSystem,
    ...deviceRecord,
    visitCode: sixDigits('服务核验码').optional().openapi({ description: 'the order\'s 6-digit code read by the senior: the visit is confirmed at once' }),
    seniorPin: sixDigits('个人确认码').optional().openapi({ description: 'instead of visitCode: the senior\'s personal confirmation PIN, good for any order of the senior (care-plan and emergency orders too); wrong tries count per senior, 5 lock it' }),
    noCodeReason: z.string().max(500).trim().min(4, bilingual('请写明老人无法提供核验码的原因（至少4个字）', 'say why the senior could not give a code (at least 4 characters)')).optional()
      .openapi({ description: 'when the senior can give neither code nor PIN: why; the visit is completed and waits for a staff callback. Exactly one of visitCode, seniorPin, noCodeReason (else 400 VALIDATION_FAILED, nothing changes)' }),
    notes: z.string().max(500).trim().optional(),
  })
  .strict();
export const seniorPhoneSchema = z.object({ phone: z.string() }).openapi('VisitSeniorPhone');
export const confirmBody = z.object({ method: z.literal('callback'), satisfaction: z.number().int().min(1).max(5).optional(), note: z.string().max(500).trim().optional() }).strict();
export const reasonBody = z.object({ reason: z.string().max(500).trim().min(1) }).strict();
export const resolveBody = z.object({ outcome: z.enum(['valid', 'invalid']), note: z.string().max(500).trim().min(1) }).strict();

import { z } from 'zod';
import { pageOf, pageQuery } from '../shared/http/pagination.ts';
import { dateTimeOut, objectIdParam } from '../shared/http/schemas.ts';
import { CARE_PLAN_STATUSES } from './care-plan.model.ts';
import { bilingual } from '../shared/i18n.ts';

const day = z.iso.date();

export const createCarePlanBody = z
  .object({
    seniorId: objectIdParam,
    serviceTypeCode: z.string().regex(/^[a-z][a-z0-9_]{1,49}$/),
    quantity: z.number().int().min(1).max(20),
    weekdays: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .refine((days) => new Set(days).size === days.length, bilingual('星期不能重复', 'weekdays must not repeat'))
      .openapi({ description: 'ISO weekdays, Monday = 1 … Sunday = 7' }),
    time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, bilingual('时间格式应为 时:分，如 09:30', 'HH:mm')).openapi({ description: 'start time, Asia/Shanghai' }),
    startDate: day,
    endDate: day.optional(),
  })
  .strict()
  .superRefine((plan, ctx) => {
    if (plan.endDate !== undefined && plan.endDate < plan.startDate) ctx.addIssue({ code: 'custom', path: ['endDate'], message: bilingual('结束日期不能早于开始日期', 'endDate is before startDate') });
  })
  .openapi('CreateCarePlanRequest');

export const carePlanSchema = z
  .object({
    id: z.string(),
    seniorId: z.string(),
    communityId: z.string(),
    serviceTypeCode: z.string(),
    quantity: z.number().int(),
    weekdays: z.array(z.number().int()),
    time: z.string(),
    startDate: z.string(),
    endDate: z.string().nullable(),
    status: z.enum(CARE_PLAN_STATUSES),
    createdBy: z.string(),
    createdAt: dateTimeOut,
  })
  .openapi('CarePlan');

export const carePlansQuery = z
  .object({ seniorId: objectIdParam.optional(), status: z.enum(CARE_PLAN_STATUSES).optional(), ...pageQuery })
  .strict()
  .openapi('CarePlansQuery');

export const carePlanParams = z.object({ id: objectIdParam }).strict();

export const carePlanPageSchema = pageOf(carePlanSchema).openapi('CarePlanPage');

export type CreateCarePlanInput = z.output<typeof createCarePlanBody>;
export type CarePlanView = z.input<typeof carePlanSchema>;

import { z } from 'zod';
import { pageOf, pageQuery } from '../shared/http/pagination.ts';
import { dateTimeOut } from '../shared/http/schemas.ts';
import { bilingual } from '../shared/i18n.ts';
import { onlyWhenValid, serviceTypeCodeField } from './organisation.schemas.ts';
import { SERVICE_UNITS } from './service-types.model.ts';

export const createServiceTypeBody = z
  .object({
    code: serviceTypeCodeField,
    name: z.string().max(50).trim().min(1).openapi({ description: 'Chinese name, e.g. 助浴' }),
    unit: z.enum(SERVICE_UNITS),
    minutesPerUnit: z.number().int().min(1).max(24 * 60),
    emergency: z.boolean(),
    onSite: z.boolean().openapi({ description: 'Delivered in the senior\'s home or at the community centre' }),
  })
  .strict()
  .openapi('CreateServiceType');

// The code is what orders, contracts, prices and skills refer to, so it never changes; every
// other field may (a renamed service keeps its history under the same code).
export const updateServiceTypeBody = createServiceTypeBody
  .omit({ code: true })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { error: bilingual('至少修改一个字段', 'Change at least one field'), when: onlyWhenValid })
  .openapi('UpdateServiceType');

export const serviceTypeSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    unit: z.enum(SERVICE_UNITS),
    minutesPerUnit: z.number().int(),
    emergency: z.boolean(),
    onSite: z.boolean(),
    createdAt: dateTimeOut,
    updatedAt: dateTimeOut,
  })
  .openapi('ServiceType');

export const serviceTypesQuery = z.object({ ...pageQuery }).strict();
export const serviceTypePageSchema = pageOf(serviceTypeSchema).openapi('ServiceTypePage');
export const serviceTypeCodeParams = z.object({ code: serviceTypeCodeField }).strict();

export type CreateServiceTypeInput = z.output<typeof createServiceTypeBody>;
export type UpdateServiceTypeInput = z.output<typeof updateServiceTypeBody>;

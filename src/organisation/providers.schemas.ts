import { z } from 'zod';
import { pageOf, pageQuery } from '../shared/http/pagination.ts';
import { dateTimeOut, objectIdParam } from '../shared/http/schemas.ts';
import { bilingual } from '../shared/i18n.ts';
import { PHONE_PATTERN } from '../shared/pii.ts';
import { bankAccountBody, bankAccountOut } from './bank-account.ts';
import { isValidCreditCode } from './credit-code.ts';
import { idList, locationOut, locationSchema, nameField, onlyWhenValid } from './organisation.schemas.ts';
import { PROVIDER_KINDS, PROVIDER_STATUSES } from './providers.model.ts';

export const creditCodeField = z
  .string()
  .refine(isValidCreditCode, bilingual('统一社会信用代码无效（18 位，校验位须正确）', 'Not a valid unified social credit code (18 characters with a correct check character)'))
  .transform((code) => code.trim().toUpperCase())
  .openapi({ example: '91350100M000100Y43' });

export const phoneField = z.string().trim().regex(PHONE_PATTERN, bilingual('电话号码格式不正确', 'Not a valid phone number'));

const dailyCapacityField = z.number().int().min(1).max(10_000);
const STARLIGHT_NEEDS_COMMUNITY = bilingual('星光老年之家须至少服务一个社区', 'A Starlight centre serves at least one community');

export const createProviderBody = z
  .object({
    name: nameField,
    kind: z.enum(PROVIDER_KINDS),
    creditCode: creditCodeField,
    contactName: z.string().max(50).trim().min(1),
    contactPhone: phoneField,
    address: z.string().max(200).trim().min(1),
    location: locationSchema,
    communityIds: idList,
    dailyCapacity: dailyCapacityField,
    status: z.enum(PROVIDER_STATUSES).default('active'),
    bankAccount: bankAccountBody.optional(),
  })
  .strict()
  .refine((provider) => provider.kind !== 'starlight_center' || provider.communityIds.length > 0, {
    path: ['communityIds'],
    error: STARLIGHT_NEEDS_COMMUNITY,
    when: onlyWhenValid,
  })
  .openapi('CreateProvider');

export const updateProviderBody = z
  .object({
    name: nameField.optional(),
    contactName: z.string().max(50).trim().min(1).optional(),
    contactPhone: phoneField.optional(),
    address: z.string().max(200).trim().min(1).optional(),
    location: locationSchema.optional(),
    communityIds: idList.optional(),
    dailyCapacity: dailyCapacityField.optional(),
    status: z.enum(PROVIDER_STATUSES).optional(),
    bankAccount: bankAccountBody.optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { error: bilingual('至少修改一个字段', 'Change at least one field'), when: onlyWhenValid })
  .openapi('UpdateProvider');

export const providerSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(PROVIDER_KINDS),
    creditCode: z.string(),
    contactName: z.string(),
    contactPhone: z.string(),
    address: z.string(),
    location: locationOut,
    communityIds: z.array(z.string()),
    dailyCapacity: z.number().int(),
    status: z.enum(PROVIDER_STATUSES),
    bankAccount: bankAccountOut.nullable().openapi({ description: 'the payee account of the batch payment file, its number masked; null until set' }),
    createdAt: dateTimeOut,
    updatedAt: dateTimeOut,
  })
  .openapi('Provider');

export const providersQuery = z
  .object({
    kind: z.enum(PROVIDER_KINDS).optional(),
    status: z.enum(PROVIDER_STATUSES).optional(),
    communityId: objectIdParam.optional(),
    ...pageQuery,
  })
  .strict();

export const providerPageSchema = pageOf(providerSchema).openapi('ProviderPage');

export { STARLIGHT_NEEDS_COMMUNITY };
export type CreateProviderInput = z.output<typeof createProviderBody>;
export type UpdateProviderInput = z.output<typeof updateProviderBody>;

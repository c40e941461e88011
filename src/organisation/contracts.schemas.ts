import { z } from 'zod';
import { pageOf, pageQuery } from '../shared/http/pagination.ts';
import { dateTimeOut, objectIdParam } from '../shared/http/schemas.ts';
import { bilingual } from '../shared/i18n.ts';
import { daySchema, idList, onlyWhenValid, serviceTypeCodeField } from './organisation.schemas.ts';

const priceSchema = z
  .object({
    serviceTypeCode: serviceTypeCodeField,
    // zod 4's int() admits safe integers only, so 2^53 fen is refused here as well as by the model.
    unitPriceFen: z.number().int().positive(),
  })
  .strict()
  .openapi('ContractPrice');

const pricesField = z
  .array(priceSchema)
  .min(1, bilingual('至少包含一项服务价格', 'At least one price'))
  .max(100)
  .superRefine((prices, ctx) => {
    const codes = prices.map((price) => price.serviceTypeCode);
    codes.forEach((code, index) => {
      if (codes.indexOf(code) !== index) {
        ctx.addIssue({ code: 'custom', path: [index, 'serviceTypeCode'], message: bilingual('同一服务项目只能定价一次', 'A service type is priced once per contract') });
      }
    });
  });

export const createContractBody = z
  .object({
    providerId: objectIdParam,
    validFrom: daySchema,
    validTo: daySchema,
    communityIds: idList.min(1, bilingual('至少包含一个社区', 'At least one community')),
    prices: pricesField,
  })
  .strict()
  .refine((contract) => contract.validTo >= contract.validFrom, {
    path: ['validTo'],
    error: bilingual('结束日期不能早于开始日期', 'validTo cannot be before validFrom'),
    when: onlyWhenValid,
  })
  .openapi('CreateContract');

export const contractSchema = z
  .object({
    id: z.string(),
    providerId: z.string(),
    validFrom: z.string(),
    validTo: z.string(),
    communityIds: z.array(z.string()),
    prices: z.array(z.object({ serviceTypeCode: z.string(), unitPriceFen: z.number().int() })),
    createdBy: z.string(),
    createdAt: dateTimeOut,
    updatedAt: dateTimeOut,
  })
  .openapi('Contract');

export const contractsQuery = z.object({ providerId: objectIdParam.optional(), ...pageQuery }).strict();
export const contractPageSchema = pageOf(contractSchema).openapi('ContractPage');

export type CreateContractInput = z.output<typeof createContractBody>;

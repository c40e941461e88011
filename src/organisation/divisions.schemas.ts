import { z } from 'zod';
import { pageOf, pageQuery } from '../shared/http/pagination.ts';
import { dateTimeOut, objectIdParam } from '../shared/http/schemas.ts';
import { bilingual } from '../shared/i18n.ts';
import { locationOut, locationSchema, nameField } from './organisation.schemas.ts';

export const createStreetBody = z
  .object({
    name: nameField,
    code: z.string().regex(/^\d{9}$/, bilingual('街道编码须为 9 位数字', 'A street code has 9 digits')),
  })
  .strict()
  .openapi('CreateStreet');

export const streetSchema = z
  .object({ id: z.string(), name: z.string(), code: z.string(), createdAt: dateTimeOut, updatedAt: dateTimeOut })
  .openapi('Street');

export const streetsQuery = z.object({ ...pageQuery }).strict();
export const streetPageSchema = pageOf(streetSchema).openapi('StreetPage');

export const createCommunityBody = z
  .object({
    name: nameField,
    code: z.string().regex(/^\d{12}$/, bilingual('社区编码须为 12 位数字', 'A community code has 12 digits')),
    streetId: objectIdParam,
    location: locationSchema,
  })
  .strict()
  .openapi('CreateCommunity');

export const communitySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    code: z.string(),
    streetId: z.string(),
    location: locationOut,
    createdAt: dateTimeOut,
    updatedAt: dateTimeOut,
  })
  .openapi('Community');

export const communitiesQuery = z.object({ streetId: objectIdParam.optional(), ...pageQuery }).strict();
export const communityPageSchema = pageOf(communitySchema).openapi('CommunityPage');

export type CreateStreetInput = z.output<typeof createStreetBody>;
export type CreateCommunityInput = z.output<typeof createCommunityBody>;

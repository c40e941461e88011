import { z } from 'zod';
import { pageOf, pageQuery } from '../shared/http/pagination.ts';
import { objectIdParam } from '../shared/http/schemas.ts';
import { ROLES } from '../shared/roles.ts';
import { bilingual } from '../shared/i18n.ts';

const idString = z.string().regex(/^[0-9a-f]{24}$/, bilingual('编号格式不正确（应为 24 位编号）', 'must be a 24-character hex id'));

export const userSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    role: z.enum(ROLES),
    communityIds: z.array(z.string()),
    streetId: z.string().nullable(),
    providerId: z.string().nullable(),
    caregiverId: z.string().nullable(),
    active: z.boolean(),
  })
  .openapi('User');

export const loginBody = z
  .object({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(256),
  })
  .strict()
  .openapi('LoginRequest');

export const tokenPairSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int().openapi({ description: 'seconds until the access token expires' }),
    user: userSchema,
  })
  .openapi('TokenPair');

export const refreshBody = z.object({ refreshToken: z.string().min(20).max(200) }).strict().openapi('RefreshRequest');

export const createUserBody = z
  .object({
    username: z.string().regex(/^[A-Za-z0-9_.-]{3,64}$/, bilingual('用户名为 3-64 位字母、数字或 _ . -', 'must be 3-64 letters, digits, _ . -')),
    password: z.string().min(10).max(256),
    displayName: z.string().max(64).trim().min(1),
    role: z.enum(ROLES),
    communityIds: z.array(idString).max(200).optional(),
    streetId: idString.nullable().optional(),
    providerId: idString.nullable().optional(),
    caregiverId: idString.nullable().optional(),
  })
  .strict()
  .openapi('CreateUserRequest');

export const updateUserBody = z
  .object({
    displayName: z.string().max(64).trim().min(1).optional(),
    communityIds: z.array(idString).max(200).optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .openapi('UpdateUserRequest');

export const usersQuery = z
  .object({
    role: z.enum(ROLES).optional(),
    active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    ...pageQuery,
  })
  .strict();

export const userIdParams = z.object({ id: objectIdParam }).strict();
export const usersPageSchema = pageOf(userSchema);

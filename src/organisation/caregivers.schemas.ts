import { z } from 'zod';
import { pageOf, pageQuery } from '../shared/http/pagination.ts';
import { dateTimeOut, objectIdParam } from '../shared/http/schemas.ts';
import { bilingual } from '../shared/i18n.ts';
import { nameField, onlyWhenValid, serviceTypeCodeField } from './organisation.schemas.ts';
import { CAREGIVER_STATUSES } from './providers.model.ts';
import { phoneField } from './providers.schemas.ts';

const skillsField = z
  .array(serviceTypeCodeField)
  .max(50)
  .superRefine((codes, ctx) => {
    codes.forEach((code, index) => {
      if (codes.indexOf(code) !== index) ctx.addIssue({ code: 'custom', path: [index], message: bilingual('重复的服务项目', 'Repeated service type') });
    });
  })
  .openapi({ description: 'Service type codes this caregiver may deliver' });

const certificateNoField = z.string().max(64).trim().min(1);

export const createCaregiverBody = z
  .object({
    name: nameField,
    phone: phoneField,
    skills: skillsField,
    certificateNo: certificateNoField.optional(),
  })
  .strict()
  .openapi('CreateCaregiver');

export const updateCaregiverBody = z
  .object({
    name: nameField.optional(),
    phone: phoneField.optional(),
    skills: skillsField.optional(),
    certificateNo: certificateNoField.nullable().optional(),
    status: z.enum(CAREGIVER_STATUSES).optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { error: bilingual('至少修改一个字段', 'Change at least one field'), when: onlyWhenValid })
  .openapi('UpdateCaregiver');

/** No phone leaves the service: only its masked form. */
export const caregiverSchema = z
  .object({
    id: z.string(),
    providerId: z.string(),
    name: z.string(),
    phoneMasked: z.string(),
    skills: z.array(z.string()),
    certificateNo: z.string().nullable(),
    status: z.enum(CAREGIVER_STATUSES),
    createdAt: dateTimeOut,
    updatedAt: dateTimeOut,
  })
  .openapi('Caregiver');

export const caregiversQuery = z.object({ status: z.enum(CAREGIVER_STATUSES).optional(), ...pageQuery }).strict();
export const caregiverPageSchema = pageOf(caregiverSchema).openapi('CaregiverPage');
export const caregiverParams = z.object({ id: objectIdParam, caregiverId: objectIdParam }).strict();

export type CreateCaregiverInput = z.output<typeof createCaregiverBody>;
export type UpdateCaregiverInput = z.output<typeof updateCaregiverBody>;

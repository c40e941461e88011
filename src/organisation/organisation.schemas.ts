import { z } from 'zod';
import { objectIdParam } from '../shared/http/schemas.ts';
import { bilingual } from '../shared/i18n.ts';

/** Pieces shared by the organisation's request and response schemas. */

export const nameField = z.string().max(100).trim().min(1);

export const idParams = z.object({ id: objectIdParam }).strict();

const LNG_IN_CHINA = bilingual('经度须在 73 到 136 之间（中国境内）', 'Longitude must be within 73..136 (China)');
const LAT_IN_CHINA = bilingual('纬度须在 3 到 54 之间（中国境内）', 'Latitude must be within 3..54 (China)');

/** A base location inside China's bounding box; anything outside is a swapped or mistyped pair. */
export const locationSchema = z
  .object({
    lng: z.number().min(73, LNG_IN_CHINA).max(136, LNG_IN_CHINA),
    lat: z.number().min(3, LAT_IN_CHINA).max(54, LAT_IN_CHINA),
  })
  .strict()
  .openapi('Location');

export const locationOut = z.object({ lng: z.number(), lat: z.number() });

/** A list of database ids without repeats. */
export const idList = z
  .array(objectIdParam)
  .max(500)
  .superRefine((ids, ctx) => {
    ids.forEach((id, index) => {
      if (ids.indexOf(id) !== index) ctx.addIssue({ code: 'custom', path: [index], message: bilingual('重复的编号', 'Repeated id') });
    });
  });

/** A calendar day 'YYYY-MM-DD' that exists (2026-02-30 does not). */
export const daySchema = z
  .string()
  .refine(isRealDay, bilingual('须为存在的日期，格式 YYYY-MM-DD', 'Must be a real day written YYYY-MM-DD'))
  .openapi({ format: 'date', example: '2026-01-01' });

function isRealDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}

export const serviceTypeCodeField = z
  .string()
  .regex(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/, bilingual('编码须为小写字母、数字和下划线（lower_snake）', 'A code is lower_snake: lower-case letters, digits and underscores'))
  .max(64);

/** For object-level refinements: run only when the fields themselves passed (no noise on top of their errors). */
export const onlyWhenValid = (payload: { issues: readonly unknown[] }) => payload.issues.length === 0;

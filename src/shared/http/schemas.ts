import { z } from 'zod';
// The .openapi() extension must be installed before these schemas are built, whoever imports first.
import '../openapi/registry.ts';
import { bilingual } from '../i18n.ts';

/** An instant leaving the service: stored as a Date, answered as ISO 8601 UTC. */
export const dateTimeOut = z
  .union([z.date(), z.string()])
  .transform((value) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString()))
  .openapi({ type: 'string', format: 'date-time' });

export const nullableDateTimeOut = z
  .union([z.date(), z.string(), z.null()])
  .transform((value) => (value === null ? null : value instanceof Date ? value.toISOString() : new Date(value).toISOString()))
  .openapi({ type: ['string', 'null'], format: 'date-time' });

/** A 24-hex-character database id in a path. */
export const objectIdParam = z.string().regex(/^[0-9a-f]{24}$/, bilingual('编号格式不正确（应为 24 位编号）', 'must be a 24-character hex id'));

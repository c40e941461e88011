import { z } from 'zod';
import { objectIdParam } from '../shared/http/schemas.ts';
import { bilingual } from '../shared/i18n.ts';

export const lettersQuery = z
  .object({
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, bilingual('月份格式应为 YYYY-MM，如 2026-11', 'must be a month YYYY-MM'))
      .openapi({ description: 'The month of the letters, YYYY-MM in Asia/Shanghai; at most the current month', example: '2026-11' }),
    communityId: objectIdParam.openapi({ description: 'The community whose active seniors get a page each' }),
  })
  .strict();

export const cardParams = z.object({ id: objectIdParam }).strict();

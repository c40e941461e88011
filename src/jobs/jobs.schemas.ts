import { z } from 'zod';
import { pageOf, pageQuery } from '../shared/http/pagination.ts';
import { dateTimeOut, nullableDateTimeOut } from '../shared/http/schemas.ts';
import { JOB_RUN_STATUSES } from './job.model.ts';

export const jobNameParams = z.object({ name: z.string().regex(/^[a-z0-9-]{1,64}$/) }).strict();

export const jobRunSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    trigger: z.enum(['schedule', 'manual', 'catch-up']),
    tickKey: z.string(),
    params: z.unknown(),
    status: z.enum(JOB_RUN_STATUSES),
    ownerId: z.string(),
    requestedBy: z.string().nullable(),
    startedAt: dateTimeOut,
    endedAt: nullableDateTimeOut,
    counts: z.record(z.string(), z.number()),
    error: z.string().nullable(),
  })
  .openapi('JobRun');

export const jobListSchema = z.array(
  z.object({
    name: z.string(),
    description: z.string(),
    schedule: z.string().nullable(),
    timeZone: z.string(),
    lastRun: jobRunSchema.nullable(),
  }).openapi('Job'),
);

export const jobRunsQuery = z
  .object({
    name: z.string().regex(/^[a-z0-9-]{1,64}$/).optional(),
    status: z.enum(JOB_RUN_STATUSES).optional(),
    ...pageQuery,
  })
  .strict();

export const jobRunsPageSchema = pageOf(jobRunSchema);

export const runJobQuery = z
  .object({
    wait: z.enum(['true', 'false']).default('false').transform((value) => value === 'true')
      .openapi({ description: 'true: answer when the run has ended (200) instead of at once (202)' }),
  })
  .strict();

/** Each job validates its own parameters; the document shows the common shape. */
export const runJobBody = z.record(z.string(), z.unknown()).openapi('JobParams');

export const runJobAnswer = z.object({ run: jobRunSchema, finished: z.boolean() });

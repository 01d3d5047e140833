import { createRoute, z } from '@hono/zod-openapi';
import { errorSchema } from '../../lib/errors.ts';

const tags = ['Health'];

export const liveness = createRoute({
  method: 'get',
  path: '/health',
  tags,
  summary: 'Liveness',
  description: 'Answers while the process runs. Touches no dependency.',
  responses: {
    200: {
      description: 'The process is up.',
      content: {
        'application/json': {
          schema: z.object({ status: z.literal('ok') }).openapi('Liveness'),
        },
      },
    },
  },
});

const checkStatus = z.enum(['ok', 'unavailable']);
export const readinessChecksSchema = z
  .object({ database: checkStatus, cache: checkStatus })
  .openapi('ReadinessChecks');

export const readiness = createRoute({
  method: 'get',
  path: '/health/ready',
  tags,
  summary: 'Readiness',
  description: 'Checks the database and the cache; 503 names each that failed.',
  responses: {
    200: {
      description: 'Every dependency answers.',
      content: {
        'application/json': {
          schema: z
            .object({ status: z.literal('ok'), checks: readinessChecksSchema })
            .openapi('Readiness'),
        },
      },
    },
    503: {
      description: 'A dependency does not answer; `details` holds each check.',
      content: { 'application/json': { schema: errorSchema } },
    },
  },
});

export type LivenessRoute = typeof liveness;
export type ReadinessRoute = typeof readiness;

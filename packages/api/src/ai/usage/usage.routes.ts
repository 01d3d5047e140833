/** Token usage and estimated cost, by day and model. Definitions only. */
import { createRoute, z } from '@hono/zod-openapi';
import { SECURITY } from '../../lib/openapi.ts';
import { errorResponses, jsonContent } from '../../lib/responses.ts';
import { requireAuth } from '../../middleware/auth.ts';

const tags = ['AI'];
const day = z.iso.date();

export const usageQuerySchema = z.object({
  from: day.optional().openapi({
    param: { name: 'from', in: 'query' },
    description: 'First day (UTC), inclusive. Default: 29 days before `to`.',
    example: '2026-01-01',
  }),
  to: day.optional().openapi({
    param: { name: 'to', in: 'query' },
    description: 'Last day (UTC), inclusive. Default: today.',
    example: '2026-01-30',
  }),
  scope: z
    .enum(['me', 'all'])
    .default('me')
    .openapi({
      param: { name: 'scope', in: 'query' },
      description: '`all`: every user’s usage, by user (admins only).',
    }),
});

const usageRowSchema = z
  .object({
    day: day,
    model: z.string(),
    userId: z.string().optional().openapi({ description: 'With `scope=all` only.' }),
    calls: z.number().int(),
    promptTokens: z.number().int(),
    completionTokens: z.number().int(),
    totalTokens: z.number().int(),
    costUsd: z.number(),
  })
  .openapi('AiUsageRow');

export const usageResponseSchema = z
  .object({
    from: day,
    to: day,
    scope: z.enum(['me', 'all']),
    rows: z.array(usageRowSchema),
    totals: z.object({
      calls: z.number().int(),
      promptTokens: z.number().int(),
      completionTokens: z.number().int(),
      totalTokens: z.number().int(),
      costUsd: z.number(),
    }),
    budget: z
      .object({
        dailyTokens: z.number().int(),
        usedToday: z.number().int(),
        remainingToday: z.number().int(),
        resetAt: z.iso.datetime(),
      })
      .openapi({ description: 'The caller’s own daily token budget.' }),
  })
  .openapi('AiUsage');

export const usage = createRoute({
  method: 'get',
  path: '/api/ai/usage',
  tags,
  summary: 'Token usage and estimated cost by day and model',
  description:
    'The caller’s usage; admins may ask for everyone’s with `scope=all`. At most 366 days.',
  security: SECURITY,
  middleware: [requireAuth()] as const,
  request: { query: usageQuerySchema },
  responses: {
    200: jsonContent(usageResponseSchema, 'Usage rows, oldest day first, and totals.'),
    ...errorResponses(401, 403, 422),
  },
});

export type UsageRoute = typeof usage;

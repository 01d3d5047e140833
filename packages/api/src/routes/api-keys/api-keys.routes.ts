import { createRoute, z } from '@hono/zod-openapi';
import { SECURITY } from '../../lib/openapi.ts';
import { errorResponses, jsonContent } from '../../lib/responses.ts';
import { requireAuth } from '../../middleware/auth.ts';

export const CHAT_ACTIONS = ['create', 'read', 'update', 'delete'] as const;

export const newApiKeySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(32).openapi({ example: 'nightly export' }),
    expiresInDays: z
      .number()
      .int()
      .min(1)
      .max(365)
      .default(90)
      .openapi({ description: 'Days until the key stops working, 1–365.' }),
    permissions: z
      .strictObject({ chat: z.array(z.enum(CHAT_ACTIONS)).min(1).max(4) })
      .openapi({ description: 'What the key may do; never more than its owner’s role allows.' }),
  })
  .openapi('NewApiKey');

export const createdApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    key: z.string().openapi({ description: 'Shown once: only a hash is stored.' }),
    expiresAt: z.iso.datetime({ offset: true }),
    permissions: z.record(z.string(), z.array(z.string())),
  })
  .openapi('CreatedApiKey');

export const create = createRoute({
  method: 'post',
  path: '/api/api-keys',
  tags: ['Account'],
  summary: 'Create an API key with chosen permissions',
  description:
    'List keys with `GET /api/auth/api-key/list`; revoke one with `POST /api/auth/api-key/delete` (refused at once). Send a key in the `x-api-key` header.',
  security: SECURITY,
  middleware: [requireAuth()] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: newApiKeySchema } } },
  },
  responses: {
    201: jsonContent(createdApiKeySchema, 'The new key.'),
    ...errorResponses(400, 401, 403, 415, 422),
  },
});

export type CreateRoute = typeof create;

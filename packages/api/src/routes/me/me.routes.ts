import { createRoute, z } from '@hono/zod-openapi';
import { SECURITY } from '../../lib/openapi.ts';
import { errorResponses, jsonContent } from '../../lib/responses.ts';
import { requireAuth } from '../../middleware/auth.ts';

export const meSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.email(),
    emailVerified: z.boolean(),
    image: z.string().nullable(),
    role: z.string(),
    twoFactorEnabled: z.boolean(),
    createdAt: z.iso.datetime({ offset: true }),
    authMethod: z.enum(['cookie', 'bearer', 'api-key']).openapi({
      description: 'How this request proved who it is.',
    }),
  })
  .openapi('Me');

export const me = createRoute({
  method: 'get',
  path: '/api/me',
  tags: ['Account'],
  summary: 'The caller',
  security: SECURITY,
  middleware: [requireAuth()] as const,
  responses: {
    200: jsonContent(meSchema, 'The authenticated user.'),
    ...errorResponses(401, 403),
  },
});

export type MeRoute = typeof me;

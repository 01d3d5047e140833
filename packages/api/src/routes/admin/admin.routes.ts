import { createRoute, z } from '@hono/zod-openapi';
import { ROLE_NAMES } from '../../lib/auth/permissions.ts';
import { SECURITY } from '../../lib/openapi.ts';
import { pageQuery, pageSchema } from '../../lib/pagination.ts';
import { errorResponses, jsonBody, jsonContent } from '../../lib/responses.ts';
import { requirePermission, requireRole } from '../../middleware/auth.ts';

const tags = ['Admin'];
/** Better Auth user ids: URL-safe random strings. */
export const userIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'Not a user id' });

export const adminUserSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.email(),
    role: z.enum(ROLE_NAMES),
    banned: z.boolean(),
    banReason: z.string().nullable(),
    banExpires: z.iso.datetime({ offset: true }).nullable(),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .openapi('AdminUser');

const banSchema = z
  .strictObject({
    reason: z.string().trim().min(1).max(500).optional(),
    expiresInSeconds: z
      .number()
      .int()
      .min(60)
      .max(10 * 365 * 86_400)
      .optional(),
  })
  .openapi('Ban');

const userParams = z.object({
  userId: userIdSchema.openapi({ param: { name: 'userId', in: 'path' } }),
});

export const listUsers = createRoute({
  method: 'get',
  path: '/api/admin/users',
  tags,
  summary: 'List users, newest first',
  security: SECURITY,
  middleware: [requireRole('admin'), requirePermission({ user: ['list'] })] as const,
  request: { query: pageQuery(userIdSchema) },
  responses: {
    200: jsonContent(pageSchema(adminUserSchema, 'AdminUserPage'), 'A page of users.'),
    ...errorResponses(401, 403, 422),
  },
});

export const setRole = createRoute({
  method: 'put',
  path: '/api/admin/users/{userId}/role',
  tags,
  summary: "Change a user's role",
  security: SECURITY,
  middleware: [requireRole('admin'), requirePermission({ user: ['set-role'] })] as const,
  request: {
    params: userParams,
    body: jsonBody(z.strictObject({ role: z.enum(ROLE_NAMES) }).openapi('RoleChange')),
  },
  responses: {
    200: jsonContent(adminUserSchema, 'The user with the new role.'),
    ...errorResponses(400, 401, 403, 404, 409, 415, 422),
  },
});

export const ban = createRoute({
  method: 'post',
  path: '/api/admin/users/{userId}/ban',
  tags,
  summary: 'Ban a user and end every session of theirs',
  security: SECURITY,
  middleware: [requireRole('admin'), requirePermission({ user: ['ban'] })] as const,
  request: {
    params: userParams,
    body: jsonBody(banSchema),
  },
  responses: {
    200: jsonContent(adminUserSchema, 'The banned user.'),
    ...errorResponses(400, 401, 403, 404, 409, 415, 422),
  },
});

export const unban = createRoute({
  method: 'post',
  path: '/api/admin/users/{userId}/unban',
  tags,
  summary: 'Lift a ban',
  security: SECURITY,
  middleware: [requireRole('admin'), requirePermission({ user: ['ban'] })] as const,
  request: { params: userParams },
  responses: {
    200: jsonContent(adminUserSchema, 'The user, no longer banned.'),
    ...errorResponses(401, 403, 404, 422),
  },
});

export type ListUsersRoute = typeof listUsers;
export type SetRoleRoute = typeof setRole;
export type BanRoute = typeof ban;
export type UnbanRoute = typeof unban;

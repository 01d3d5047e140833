import { apikey, session, user } from '@backend/shared/schema';
import { and, desc, eq } from 'drizzle-orm';
import { AUDIT_EVENTS, audit } from '../../lib/audit.ts';
import type { RoleName } from '../../lib/auth/permissions.ts';
import { ERROR_CODES, errorResponse } from '../../lib/errors.ts';
import { afterCursor, toPage } from '../../lib/pagination.ts';
import type { AppRouteHandler } from '../../lib/types.ts';
import { callerOf } from '../../middleware/auth.ts';
import type { BanRoute, ListUsersRoute, SetRoleRoute, UnbanRoute } from './admin.routes.ts';

type User = typeof user.$inferSelect;
const toAdminUser = (row: User) => ({
  id: row.id,
  name: row.name,
  email: row.email,
  role: (row.role === 'admin' ? 'admin' : 'user') as RoleName,
  banned: Boolean(row.banned),
  banReason: row.banReason ?? null,
  banExpires: row.banExpires ? row.banExpires.toISOString() : null,
  createdAt: row.createdAt.toISOString(),
});

export const listUsers: AppRouteHandler<ListUsersRoute> = async (c) => {
  const { limit, cursor } = c.req.valid('query');
  const rows = await c.var.deps.database.reader
    .select()
    .from(user)
    .where(afterCursor(user, cursor, 'newest-first'))
    .orderBy(desc(user.createdAt), desc(user.id))
    .limit(limit + 1);
  return c.json(toPage(rows, limit, toAdminUser), 200);
};

export const setRole: AppRouteHandler<SetRoleRoute> = async (c) => {
  const { userId } = c.req.valid('param');
  const { role } = c.req.valid('json');
  if (userId === callerOf(c).user.id) {
    return errorResponse(c, 409, ERROR_CODES.CONFLICT, 'Admins cannot change their own role');
  }
  const [row] = await c.var.deps.database.db
    .update(user)
    .set({ role })
    .where(eq(user.id, userId))
    .returning();
  if (!row) return errorResponse(c, 404, ERROR_CODES.NOT_FOUND, 'User not found');
  audit(c, AUDIT_EVENTS.ROLE_CHANGED, { targetUserId: userId, role });
  return c.json(toAdminUser(row), 200);
};

export const ban: AppRouteHandler<BanRoute> = async (c) => {
  const { userId } = c.req.valid('param');
  const { reason, expiresInSeconds } = c.req.valid('json');
  if (userId === callerOf(c).user.id) {
    return errorResponse(c, 409, ERROR_CODES.CONFLICT, 'Admins cannot ban themselves');
  }
  const row = await c.var.deps.database.db.transaction(async (tx) => {
    const [banned] = await tx
      .update(user)
      .set({
        banned: true,
        banReason: reason ?? null,
        banExpires: expiresInSeconds ? new Date(Date.now() + expiresInSeconds * 1000) : null,
      })
      .where(eq(user.id, userId))
      .returning();
    if (!banned) return null;
    // A ban ends every session and switches off every API key at once.
    await tx.delete(session).where(eq(session.userId, userId));
    await tx
      .update(apikey)
      .set({ enabled: false })
      .where(and(eq(apikey.referenceId, userId), eq(apikey.enabled, true)));
    return banned;
  });
  if (!row) return errorResponse(c, 404, ERROR_CODES.NOT_FOUND, 'User not found');
  audit(c, AUDIT_EVENTS.USER_BANNED, { targetUserId: userId });
  return c.json(toAdminUser(row), 200);
};

export const unban: AppRouteHandler<UnbanRoute> = async (c) => {
  const { userId } = c.req.valid('param');
  const [row] = await c.var.deps.database.db
    .update(user)
    .set({ banned: false, banReason: null, banExpires: null })
    .where(eq(user.id, userId))
    .returning();
  if (!row) return errorResponse(c, 404, ERROR_CODES.NOT_FOUND, 'User not found');
  audit(c, AUDIT_EVENTS.USER_UNBANNED, { targetUserId: userId });
  return c.json(toAdminUser(row), 200);
};

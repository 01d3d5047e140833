/**
 * Every action through Better Auth's admin endpoints (`/api/auth/admin/*`) writes an audit
 * event, as the API's own admin routes do: the actor (`userId`), the target, the action and,
 * through `lib/audit.ts`, the request id and client IP. Reads (get, list, has-permission)
 * are not actions; an admin endpoint without an event of its own is written as
 * `admin.action`. A refused action (403) is written as `authz.denied`.
 */
import type { BetterAuthPlugin } from '@better-auth/core';
import { createAuthMiddleware } from '@better-auth/core/api';
import { isAPIError } from '@better-auth/core/utils/is-api-error';
import { getSessionFromCtx } from 'better-auth/api';
import { AUDIT_EVENTS, type AuditEvent } from '../../audit-events.ts';
import { auditSinkOf } from '../request-audit.ts';

const ADMIN_PREFIX = '/admin/';

const READS = new Set([
  '/admin/get-user',
  '/admin/list-users',
  '/admin/list-user-sessions',
  '/admin/has-permission',
]);

/** The event of each admin action. */
export const ADMIN_EVENTS: Record<string, AuditEvent> = {
  '/admin/set-role': AUDIT_EVENTS.ROLE_CHANGED,
  '/admin/ban-user': AUDIT_EVENTS.USER_BANNED,
  '/admin/unban-user': AUDIT_EVENTS.USER_UNBANNED,
  '/admin/create-user': AUDIT_EVENTS.USER_CREATED,
  '/admin/update-user': AUDIT_EVENTS.USER_UPDATED,
  '/admin/remove-user': AUDIT_EVENTS.USER_REMOVED,
  '/admin/set-user-password': AUDIT_EVENTS.PASSWORD_SET,
  '/admin/impersonate-user': AUDIT_EVENTS.IMPERSONATION_STARTED,
  '/admin/stop-impersonating': AUDIT_EVENTS.IMPERSONATION_STOPPED,
  '/admin/revoke-user-session': AUDIT_EVENTS.SESSION_REVOKED,
  '/admin/revoke-user-sessions': AUDIT_EVENTS.SESSIONS_REVOKED,
};

interface ActingSession {
  session: { userId: string; impersonatedBy?: string | null };
  user: { id: string };
}

const isAction = (context: { path?: string }) =>
  Boolean(context.path?.startsWith(ADMIN_PREFIX) && !READS.has(context.path));

const idOf = (value: unknown, key: string): string | null => {
  const id = (value as Record<string, unknown> | null | undefined)?.[key];
  return typeof id === 'string' ? id : null;
};

export const adminAudit = () => {
  // The session each request acted with, read before the action (which may end it).
  const actors = new WeakMap<object, ActingSession | null>();
  return {
    id: 'admin-audit',
    hooks: {
      before: [
        {
          matcher: isAction,
          handler: createAuthMiddleware(async (ctx) => {
            if (!ctx.request) return;
            const acting = (await getSessionFromCtx(ctx).catch(() => null)) as ActingSession | null;
            actors.set(ctx.request, acting);
          }),
        },
      ],
      after: [
        {
          matcher: isAction,
          handler: createAuthMiddleware(async (ctx) => {
            const path = ctx.path ?? '';
            const returned = ctx.context.returned;
            const status = isAPIError(returned) ? returned.statusCode : 200;
            const acting = ctx.request ? actors.get(ctx.request) : undefined;
            // Ending an impersonation is the impersonating admin's act, on the user it was.
            const impersonator = acting?.session.impersonatedBy ?? null;
            const actor = impersonator ?? acting?.user.id ?? null;
            const target =
              idOf(ctx.body, 'userId') ??
              (impersonator ? (acting?.user.id ?? null) : null) ??
              idOf((returned as { user?: unknown } | null)?.user, 'id');
            const action = path.slice(ADMIN_PREFIX.length);
            const audit = auditSinkOf(ctx.request);
            if (status === 401 || status === 403) {
              audit(AUDIT_EVENTS.PERMISSION_DENIED, {
                userId: actor,
                action,
                targetUserId: target,
              });
            } else if (status < 400) {
              audit(ADMIN_EVENTS[path] ?? AUDIT_EVENTS.ADMIN_ACTION, {
                userId: actor,
                action,
                targetUserId: target,
              });
            }
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
};

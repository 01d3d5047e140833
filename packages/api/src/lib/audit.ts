/**
 * Security events as structured log lines (`message: "audit"`), each with the request id,
 * the user id when known and the client IP. Never a password, token, cookie or key: the
 * fields are chosen here, and the logger redacts sensitive keys anyway.
 */
import type { Context } from 'hono';
import type { Counter } from './observability/metrics.ts';
import { loggablePath } from './request-route.ts';
import type { AppBindings } from './types.ts';

export const AUDIT_EVENTS = {
  SIGN_IN_FAILED: 'auth.sign_in_failed',
  LOCKED_OUT: 'auth.locked_out',
  LOCKED_OUT_ATTEMPT: 'auth.locked_out_attempt',
  RATE_LIMITED: 'rate_limit.rejected',
  CSRF_REJECTED: 'csrf.rejected',
  PERMISSION_DENIED: 'authz.denied',
  ROLE_CHANGED: 'admin.role_changed',
  USER_BANNED: 'admin.user_banned',
  USER_UNBANNED: 'admin.user_unbanned',
  USER_CREATED: 'admin.user_created',
  USER_UPDATED: 'admin.user_updated',
  USER_REMOVED: 'admin.user_removed',
  PASSWORD_SET: 'admin.password_set',
  IMPERSONATION_STARTED: 'admin.impersonation_started',
  IMPERSONATION_STOPPED: 'admin.impersonation_stopped',
  SESSION_REVOKED: 'admin.session_revoked',
  SESSIONS_REVOKED: 'admin.sessions_revoked',
  /** An admin action without an event of its own. */
  ADMIN_ACTION: 'admin.action',
  API_KEY_CREATED: 'api_key.created',
} as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[keyof typeof AUDIT_EVENTS];

/** The metric an event also counts, if any. */
const EVENT_COUNTERS: Partial<Record<AuditEvent, Counter>> = {
  [AUDIT_EVENTS.SIGN_IN_FAILED]: 'authFailure',
  [AUDIT_EVENTS.LOCKED_OUT]: 'authFailure',
  [AUDIT_EVENTS.LOCKED_OUT_ATTEMPT]: 'authFailure',
  [AUDIT_EVENTS.RATE_LIMITED]: 'rateLimited',
};

export function audit(
  c: Context<AppBindings>,
  event: AuditEvent,
  fields: Record<string, unknown> = {},
) {
  const counter = EVENT_COUNTERS[event];
  if (counter) c.var.deps?.metrics.count(counter);
  c.var.logger?.warn('audit', {
    event,
    userId: c.var.caller?.user.id ?? null,
    ip: c.var.clientIp,
    method: c.req.method,
    path: loggablePath(c),
    ...fields,
  });
}

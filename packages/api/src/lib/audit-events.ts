/**
 * The names of the audit events (lib/audit.ts writes them). A module of its own, importing
 * nothing, so the Better Auth plugins can name events without importing the audit writer.
 */
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

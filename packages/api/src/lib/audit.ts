/**
 * Security events as structured log lines (`message: "audit"`), each with the request id,
 * the user id when known and the client IP. Never a password, token, cookie or key: the
 * fields are chosen here, and the logger redacts sensitive keys anyway.
 */
import type { Context } from 'hono';
import { AUDIT_EVENTS, type AuditEvent } from './audit-events.ts';
import type { Counter } from './observability/metrics.ts';
import { loggablePath } from './request-route.ts';
import type { AppBindings } from './types.ts';

export { AUDIT_EVENTS, type AuditEvent } from './audit-events.ts';

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

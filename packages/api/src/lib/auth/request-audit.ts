/**
 * Better Auth's hooks see the `Request` the API handed to `auth.handler`, not the Hono
 * context that knows the request id, the caller's IP and the logger. The auth router binds
 * an audit sink to each request before handing it over; the plugins write their audit
 * events through it, so every event goes through `lib/audit.ts` like any other.
 */
import type { AuditEvent } from '../audit-events.ts';

/** Writes one audit event for the request it is bound to. */
export type AuditSink = (event: AuditEvent, fields?: Record<string, unknown>) => void;

const sinks = new WeakMap<Request, AuditSink>();

/** Binds `sink` to `request` for as long as the request lives. */
export function bindAuditSink(request: Request, sink: AuditSink): void {
  sinks.set(request, sink);
}

/**
 * The audit sink bound to `request`. A call without one (`auth.api.*` from the API's own
 * routes, which write their own events) gets a sink that writes nothing.
 */
export function auditSinkOf(request: Request | undefined): AuditSink {
  return (request && sinks.get(request)) ?? (() => {});
}

/**
 * CSRF: a state-changing request that a cookie may authenticate must come from an allowed
 * Origin (or, without an Origin header, carry `Sec-Fetch-Site: same-origin`). A request that
 * its bearer token or API key actually authenticated is exempt (a browser never adds those on
 * its own); a bearer or key header that does not validate exempts nothing. Runs after the
 * caller is resolved (`resolveCaller`), whose `caller.method` says which credential
 * authenticated the request. Rejected requests get 403 in the error shape and an audit line.
 */
import type { MiddlewareHandler } from 'hono';
import { AUDIT_EVENTS, audit } from '../lib/audit.ts';
import { ApiError, ERROR_CODES } from '../lib/errors.ts';
import type { AppBindings } from '../lib/types.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether CSRF checks `method` at all (state-changing methods do). */
export const isStateChanging = (method: string) => !SAFE_METHODS.has(method);

export interface CsrfOptions {
  /** Origins allowed to send cookie-authenticated state-changing requests. */
  allowedOrigins: readonly string[];
}

export const csrf = (options: CsrfOptions): MiddlewareHandler<AppBindings> => {
  const allowed = new Set(options.allowedOrigins);
  return async function csrf(c, next) {
    if (!isStateChanging(c.req.method) || !c.req.header('cookie')) return next();
    const method = c.get('caller')?.method;
    if (method === 'bearer' || method === 'api-key') return next();
    const origin = c.req.header('origin');
    const sameOrigin = !origin && c.req.header('sec-fetch-site') === 'same-origin';
    if ((origin && allowed.has(origin)) || sameOrigin) return next();
    audit(c, AUDIT_EVENTS.CSRF_REJECTED, { origin: origin ?? null });
    throw new ApiError(
      403,
      ERROR_CODES.FORBIDDEN,
      'Cross-site request refused: the Origin is not allowed',
    );
  };
};

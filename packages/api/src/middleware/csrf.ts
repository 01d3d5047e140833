/**
 * CSRF: a state-changing request that a cookie may authenticate must come from an allowed
 * Origin (or, without an Origin header, carry `Sec-Fetch-Site: same-origin`). Requests that
 * carry a bearer token or an API key are exempt: a browser never adds those on its own.
 * Rejected requests get 403 in the error shape and an audit line.
 */
import type { MiddlewareHandler } from 'hono';
import { AUDIT_EVENTS, audit } from '../lib/audit.ts';
import { API_KEY_HEADER } from '../lib/auth/auth.ts';
import { ApiError, ERROR_CODES } from '../lib/errors.ts';
import type { AppBindings } from '../lib/types.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface CsrfOptions {
  /** Origins allowed to send cookie-authenticated state-changing requests. */
  allowedOrigins: readonly string[];
}

export const csrf = (options: CsrfOptions): MiddlewareHandler<AppBindings> => {
  const allowed = new Set(options.allowedOrigins);
  return async function csrf(c, next) {
    if (SAFE_METHODS.has(c.req.method) || !c.req.header('cookie')) return next();
    if (c.req.header('authorization')?.startsWith('Bearer ') || c.req.header(API_KEY_HEADER)) {
      return next();
    }
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

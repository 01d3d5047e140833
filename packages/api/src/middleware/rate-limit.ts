/**
 * Applies the rate limiter: per user for authenticated callers, per client IP (from the
 * trusted source only) for everyone else, in the class the path belongs to. Every limited
 * response carries RateLimit-Limit / -Remaining / -Reset; a rejection is a 429 with
 * Retry-After in the error shape, and an audit line.
 */
import type { MiddlewareHandler } from 'hono';
import { AUDIT_EVENTS, audit } from '../lib/audit.ts';
import { ApiError, ERROR_CODES } from '../lib/errors.ts';
import type { RateLimitClass, RateLimiter } from '../lib/rate-limit.ts';
import { rateLimitClassOf } from '../lib/route-classes.ts';
import type { AppBindings } from '../lib/types.ts';

export interface RateLimitOptions {
  limiter: RateLimiter;
  /** The class of a path. @default the route-class table (lib/route-classes.ts) */
  classify?: (path: string) => RateLimitClass;
}

export const rateLimit = (options: RateLimitOptions): MiddlewareHandler<AppBindings> => {
  const { limiter } = options;
  const classify = options.classify ?? rateLimitClassOf;
  return async function rateLimit(c, next) {
    const cls = classify(c.req.path);
    const caller = c.get('caller');
    const key = caller ? `user:${caller.user.id}` : `ip:${c.get('clientIp')}`;
    const result = await limiter.consume(cls, key);
    const limit = String(result.limit);
    const remaining = String(result.remaining);
    const reset = String(result.resetSeconds);
    if (!result.allowed) {
      audit(c, AUDIT_EVENTS.RATE_LIMITED, { class: cls });
      throw new ApiError(429, ERROR_CODES.RATE_LIMITED, 'Too many requests; slow down', {
        headers: {
          'RateLimit-Limit': limit,
          'RateLimit-Remaining': remaining,
          'RateLimit-Reset': reset,
          'Retry-After': reset,
        },
        details: { class: cls, limit: result.limit, retryAfterSeconds: result.resetSeconds },
      });
    }
    await next();
    const headers = c.res.headers;
    headers.set('RateLimit-Limit', limit);
    headers.set('RateLimit-Remaining', remaining);
    headers.set('RateLimit-Reset', reset);
  };
};

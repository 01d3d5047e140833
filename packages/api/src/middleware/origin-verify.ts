/**
 * Origin protection behind CloudFront: the distribution adds a secret `x-origin-verify`
 * header to every request it forwards; a request without the right value did not come
 * through CloudFront (and its WAF) and gets 403. Compared in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError, ERROR_CODES } from '../lib/errors.ts';

export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

export interface OriginVerifyOptions {
  /** The expected header value. */
  secret: string;
}

export const originVerify = (options: OriginVerifyOptions): MiddlewareHandler => {
  const expected = Buffer.from(options.secret);
  return async function originVerify(c, next) {
    const given = Buffer.from(c.req.header(ORIGIN_VERIFY_HEADER) ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ApiError(
        403,
        ERROR_CODES.FORBIDDEN,
        'Requests must come through the public endpoint',
      );
    }
    return next();
  };
};

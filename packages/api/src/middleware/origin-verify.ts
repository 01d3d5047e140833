/**
 * Origin protection behind CloudFront. The Function URL takes only requests CloudFront signs
 * (Origin Access Control, `AuthType: AWS_IAM`); on top of that, the distribution adds a secret
 * `x-origin-verify` header, which stops any other principal of the account that may invoke
 * function URLs. A request without an accepted value gets 403. Two values are accepted while
 * the secret rotates (`{"current", "previous"}`), so rotation needs no downtime. Compared in
 * constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError, ERROR_CODES } from '../lib/errors.ts';

export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';
/**
 * Where the edge signer puts the viewer's `Authorization` header: CloudFront's OAC signature
 * takes the original. Trusted only on requests that passed the origin check.
 */
export const VIEWER_AUTHORIZATION_HEADER = 'x-viewer-authorization';

export interface OriginVerifyOptions {
  /**
   * The accepted header values (the current one and, while it rotates, the previous one),
   * read per request: pass a cached reader (the secrets provider caches for its TTL), so a
   * rotated value is accepted without a new container.
   */
  values: () => Promise<readonly string[]>;
}

/**
 * The accepted values stored in the secret: JSON `{"current": "…", "previous"?: "…"}`, or a
 * plain string (one value). Empty values are never accepted.
 */
export function parseOriginVerifySecret(raw: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return raw ? [raw] : [];
  }
  if (typeof parsed !== 'object' || parsed === null) return raw ? [raw] : [];
  const { current, previous } = parsed as Record<string, unknown>;
  return [current, previous].filter(
    (value): value is string => typeof value === 'string' && value.length > 0,
  );
}

const matches = (given: Buffer, value: string) => {
  const expected = Buffer.from(value);
  return given.length === expected.length && timingSafeEqual(given, expected);
};

export const originVerify = (options: OriginVerifyOptions): MiddlewareHandler => {
  return async function originVerify(c, next) {
    const given = Buffer.from(c.req.header(ORIGIN_VERIFY_HEADER) ?? '');
    const accepted = await options.values();
    // Every value is compared, so the time taken does not tell which one matched.
    const results = accepted.map((value) => matches(given, value));
    if (given.length === 0 || !results.includes(true)) {
      throw new ApiError(
        403,
        ERROR_CODES.FORBIDDEN,
        'Requests must come through the public endpoint',
      );
    }
    const viewerAuthorization = c.req.header(VIEWER_AUTHORIZATION_HEADER);
    if (viewerAuthorization !== undefined) {
      c.req.raw.headers.set('authorization', viewerAuthorization);
      c.req.raw.headers.delete(VIEWER_AUTHORIZATION_HEADER);
    }
    return next();
  };
};

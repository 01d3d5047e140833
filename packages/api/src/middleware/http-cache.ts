/**
 * HTTP caching: a Cache-Control policy by route and weak ETags on GET JSON responses, with
 * 304 for a matching If-None-Match (Hono's `etag`). User data is `private`, authentication
 * `no-store`, the API document and its reference page public with revalidation.
 */
import type { MiddlewareHandler } from 'hono';
import { etag } from 'hono/etag';
import type { AppBindings } from '../lib/types.ts';
import { appendVary } from '../lib/vary.ts';

export const CACHE_POLICIES = {
  /** Credentials and sessions: never stored anywhere. */
  noStore: 'no-store',
  /** A user's own data: only their browser may keep it, and must revalidate (ETag). */
  private: 'private, no-cache',
  /** The API document and reference: shared caches may keep them; revalidated in the background. */
  publicDocs: 'public, max-age=300, s-maxage=3600, stale-while-revalidate=86400',
} as const;

export interface CacheRule {
  /** Paths starting with this prefix (or equal to it). */
  prefix: string;
  policy: string;
}

export interface HttpCacheOptions {
  /** First matching rule wins. */
  rules: readonly CacheRule[];
  /** For every other path. @default no-store */
  fallback?: string;
}

export const httpCache = (options: HttpCacheOptions): MiddlewareHandler<AppBindings> => {
  const weakEtag = etag({ weak: true });
  const policyFor = (path: string) =>
    options.rules.find((rule) => path === rule.prefix || path.startsWith(rule.prefix))?.policy ??
    options.fallback ??
    CACHE_POLICIES.noStore;
  return async function httpCache(c, next) {
    const policy = policyFor(c.req.path);
    const cacheable = c.req.method === 'GET' && policy !== CACHE_POLICIES.noStore;
    if (cacheable) await weakEtag(c, next);
    else await next();
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', policy);
    if (policy === CACHE_POLICIES.private) {
      appendVary(c.res.headers, 'Cookie', 'Authorization', 'X-Api-Key');
    }
  };
};

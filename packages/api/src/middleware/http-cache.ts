/**
 * HTTP caching: a Cache-Control policy by route and weak ETags on GET responses, with 304
 * for a matching If-None-Match. User data is `private`, authentication `no-store`, the API
 * document and its reference page public with revalidation.
 *
 * A weak ETag only has to change when the body does, so it is a SHA-1 of the body taken
 * synchronously with `node:crypto`'s one-shot `hash` (Bun and Node alike): Web Crypto's
 * `subtle.digest` plus the stream copy behind Hono's `etag` cost as much as the rest of the
 * middleware stack together.
 */
import { hash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { recordJsonBodies, rememberBody, rememberedBody } from '../lib/response-body.ts';
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

/** The weak ETag of a body. */
export function weakEtag(body: string | Uint8Array): string {
  return `W/"${hash('sha1', body, 'base64url')}"`;
}

/**
 * Whether `ifNoneMatch` matches `etag` by the weak comparison If-None-Match uses
 * (RFC 9110 §13.1.2): `*`, or any listed tag with the same opaque value.
 */
export function etagMatches(etag: string, ifNoneMatch: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  for (const candidate of ifNoneMatch.split(',')) {
    const tag = candidate.trim();
    if ((tag.startsWith('W/') ? tag.slice(2) : tag) === opaque) return true;
  }
  return false;
}

/** JSON is always UTF-8 (RFC 8259), so it can be read as the string it was built from. */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\b/i;

/**
 * Headers a 304 leaves out: the representation's own metadata, which a 304 has no body to
 * describe (RFC 9110 §15.4.5). Everything else (Cache-Control, ETag, Vary, the rate-limit
 * fields, the request id) stays.
 */
const NOT_ON_304 = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-range',
  'content-disposition',
  'last-modified',
] as const;

export const httpCache = (options: HttpCacheOptions): MiddlewareHandler => {
  const fallback = options.fallback ?? CACHE_POLICIES.noStore;
  const policyFor = (path: string) =>
    options.rules.find((rule) => path === rule.prefix || path.startsWith(rule.prefix))?.policy ??
    fallback;
  return async function httpCache(c, next) {
    const policy = policyFor(c.req.path);
    // The JSON a handler answers is hashed as the text it was built from, not read back.
    if (c.req.method === 'GET' && policy !== CACHE_POLICIES.noStore) recordJsonBodies(c);
    await next();
    const res = c.res;
    if (!res.headers.has('cache-control')) res.headers.set('cache-control', policy);
    if (policy === CACHE_POLICIES.private) {
      appendVary(res.headers, 'Cookie', 'Authorization', 'X-Api-Key');
    }
    // Status and headers only: reading `res.body` would turn a buffered body into a stream.
    if (c.req.method !== 'GET' || policy === CACHE_POLICIES.noStore || !res.ok) return;
    let etag = res.headers.get('etag');
    if (!etag) {
      const type = res.headers.get('content-type') ?? '';
      // An event stream is never buffered to be hashed: it must flow as it is written.
      if (type.startsWith('text/event-stream')) return;
      const remembered = rememberedBody(res);
      const body =
        remembered ??
        (JSON_TYPE.test(type) ? await res.text() : new Uint8Array(await res.arrayBuffer()));
      etag = weakEtag(body);
      res.headers.set('etag', etag);
      if (remembered === undefined) {
        // The body was read to hash it: answer with the same body, status and headers.
        // Clearing c.res first replaces the response instead of copying the old headers
        // into it again.
        c.res = undefined;
        c.res = rememberBody(
          new Response(body, { status: res.status, headers: res.headers }),
          body,
        );
      }
    }
    const ifNoneMatch = c.req.header('if-none-match');
    if (ifNoneMatch && etagMatches(etag, ifNoneMatch)) {
      const headers = new Headers(c.res.headers);
      for (const name of NOT_ON_304) headers.delete(name);
      if (rememberedBody(c.res) === undefined) await c.res.body?.cancel();
      c.res = undefined;
      c.res = new Response(null, { status: 304, headers });
    }
  };
};

/**
 * CORS from an allowlist, with Hono's `cors`: an allowed origin gets credentials and the
 * headers the API uses; any other origin gets no CORS header at all. Preflights are
 * answered here and cached by the browser for `maxAge` seconds.
 */
import type { MiddlewareHandler } from 'hono';
import { cors as honoCors } from 'hono/cors';
import { appendVary } from '../lib/vary.ts';

export interface CorsOptions {
  /** Origins (scheme://host[:port]) allowed to call with credentials. */
  allowedOrigins: readonly string[];
  /** Seconds a browser may cache a preflight. @default 600 */
  maxAge?: number;
}

export const cors = (options: CorsOptions): MiddlewareHandler => {
  const allowed = new Set(options.allowedOrigins);
  const allowedCors = honoCors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    credentials: true,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    // Last-Event-ID: a LangGraph client rejoining a run's stream where it left off.
    allowHeaders: [
      'Content-Type',
      'Authorization',
      'X-Api-Key',
      'X-Request-Id',
      'If-None-Match',
      'Last-Event-ID',
    ],
    exposeHeaders: [
      'X-Request-Id',
      'ETag',
      'Retry-After',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'set-auth-token',
      // Where a LangGraph run lives and where its stream can be joined.
      'Content-Location',
      'Location',
    ],
    maxAge: options.maxAge ?? 600,
  }) as MiddlewareHandler;
  return async function cors(c, next) {
    const origin = c.req.header('origin');
    if (origin && allowed.has(origin)) return allowedCors(c, next);
    // Hono's cors adds Allow-Credentials and the other CORS headers for any origin; an
    // origin off the list (or none) gets none of them. A foreign preflight is answered bare.
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      return c.body(null, 204);
    }
    await next();
    appendVary(c.res.headers, 'Origin');
  };
};

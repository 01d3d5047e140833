/**
 * What logs, audit lines and metrics call a request: its route pattern, never its raw path or
 * query, which can carry a secret (`/api/auth/reset-password/<token>`, `?token=` on
 * `/api/auth/verify-email`). Better Auth is mounted as one wildcard route; its requests are
 * named by the endpoint they reach (`/api/auth/reset-password/:token`), and a path no endpoint
 * matches by the wildcard alone.
 */
import type { Context } from 'hono';
import { routePath } from 'hono/route';
import type { Auth } from './auth/auth.ts';
import { loadedAuth } from './auth/lazy-auth.ts';
import { AUTH_BASE_PATH } from './auth/paths.ts';
import type { AppBindings } from './types.ts';

const AUTH_WILDCARD = `${AUTH_BASE_PATH}/*`;

interface EndpointPatterns {
  /** Endpoints without parameters, by path. */
  exact: Set<string>;
  /** Endpoints with `:parameter` segments, split into segments. */
  parameterized: string[][];
}

const patternsByAuth = new WeakMap<Auth, EndpointPatterns>();

function endpointPatterns(auth: Auth): EndpointPatterns {
  let patterns = patternsByAuth.get(auth);
  if (!patterns) {
    const paths = Object.values(auth.api as Record<string, { path?: unknown }>)
      .map((endpoint) => endpoint.path)
      .filter((path): path is string => typeof path === 'string' && path.startsWith('/'));
    patterns = {
      exact: new Set(paths.filter((path) => !path.includes(':'))),
      parameterized: paths.filter((path) => path.includes(':')).map((path) => path.split('/')),
    };
    patternsByAuth.set(auth, patterns);
  }
  return patterns;
}

/** The Better Auth endpoint pattern `path` (below the base path) reaches, if any. */
function authEndpoint(auth: Auth, path: string): string | undefined {
  const { exact, parameterized } = endpointPatterns(auth);
  if (exact.has(path)) return path;
  const segments = path.split('/');
  return parameterized
    .find(
      (pattern) =>
        pattern.length === segments.length &&
        pattern.every((part, i) =>
          part.startsWith(':') ? segments[i] !== '' : part === segments[i],
        ),
    )
    ?.join('/');
}

/**
 * The route pattern that answers the request (`/api/chats/:chatId`); for a path no route
 * matches, the pattern of the last middleware it passed (`/api/*`).
 */
export function requestRoute(c: Context<AppBindings>): string {
  const route = routePath(c, -1) || '*';
  if (route !== AUTH_WILDCARD) return route;
  // A request that reached Better Auth loaded it; one refused before (a 429) is named by the
  // wildcard while it is not loaded.
  const auth = c.var.deps?.auth && loadedAuth(c.var.deps.auth);
  const endpoint = auth && authEndpoint(auth, c.req.path.slice(AUTH_BASE_PATH.length));
  return endpoint ? `${AUTH_BASE_PATH}${endpoint}` : AUTH_WILDCARD;
}

/**
 * The path to log: the raw path when the request matched one of the app's own routes without
 * a wildcard (its parameters are resource ids), the route pattern otherwise.
 */
export function loggablePath(c: Context<AppBindings>, route = requestRoute(c)): string {
  return route === routePath(c, -1) && !route.includes('*') ? c.req.path : route;
}

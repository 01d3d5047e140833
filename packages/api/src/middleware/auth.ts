/**
 * Who is calling: a session (cookie, or bearer token for non-browser clients) or an API
 * key (`x-api-key`), and which of them authenticated the request (`caller.method`, which
 * CSRF reads). `resolveCaller` identifies the caller once per request; `requireAuth`,
 * `requireRole` and `requirePermission` guard routes.
 */
import * as schema from '@backend/shared/tables';
import { eq } from 'drizzle-orm';
import type { Context, MiddlewareHandler } from 'hono';
import { AUDIT_EVENTS, audit } from '../lib/audit.ts';
import type { Auth } from '../lib/auth/auth.ts';
import { parseBearer } from '../lib/auth/authorization-header.ts';
import type { AuthMethod, Caller } from '../lib/auth/caller.ts';
import { API_KEY_HEADER } from '../lib/auth/paths.ts';
import {
  declarePermissions,
  formatPermissions,
  keyAllows,
  missingPermissions,
  type PermissionRequest,
  roleAllows,
} from '../lib/auth/permissions.ts';
import type { SessionLookup } from '../lib/auth/session-lookup.ts';
import { ApiError, ERROR_CODES } from '../lib/errors.ts';
import type { AppBindings } from '../lib/types.ts';

export type { AuthMethod, AuthUser, AuthVariables, Caller } from '../lib/auth/caller.ts';

/** Better Auth's session cookie, `better-auth.session_token` (`__Secure-` prefixed over HTTPS). */
const SESSION_COOKIE = 'better-auth.session_token';

const unauthorized = (c: { get(key: 'authError'): string | null }) =>
  new ApiError(401, ERROR_CODES.UNAUTHORIZED, c.get('authError') ?? 'Authentication required');

export interface ResolveCallerOptions {
  auth: Auth;
  /** Finds the session a request carries (lib/auth/session-lookup.ts). */
  lookupSession: SessionLookup;
}

/**
 * Identifies the caller. Nothing is refused here: an invalid API key leaves the caller
 * unknown (and says why), so the rate limiter still counts it by IP and the route's guard
 * answers 401.
 */
export const resolveCaller = (options: ResolveCallerOptions): MiddlewareHandler<AppBindings> => {
  const { auth, lookupSession } = options;
  return async function resolveCaller(c, next) {
    const key = c.req.header(API_KEY_HEADER);
    if (key !== undefined) {
      const result = await auth.api.verifyApiKey({ body: { key } }).catch(() => null);
      const [user] =
        result?.valid && result.key
          ? await c.var.deps.database.db
              .select()
              .from(schema.user)
              .where(eq(schema.user.id, result.key.referenceId))
          : [];
      if (!result?.key || !user || user.banned) {
        c.set('caller', null);
        c.set('authError', 'Invalid, expired or revoked API key');
        return next();
      }
      c.set('caller', {
        user,
        method: 'api-key',
        sessionId: null,
        keyPermissions: (result.key.permissions as Record<string, string[]> | null) ?? {},
      });
      return next();
    }
    const bearer = parseBearer(c.req.header('authorization')) !== null;
    const sessionCookie = c.req.header('cookie')?.includes(SESSION_COOKIE) === true;
    if (!bearer && !sessionCookie) {
      // Nothing that could name a session: no lookup to make.
      c.set('caller', null);
      return next();
    }
    // Each credential is tried on its own, so the method named is the one that authenticated:
    // a cookie sent beside a bearer token that does not validate is a cookie-authenticated
    // request (and CSRF checks its Origin).
    let method: AuthMethod = 'bearer';
    const headers = c.req.raw.headers;
    let found = bearer
      ? await lookupSession(headers.has('cookie') ? withoutHeader(headers, 'cookie') : headers)
      : null;
    if (!found && sessionCookie) {
      method = 'cookie';
      found = await lookupSession(bearer ? withoutHeader(headers, 'authorization') : headers);
    }
    c.set(
      'caller',
      found
        ? { user: found.user, method, sessionId: found.session.id, keyPermissions: null }
        : null,
    );
    return next();
  };
};

function withoutHeader(headers: Headers, name: string): Headers {
  const copy = new Headers(headers);
  copy.delete(name);
  return copy;
}

/** 401 unless the caller is authenticated. */
export const requireAuth = (): MiddlewareHandler<AppBindings> =>
  async function requireAuth(c, next) {
    if (!c.get('caller')) throw unauthorized(c);
    return next();
  };

function forbidden(
  c: Context<AppBindings>,
  message: string,
  fields: Record<string, unknown>,
  details?: unknown,
) {
  audit(c, AUDIT_EVENTS.PERMISSION_DENIED, fields);
  return new ApiError(403, ERROR_CODES.FORBIDDEN, message, { details });
}

/** 401 without a caller; 403 unless the caller's role is one of `roles`. */
export const requireRole = (...roles: string[]): MiddlewareHandler<AppBindings> =>
  async function requireRole(c, next) {
    const caller = c.get('caller');
    if (!caller) throw unauthorized(c);
    const callerRoles = (caller.user.role ?? 'user').split(',');
    if (!roles.some((role) => callerRoles.includes(role))) {
      throw forbidden(c, 'Insufficient role', { required: roles });
    }
    return next();
  };

/**
 * 401 without a caller; 403 unless the caller may do everything in `request`: by role for
 * sessions, by the key's own permissions for API keys (a key never exceeds its owner's role).
 */
export const requirePermission = (request: PermissionRequest): MiddlewareHandler<AppBindings> =>
  // Marked with what it checks: the OpenAPI document declares it (lib/create-router.ts).
  declarePermissions(
    async function requirePermission(c, next) {
      const caller = c.get('caller');
      if (!caller) throw unauthorized(c);
      if (!callerMay(caller, request)) {
        // Named per permission, so a client can tell which one its role or key lacks.
        const missing = missingPermissions(request, (one) => callerMay(caller, one));
        throw forbidden(
          c,
          `Insufficient permissions: missing ${formatPermissions(missing)}`,
          { required: request },
          { missing, required: request },
        );
      }
      return next();
    } satisfies MiddlewareHandler<AppBindings>,
    request,
  );

/** Whether `caller` may do everything in `request` (what `requirePermission` checks). */
export function callerMay(caller: Caller, request: PermissionRequest): boolean {
  return (
    roleAllows(caller.user.role, request) &&
    (caller.keyPermissions === null || keyAllows(caller.keyPermissions, request))
  );
}

/** The caller of a route guarded by `requireAuth` (or a stricter guard). */
export function callerOf(c: Context<AppBindings>): Caller {
  const caller = c.get('caller');
  if (!caller) throw unauthorized(c);
  return caller;
}

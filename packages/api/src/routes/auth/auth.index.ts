/**
 * Better Auth mounted at /api/auth/*. What happens around a request is Better Auth's own
 * plugins (lib/auth/plugins: the input guard, the sign-in lockout, session tokens, API-key
 * lifetime, the admin audit); this router binds the request's audit sink, hands the request
 * over, and rewrites error bodies into the project's one error shape (Better Auth's own code
 * kept in `details.reason`, a field list as `details`), with `code` and `message` also at the
 * top level, where Better Auth's client reads them.
 */
import { type Context, Hono } from 'hono';
import { audit } from '../../lib/audit.ts';
import type { Auth } from '../../lib/auth/auth.ts';
import { parseBearer } from '../../lib/auth/authorization-header.ts';
import { AUTH_BASE_PATH } from '../../lib/auth/paths.ts';
import { bindAuditSink } from '../../lib/auth/request-audit.ts';
import { databaseAnswers } from '../../lib/db/unavailable.ts';
import {
  codeForStatus,
  DATABASE_RETRY_AFTER_SECONDS,
  ERROR_CODES,
  type ErrorCode,
  errorBody,
} from '../../lib/errors.ts';
import type { AppBindings } from '../../lib/types.ts';

/** Better Auth codes whose meaning the status alone does not carry. */
const CODE_BY_REASON: Record<string, { status: number; code: ErrorCode }> = {
  USER_ALREADY_EXISTS: { status: 409, code: ERROR_CODES.CONFLICT },
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: { status: 409, code: ERROR_CODES.CONFLICT },
  PASSWORD_TOO_SHORT: { status: 422, code: ERROR_CODES.VALIDATION_FAILED },
  PASSWORD_TOO_LONG: { status: 422, code: ERROR_CODES.VALIDATION_FAILED },
  INVALID_EMAIL: { status: 422, code: ERROR_CODES.VALIDATION_FAILED },
  VALIDATION_ERROR: { status: 422, code: ERROR_CODES.VALIDATION_FAILED },
  MALFORMED_JSON: { status: 400, code: ERROR_CODES.MALFORMED_JSON },
  INVALID_INPUT: { status: 422, code: ERROR_CODES.VALIDATION_FAILED },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, code: ERROR_CODES.UNSUPPORTED_MEDIA_TYPE },
};

export interface AuthRouterOptions {
  auth: Auth;
}

export function createAuthRouter(options: AuthRouterOptions) {
  const { auth } = options;
  const router = new Hono<AppBindings>();

  router.on(['GET', 'POST'], `${AUTH_BASE_PATH}/*`, async (c) => {
    bindAuditSink(c.req.raw, (event, fields) => audit(c, event, fields));
    const response = await auth.handler(c.req.raw);
    const answer = response.status >= 400 ? await translateError(c, response) : response;
    // A Response built here does not carry the headers middleware set on the context before
    // the handler ran; the request id must be on every response.
    const headers = new Headers(answer.headers);
    headers.set('X-Request-Id', c.get('requestId'));
    return new Response(answer.body, {
      status: answer.status,
      statusText: answer.statusText,
      headers,
    });
  });

  return router;
}

/** Rewrites a Better Auth error response into the project's error shape, headers kept. */
async function translateError(c: Context<AppBindings>, response: Response): Promise<Response> {
  let reason: string | undefined;
  let fields: unknown[] | undefined;
  let message = response.statusText || 'Request failed';
  if ((response.headers.get('content-type') ?? '').includes('application/json')) {
    const body = (await response.json().catch(() => null)) as {
      code?: string;
      message?: string;
      details?: unknown;
    } | null;
    reason = body?.code;
    message = body?.message ?? message;
    // A field list (the input guard's 422) is the details themselves, as on every other route.
    if (Array.isArray(body?.details)) fields = body.details;
  }
  const mapped = reason ? CODE_BY_REASON[reason] : undefined;
  const status = mapped?.status ?? response.status;
  const code = mapped?.code ?? codeForStatus(status);
  // Better Auth turns every thrown error into a bare 500, and a session it could not look up
  // into a 401 (a client would sign its user out); an unreachable database is an outage the
  // client may retry, answered like one anywhere else in the API.
  const sessionSent =
    parseBearer(c.req.header('authorization')) !== null ||
    c.req.header('cookie')?.includes('session_token');
  if (status >= 500 || (status === 401 && sessionSent)) {
    if (!(await databaseAnswers(c.var.deps.database))) {
      c.var.logger.warn('auth failed: database unavailable', { status });
      const body = errorBody(
        c,
        ERROR_CODES.SERVICE_UNAVAILABLE,
        'The database is unavailable; try again shortly',
      );
      return new Response(JSON.stringify(body), {
        status: 503,
        headers: {
          'content-type': 'application/json',
          'retry-after': String(DATABASE_RETRY_AFTER_SECONDS),
        },
      });
    }
  }
  if (status >= 500) {
    c.var.logger.error('auth failed', { status, reason });
    message = 'Internal server error';
  }
  const origin = reason ? ORIGIN_REASONS[reason] : undefined;
  if (origin) {
    // A refused origin is a setup problem on the caller's side: said in the answer, and logged.
    message = origin;
    c.var.logger.warn('auth refused: origin', { reason, origin: c.req.header('origin') ?? null });
  }
  const headers = new Headers(response.headers);
  headers.set('content-type', 'application/json');
  headers.delete('content-length');
  const body = errorBody(c, code, message, fields ?? (reason ? { reason } : undefined));
  // The top-level `code` (read by Better Auth's client) is Better Auth's own, from its
  // `$ERROR_CODES`, when it gave one.
  return new Response(JSON.stringify({ ...body, code: reason ?? code }), { status, headers });
}

/** How a client proves its origin, said in the 403 of Better Auth's origin check. */
const ORIGIN_FIX =
  'A browser sends its Origin itself; a client outside a browser (a server, a script) must send one of the trusted origins (PUBLIC_URL or ALLOWED_ORIGINS) as its Origin header, for example createAuthClient({ fetchOptions: { headers: { origin } } }). See docs/clients.md.';
const ORIGIN_REASONS: Record<string, string> = {
  MISSING_OR_NULL_ORIGIN: `Missing or null Origin. ${ORIGIN_FIX}`,
  INVALID_ORIGIN: `The Origin is not a trusted origin. ${ORIGIN_FIX}`,
};

/**
 * Better Auth mounted at /api/auth/*. Around its handler: input checks (422 with field
 * details), account lockout on email sign-in, and its error bodies rewritten into the
 * project's one error shape (its own code kept in `details.reason`).
 */
import { type Context, Hono } from 'hono';
import { AUDIT_EVENTS, audit } from '../../lib/audit.ts';
import { AUTH_BASE_PATH, type Auth } from '../../lib/auth/auth.ts';
import { parseBearer } from '../../lib/auth/authorization-header.ts';
import type { Lockout } from '../../lib/auth/lockout.ts';
import { validationFailed } from '../../lib/create-router.ts';
import { databaseAnswers } from '../../lib/db/unavailable.ts';
import {
  ApiError,
  codeForStatus,
  DATABASE_RETRY_AFTER_SECONDS,
  ERROR_CODES,
  type ErrorCode,
  errorBody,
  errorResponse,
} from '../../lib/errors.ts';
import type { AppBindings } from '../../lib/types.ts';
import { BODY_SCHEMAS } from './auth.schemas.ts';

const SIGN_IN_PATH = '/sign-in/email';

/** Better Auth codes whose meaning the status alone does not carry. */
const CODE_BY_REASON: Record<string, { status: number; code: ErrorCode }> = {
  USER_ALREADY_EXISTS: { status: 409, code: ERROR_CODES.CONFLICT },
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: { status: 409, code: ERROR_CODES.CONFLICT },
  PASSWORD_TOO_SHORT: { status: 422, code: ERROR_CODES.VALIDATION_FAILED },
  PASSWORD_TOO_LONG: { status: 422, code: ERROR_CODES.VALIDATION_FAILED },
  INVALID_EMAIL: { status: 422, code: ERROR_CODES.VALIDATION_FAILED },
  VALIDATION_ERROR: { status: 422, code: ERROR_CODES.VALIDATION_FAILED },
};

export interface AuthRouterOptions {
  auth: Auth;
  lockout: Lockout;
}

async function readJson(request: Request): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) return undefined;
  try {
    return await request.clone().json();
  } catch {
    throw new ApiError(400, ERROR_CODES.MALFORMED_JSON, 'Malformed JSON in request body');
  }
}

export function createAuthRouter(options: AuthRouterOptions) {
  const { auth, lockout } = options;
  const router = new Hono<AppBindings>();

  router.on(['GET', 'POST'], `${AUTH_BASE_PATH}/*`, async (c) => {
    const path = c.req.path.slice(AUTH_BASE_PATH.length);
    const schema = c.req.method === 'POST' ? BODY_SCHEMAS[path] : undefined;
    const json = c.req.method === 'POST' ? await readJson(c.req.raw) : undefined;
    const nul = findNul(json, c.req.path, c.req.queries());
    if (nul) {
      return errorResponse(
        c,
        422,
        ERROR_CODES.VALIDATION_FAILED,
        'The request does not match the schema',
        [{ ...nul, message: 'Must not contain a NUL character' }],
      );
    }
    let email: string | undefined;
    if (schema) {
      const parsed = schema.safeParse(json);
      if (!parsed.success) return validationFailed(c, parsed.error, 'json');
      email = (parsed.data as { email?: string }).email;
    }

    const signIn = path === SIGN_IN_PATH && email !== undefined;
    if (signIn && email) {
      const retryAfter = await lockout.retryAfter(email);
      if (retryAfter !== null) {
        audit(c, AUDIT_EVENTS.LOCKED_OUT_ATTEMPT);
        throw new ApiError(
          429,
          ERROR_CODES.RATE_LIMITED,
          'Too many failed sign-ins; try again later',
          {
            headers: { 'Retry-After': String(Math.max(1, retryAfter)) },
            details: { retryAfterSeconds: Math.max(1, retryAfter) },
          },
        );
      }
    }

    const response = await auth.handler(c.req.raw);

    if (signIn && email) {
      if (response.status === 401) {
        const locked = await lockout.recordFailure(email);
        audit(c, locked ? AUDIT_EVENTS.LOCKED_OUT : AUDIT_EVENTS.SIGN_IN_FAILED);
      } else if (response.ok) {
        await lockout.recordSuccess(email);
      }
    }
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

/**
 * Where a NUL character sits in the request, if anywhere. PostgreSQL text cannot hold one:
 * Better Auth would pass it to a query and fail with a 500.
 */
function findNul(
  json: unknown,
  path: string,
  query: Record<string, string[]>,
): { location: 'body' | 'query' | 'path'; path: string } | null {
  if (path.includes('\u0000')) return { location: 'path', path: '' };
  for (const [name, values] of Object.entries(query)) {
    if (name.includes('\u0000') || values.some((value) => value.includes('\u0000')))
      return { location: 'query', path: name };
  }
  const walk = (value: unknown, at: string[]): string[] | null => {
    if (typeof value === 'string') return value.includes('\u0000') ? at : null;
    if (!value || typeof value !== 'object') return null;
    for (const [key, item] of Object.entries(value)) {
      const found = key.includes('\u0000') ? [...at, key] : walk(item, [...at, key]);
      if (found) return found;
    }
    return null;
  };
  const found = walk(json, []);
  return found ? { location: 'body', path: found.join('.') } : null;
}

/** Rewrites a Better Auth error response into the project's error shape, headers kept. */
async function translateError(c: Context<AppBindings>, response: Response): Promise<Response> {
  let reason: string | undefined;
  let message = response.statusText || 'Request failed';
  if ((response.headers.get('content-type') ?? '').includes('application/json')) {
    const body = (await response.json().catch(() => null)) as {
      code?: string;
      message?: string;
    } | null;
    reason = body?.code;
    message = body?.message ?? message;
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
  const headers = new Headers(response.headers);
  headers.set('content-type', 'application/json');
  headers.delete('content-length');
  const body = errorBody(c, code, message, reason ? { reason } : undefined);
  return new Response(JSON.stringify(body), { status, headers });
}

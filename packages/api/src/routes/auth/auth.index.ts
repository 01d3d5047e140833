/**
 * Better Auth mounted at /api/auth/*. Around its handler: input checks (422 with field
 * details), account lockout on email sign-in, and its error bodies rewritten into the
 * project's one error shape (its own code kept in `details.reason`).
 */
import { type Context, Hono } from 'hono';
import { AUDIT_EVENTS, audit } from '../../lib/audit.ts';
import { AUTH_BASE_PATH, type Auth } from '../../lib/auth/auth.ts';
import type { Lockout } from '../../lib/auth/lockout.ts';
import { validationFailed } from '../../lib/create-router.ts';
import {
  ApiError,
  codeForStatus,
  ERROR_CODES,
  type ErrorCode,
  errorBody,
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
    let email: string | undefined;
    if (schema) {
      const parsed = schema.safeParse(await readJson(c.req.raw));
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
    return response.status >= 400 ? translateError(c, response) : response;
  });

  return router;
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

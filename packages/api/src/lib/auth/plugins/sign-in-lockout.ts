/**
 * The sign-in lockout as a Better Auth plugin. Its `before` hook counts each email sign-in
 * attempt before Better Auth checks the password, and refuses it with 429 and Retry-After
 * once the email's attempts in the window pass the threshold (lib/auth/lockout.ts): in a
 * burst of parallel guesses at most the threshold reach the password check. Its `after`
 * hook clears the count on success and writes the audit events.
 */
import type { BetterAuthPlugin } from '@better-auth/core';
import { createAuthMiddleware } from '@better-auth/core/api';
import { APIError } from '@better-auth/core/error';
import { defineErrorCodes } from '@better-auth/core/utils/error-codes';
import { isAPIError } from '@better-auth/core/utils/is-api-error';
import { AUDIT_EVENTS } from '../../audit-events.ts';
import type { Lockout } from '../lockout.ts';
import { auditSinkOf } from '../request-audit.ts';

export const SIGN_IN_PATH = '/sign-in/email';

export const SIGN_IN_LOCKOUT_ERROR_CODES = defineErrorCodes({
  TOO_MANY_SIGN_IN_ATTEMPTS: 'Too many failed sign-ins; try again later',
});

export interface SignInLockoutOptions {
  lockout: Lockout;
}

const emailOf = (body: unknown): string | undefined => {
  const email = (body as { email?: unknown } | null | undefined)?.email;
  return typeof email === 'string' && email.length > 0 ? email : undefined;
};

const isSignIn = (context: { path?: string }) => context.path === SIGN_IN_PATH;

export const signInLockout = (options: SignInLockoutOptions) => {
  const { lockout } = options;
  // What each request's attempt counted, for its `after` hook.
  const counted = new WeakMap<object, number>();
  return {
    id: 'sign-in-lockout',
    $ERROR_CODES: SIGN_IN_LOCKOUT_ERROR_CODES,
    hooks: {
      before: [
        {
          matcher: isSignIn,
          handler: createAuthMiddleware(async (ctx) => {
            const email = emailOf(ctx.body);
            if (!email) return;
            const attempt = await lockout.attempt(email);
            if (ctx.request) counted.set(ctx.request, attempt.count);
            if (attempt.allowed) return;
            auditSinkOf(ctx.request)(AUDIT_EVENTS.LOCKED_OUT_ATTEMPT);
            throw new APIError(
              'TOO_MANY_REQUESTS',
              {
                ...SIGN_IN_LOCKOUT_ERROR_CODES.TOO_MANY_SIGN_IN_ATTEMPTS,
                retryAfterSeconds: attempt.retryAfterSeconds,
              },
              { 'Retry-After': String(attempt.retryAfterSeconds) },
            );
          }),
        },
      ],
      after: [
        {
          matcher: isSignIn,
          handler: createAuthMiddleware(async (ctx) => {
            const email = emailOf(ctx.body);
            if (!email) return;
            const returned = ctx.context.returned;
            const status = isAPIError(returned) ? returned.statusCode : returned ? 200 : undefined;
            if (status === 200) {
              await lockout.clear(email);
              return;
            }
            if (status !== 401) return;
            const count = ctx.request ? counted.get(ctx.request) : undefined;
            const locked = count !== undefined && count >= lockout.threshold;
            auditSinkOf(ctx.request)(
              locked ? AUDIT_EVENTS.LOCKED_OUT : AUDIT_EVENTS.SIGN_IN_FAILED,
            );
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
};

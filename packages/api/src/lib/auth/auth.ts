/**
 * Better Auth, configured from `Env`: email and password, cookie sessions with a bearer
 * path, roles (admin plugin), TOTP two-factor, API keys, and its OpenAPI schema.
 */

import * as schema from '@backend/shared/schema';
import { apiKey } from '@better-auth/api-key';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
// `better-auth/minimal` leaves out Kysely and its adapters: this app talks through Drizzle.
import { betterAuth } from 'better-auth/minimal';
import { admin } from 'better-auth/plugins/admin';
import { bearer } from 'better-auth/plugins/bearer';
import { twoFactor } from 'better-auth/plugins/two-factor';
import type { Env } from '../../env.ts';
import type { Database } from '../db/index.ts';
import type { EmailSender } from '../email/index.ts';
import type { Logger } from '../logger.ts';
import type { Lockout } from './lockout.ts';
import { API_KEY_HEADER, AUTH_BASE_PATH } from './paths.ts';
import { accessControl, DEFAULT_API_KEY_PERMISSIONS, ROLES } from './permissions.ts';
import { adminAudit } from './plugins/admin-audit.ts';
import {
  API_KEY_DEFAULT_EXPIRES_IN_SECONDS,
  API_KEY_MAX_EXPIRES_IN_DAYS,
  API_KEY_MIN_EXPIRES_IN_DAYS,
  apiKeyLifetime,
} from './plugins/api-key-lifetime.ts';
import { inputGuard } from './plugins/input-guard.ts';
import { sessionTokens } from './plugins/session-tokens.ts';
import { signInLockout } from './plugins/sign-in-lockout.ts';

export { API_KEY_HEADER, AUTH_BASE_PATH };
/** The prefix of every API key, so a leaked one is recognisable in a scan. */
export const API_KEY_PREFIX = 'sk_';

export interface AuthOptions {
  env: Env;
  db: Database;
  secret: string;
  email: EmailSender;
  logger: Logger;
  /** Counts sign-in attempts before Better Auth checks a password. */
  lockout: Lockout;
}

/** Better Auth paths switched off unless configured. */
const IMPERSONATION_PATHS = ['/admin/impersonate-user'];

export function createAuth(options: AuthOptions) {
  const { env, db, email, logger, lockout } = options;
  const local = env.STAGE === 'local';
  return betterAuth({
    appName: 'AI Backend',
    // Behind CloudFront the Host header names the Function URL, not the public host.
    baseURL: env.PUBLIC_URL,
    basePath: AUTH_BASE_PATH,
    secret: options.secret,
    disabledPaths: env.AUTH_ALLOW_IMPERSONATION ? [] : IMPERSONATION_PATHS,
    trustedOrigins: env.ALLOWED_ORIGINS,
    database: drizzleAdapter(db, {
      provider: 'pg',
      schema: {
        user: schema.user,
        session: schema.session,
        account: schema.account,
        verification: schema.verification,
        twoFactor: schema.twoFactor,
        apikey: schema.apikey,
      },
    }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 10,
      maxPasswordLength: 128,
      requireEmailVerification: env.AUTH_REQUIRE_EMAIL_VERIFICATION,
      revokeSessionsOnPasswordReset: true,
      sendResetPassword: async ({ user, url }) => {
        await email.send({
          to: user.email,
          subject: 'Reset your password',
          text: `Someone asked to reset the password of this account. If it was you, open:\n\n${url}\n\nIf not, ignore this message.`,
        });
      },
    },
    emailVerification: {
      sendOnSignUp: true,
      autoSignInAfterVerification: true,
      sendVerificationEmail: async ({ user, url }) => {
        await email.send({
          to: user.email,
          subject: 'Verify your email address',
          text: `Open this link to verify your email address:\n\n${url}`,
        });
      },
    },
    session: {
      expiresIn: env.AUTH_SESSION_DAYS * 24 * 60 * 60,
      // Refresh the expiry at most once a day of use.
      updateAge: 24 * 60 * 60,
    },
    user: { deleteUser: { enabled: true } },
    // Limits are the API's own rate limiter's job, shared across Lambda containers.
    rateLimit: { enabled: false },
    advanced: {
      // Pinned on everywhere, tests included (Better Auth would switch it off for NODE_ENV=test).
      disableOriginCheck: false,
      disableCSRFCheck: false,
      useSecureCookies: !local,
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax', secure: !local },
      ipAddress: env.TRUSTED_IP_HEADER
        ? { ipAddressHeaders: [env.TRUSTED_IP_HEADER] }
        : { disableIpTracking: true },
    },
    telemetry: { enabled: false },
    onAPIError: {
      // Better Auth would print every refused request (each 4xx) on the console, outside the
      // JSON logs; those are the caller's mistakes, answered in the error shape. Anything
      // else goes to the log.
      onError(error) {
        const status = (error as { statusCode?: unknown }).statusCode;
        if (typeof status === 'number' && status < 500) return;
        logger.error('better-auth failed', { err: error });
      },
    },
    logger: {
      level: env.LOG_LEVEL === 'debug' ? 'debug' : 'warn',
      log: (level, message, ...args) =>
        logger[level](
          'better-auth',
          args.length > 0 ? { detail: message, args } : { detail: message },
        ),
    },
    plugins: [
      // Input checks before routing, then the lockout before any password is checked.
      inputGuard(),
      signInLockout({ lockout }),
      admin({ ac: accessControl, roles: ROLES, defaultRole: 'user', adminRoles: ['admin'] }),
      adminAudit(),
      twoFactor({ issuer: 'AI Backend' }),
      // Only the signed token of `set-auth-token` is a bearer credential, never a raw one.
      bearer({ requireSignature: true }),
      sessionTokens(),
      apiKey({
        apiKeyHeaders: API_KEY_HEADER,
        defaultPrefix: API_KEY_PREFIX,
        requireName: true,
        // Limits are the API's rate limiter's job; Better Auth's per-key default is 10 a day.
        rateLimit: { enabled: false },
        // `defaultExpiresIn` in seconds, `min`/`maxExpiresIn` in days, as the plugin reads them.
        keyExpiration: {
          defaultExpiresIn: API_KEY_DEFAULT_EXPIRES_IN_SECONDS,
          minExpiresIn: API_KEY_MIN_EXPIRES_IN_DAYS,
          maxExpiresIn: API_KEY_MAX_EXPIRES_IN_DAYS,
        },
        permissions: { defaultPermissions: DEFAULT_API_KEY_PERMISSIONS },
      }),
      apiKeyLifetime(),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;

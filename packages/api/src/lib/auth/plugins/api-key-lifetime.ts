/**
 * Every API key expires. The API-key plugin reads `defaultExpiresIn` in seconds and
 * `minExpiresIn`/`maxExpiresIn` in days (`@better-auth/api-key`, create and update routes);
 * these constants are given in those units. A key created without `expiresIn` gets the
 * default; an `expiresIn` over the maximum is refused by the plugin itself; and this plugin
 * refuses the one way left to a key without expiry: `update` with `"expiresIn": null`.
 */
import type { BetterAuthPlugin } from '@better-auth/core';
import { createAuthMiddleware } from '@better-auth/core/api';
import { APIError } from '@better-auth/core/error';
import { defineErrorCodes } from '@better-auth/core/utils/error-codes';

/** The lifetime of a key created without one: 90 days, in seconds (as the plugin reads it). */
export const API_KEY_DEFAULT_EXPIRES_IN_SECONDS = 90 * 24 * 60 * 60;
/** The longest lifetime a key may be given, in days (as the plugin reads it). */
export const API_KEY_MAX_EXPIRES_IN_DAYS = 365;
/** The shortest lifetime a key may be given, in days (as the plugin reads it). */
export const API_KEY_MIN_EXPIRES_IN_DAYS = 1;

export const API_KEY_LIFETIME_ERROR_CODES = defineErrorCodes({
  API_KEY_EXPIRY_REQUIRED: `An API key must expire: expiresIn is 1 to ${API_KEY_MAX_EXPIRES_IN_DAYS} days, in seconds`,
});

export const apiKeyLifetime = () =>
  ({
    id: 'api-key-lifetime',
    $ERROR_CODES: API_KEY_LIFETIME_ERROR_CODES,
    hooks: {
      before: [
        {
          matcher: (context) => context.path === '/api-key/update',
          handler: createAuthMiddleware(async (ctx) => {
            const body = ctx.body as { expiresIn?: unknown } | undefined;
            if (body?.expiresIn === null) {
              throw APIError.from(
                'UNPROCESSABLE_ENTITY',
                API_KEY_LIFETIME_ERROR_CODES.API_KEY_EXPIRY_REQUIRED,
              );
            }
          }),
        },
      ],
    },
  }) satisfies BetterAuthPlugin;

/**
 * Session tokens stay where they were issued. Better Auth returns the raw token of every
 * session from `list-sessions` (and an admin's `list-user-sessions`) and of the current one
 * from `get-session`; this plugin strips `token` from those answers, leaving each session's
 * `id`, and lets `revoke-session` (`{ "id" }`) and `admin/revoke-user-session`
 * (`{ "sessionId" }`) name a session by that id. Bearer tokens are only accepted signed
 * (`bearer({ requireSignature: true })`), so the raw token in a sign-in body is no credential
 * either: the one usable token is the signed `set-auth-token` header of a sign-in.
 */
import type { BetterAuthPlugin } from '@better-auth/core';
import { createAuthMiddleware } from '@better-auth/core/api';
import { isAPIError } from '@better-auth/core/utils/is-api-error';

const STRIPPED_PATHS = new Set(['/list-sessions', '/get-session', '/admin/list-user-sessions']);

type Session = Record<string, unknown>;

function withoutToken(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutToken);
  if (!value || typeof value !== 'object') return value;
  const { token: _token, ...rest } = value as Session;
  return rest;
}

/** The answer of a stripped path with every session's `token` removed. */
function stripTokens(path: string, returned: unknown): unknown {
  if (!returned || typeof returned !== 'object' || isAPIError(returned)) return returned;
  if (returned instanceof Response) return returned;
  if (path === '/list-sessions') return withoutToken(returned);
  const body = returned as { session?: unknown; sessions?: unknown };
  if (path === '/get-session' && body.session) {
    return { ...body, session: withoutToken(body.session) };
  }
  if (path === '/admin/list-user-sessions' && Array.isArray(body.sessions)) {
    return { ...body, sessions: withoutToken(body.sessions) };
  }
  return returned;
}

/** The token of session `id`, when it exists. */
async function tokenOf(
  adapter: {
    findOne<T>(query: {
      model: string;
      where: { field: string; value: string }[];
    }): Promise<T | null>;
  },
  id: unknown,
): Promise<string | undefined> {
  if (typeof id !== 'string' || id.length === 0) return undefined;
  const session = await adapter.findOne<{ token: string }>({
    model: 'session',
    where: [{ field: 'id', value: id }],
  });
  return session?.token;
}

export const sessionTokens = () =>
  ({
    id: 'session-tokens',
    hooks: {
      before: [
        {
          matcher: (context) =>
            context.path === '/revoke-session' || context.path === '/admin/revoke-user-session',
          handler: createAuthMiddleware(async (ctx) => {
            const body = (ctx.body ?? {}) as Record<string, unknown>;
            const admin = ctx.path === '/admin/revoke-user-session';
            const field = admin ? 'sessionToken' : 'token';
            if (body[field] !== undefined) return;
            const token = await tokenOf(ctx.context.adapter, admin ? body.sessionId : body.id);
            // An unknown id revokes nothing, as an unknown token would.
            return { context: { body: { ...body, [field]: token ?? '' } } };
          }),
        },
      ],
      after: [
        {
          matcher: (context) => STRIPPED_PATHS.has(context.path ?? ''),
          handler: createAuthMiddleware(async (ctx) => {
            const returned = ctx.context.returned;
            const stripped = stripTokens(ctx.path ?? '', returned);
            // `ctx.json` takes an array too (Better Auth answers `list-sessions` with one).
            if (stripped !== returned) return ctx.json(stripped as Record<string, unknown>);
          }),
        },
      ],
    },
  }) satisfies BetterAuthPlugin;

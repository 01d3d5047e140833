/**
 * Who is calling: the caller the auth middleware resolves once per request and sets as the
 * `caller` variable (`AuthVariables`). Here, in lib, so that the app-wide bindings
 * (lib/types.ts) can name it without importing the middleware.
 */
import type * as schema from '@backend/shared/schema';

export type AuthUser = typeof schema.user.$inferSelect;
export type AuthMethod = 'cookie' | 'bearer' | 'api-key';

export interface Caller {
  user: AuthUser;
  method: AuthMethod;
  /** The session's id; null for API keys. */
  sessionId: string | null;
  /** What the API key may do; null for sessions, where the role decides. */
  keyPermissions: Record<string, string[]> | null;
}

export interface AuthVariables {
  /** The authenticated caller, or null. */
  caller: Caller | null;
  /** Why credentials that were sent did not authenticate (an invalid API key), if so. */
  authError: string | null;
}

/**
 * Better Auth's own client outside a browser. A browser sends its `Origin` itself; Node's
 * fetch sends `Sec-Fetch-Mode: cors` but no Origin, so Better Auth's origin check refuses
 * it (403 `MISSING_OR_NULL_ORIGIN`). A server-side client proves its origin by sending one
 * of the API's trusted origins (`PUBLIC_URL` or one of `ALLOWED_ORIGINS`) as `Origin`, and
 * authenticates later calls with the signed token of the `set-auth-token` header.
 */

/** The response header of sign-in and sign-up holding the signed bearer token. */
export const AUTH_TOKEN_HEADER = 'set-auth-token';

export interface ServerAuthSession {
  /** The signed session token from the last sign-in or sign-up, `null` before one. */
  readonly token: string | null;
  /** Spread into `createAuthClient({ fetchOptions })`. */
  readonly fetchOptions: {
    headers: Record<string, string>;
    onRequest: (context: { headers: Headers }) => void;
    onSuccess: (context: { response: Response }) => void;
    auth: { type: 'Bearer'; token: () => string | undefined };
  };
}

/**
 * `fetchOptions` for `createAuthClient` on a server: the trusted `origin` on every request,
 * the `set-auth-token` of a sign-in kept and sent back as `Authorization: Bearer`, and the
 * short-lived cookies Better Auth sets between two steps (the second factor after a
 * password) sent back as a browser would.
 */
export function serverAuthFetchOptions(origin: string): ServerAuthSession {
  let token: string | null = null;
  const cookies = new Map<string, string>();
  return {
    get token() {
      return token;
    },
    fetchOptions: {
      headers: { origin },
      onRequest(context) {
        if (cookies.size > 0)
          context.headers.set(
            'cookie',
            [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
          );
      },
      onSuccess(context) {
        const issued = context.response.headers.get(AUTH_TOKEN_HEADER);
        if (issued) token = issued;
        for (const cookie of context.response.headers.getSetCookie()) {
          const [pair = ''] = cookie.split(';');
          const separator = pair.indexOf('=');
          const name = pair.slice(0, separator);
          // The session itself travels as the bearer token; only the other cookies are kept.
          if (name.endsWith('session_token') || name.endsWith('session_data')) continue;
          const value = pair.slice(separator + 1);
          if (value === '' || /max-age=0/i.test(cookie)) cookies.delete(name);
          else cookies.set(name, value);
        }
      },
      auth: { type: 'Bearer', token: () => token ?? undefined },
    },
  };
}

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
    onSuccess: (context: { response: Response }) => void;
    auth: { type: 'Bearer'; token: () => string | undefined };
  };
}

/**
 * `fetchOptions` for `createAuthClient` on a server: the trusted `origin` on every request,
 * the `set-auth-token` of a sign-in kept, and sent back as `Authorization: Bearer`.
 */
export function serverAuthFetchOptions(origin: string): ServerAuthSession {
  let token: string | null = null;
  return {
    get token() {
      return token;
    },
    fetchOptions: {
      headers: { origin },
      onSuccess(context) {
        const issued = context.response.headers.get(AUTH_TOKEN_HEADER);
        if (issued) token = issued;
      },
      auth: { type: 'Bearer', token: () => token ?? undefined },
    },
  };
}

/**
 * The one reader of `Authorization: Bearer` (RFC 7235, RFC 6750): the scheme is matched
 * case-insensitively (`Bearer`, `bearer`, `BEARER`), followed by one or more spaces and the
 * credential. The credential is token68 loosened to any visible ASCII run, since clients
 * percent-encode the `+`, `/` and `=` of a signed session token; it ends at the first space.
 */

const BEARER = /^bearer +([\x21-\x7e]+) *$/i;

/** The credential of a Bearer `Authorization` header; null for any other scheme or shape. */
export function parseBearer(header: string | null | undefined): string | null {
  if (!header) return null;
  return BEARER.exec(header)?.[1] ?? null;
}

/**
 * Signed, expiring tokens for the local storage's upload and download URLs: what S3's
 * presigned requests are on AWS. HMAC-SHA256 over the claims with a key derived from the auth
 * secret; the token travels in the query string, which the request log never writes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenPurpose = 'upload' | 'download';

export interface TokenClaims {
  purpose: TokenPurpose;
  /** The object key. */
  key: string;
  contentType: string;
  /** Upload: the exact size; download: the stored size. */
  size: number;
  /** Download: the name the browser saves it under. */
  fileName?: string;
  /** Expiry, in seconds since the epoch. */
  expires: number;
}

/** The signing key of the storage tokens, derived from the auth secret (never the secret itself). */
export const storageTokenKey = (authSecret: string) =>
  createHmac('sha256', authSecret).update('files:local-storage-token:v1').digest();

export function signToken(key: Uint8Array, claims: TokenClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${mac(key, body)}`;
}

/** The claims of a token this key signed for `purpose`, unexpired at `nowMs`; else null. */
export function verifyToken(
  key: Uint8Array,
  token: string,
  purpose: TokenPurpose,
  nowMs: number,
): TokenClaims | null {
  const [body, signature, ...rest] = token.split('.');
  if (!body || !signature || rest.length > 0) return null;
  const expected = Buffer.from(mac(key, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
    if (claims.purpose !== purpose || typeof claims.key !== 'string') return null;
    if (!Number.isInteger(claims.size) || typeof claims.contentType !== 'string') return null;
    if (typeof claims.expires !== 'number' || claims.expires * 1000 <= nowMs) return null;
    return claims;
  } catch {
    return null;
  }
}

const mac = (key: Uint8Array, body: string) =>
  createHmac('sha256', key).update(body).digest('base64url');

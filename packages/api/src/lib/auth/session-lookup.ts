/**
 * The caller's session, from `Authorization: Bearer` or the session cookie, in one query.
 *
 * Better Auth's `getSession` is the authority, and this answers exactly as it would: the
 * bearer token wins over the cookie; a signed value counts only with a valid HMAC-SHA256
 * signature under the auth secret; a raw (unsigned) bearer token counts for nothing (the
 * bearer plugin requires a signature), so the cookie decides; an unknown token is no session. It is fast only on the common path, a live session
 * that needs no write: everything else goes to `getSession` itself, which does the writes
 * (an expired session is deleted, a session past its update age has its expiry extended)
 * and decides the cases not handled here (a "don't remember me" session, a signature this
 * does not recognise). `getSession` costs two queries and several WebCrypto calls per
 * request; this costs one query and one HMAC.
 *
 * One seam: `createApp` builds this lookup and hands it to the caller middleware
 * (`resolveCaller`); nothing else reads Better Auth's cookie format. It is kept because
 * Better Auth's own `secondaryStorage` on Redis measured about twice as slow per
 * authenticated request (`bench/session-lookup.ts`, figures in docs/performance.md);
 * `session-lookup.test.ts` holds it to `getSession`'s answers.
 */
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import * as schema from '@backend/shared/tables';
import { eq, getTableColumns, sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import type { Auth } from './auth.ts';
import { parseBearer } from './authorization-header.ts';

export type SessionRow = typeof schema.session.$inferSelect;
export type UserRow = typeof schema.user.$inferSelect;

export interface FoundSession {
  session: SessionRow;
  user: UserRow;
}

/** Looks up the session `headers` carry; null when there is none (or it is not valid). */
export type SessionLookup = (headers: Headers) => Promise<FoundSession | null>;

export interface SessionLookupOptions {
  auth: Auth;
  db: Database;
}

/** What Better Auth's own configuration says about sessions, read once. */
interface SessionSettings {
  /** The auth secret as a key, made once (a string key is converted on every HMAC). */
  secret: KeyObject;
  cookieName: string;
  dontRememberCookieName: string;
  expiresInMs: number;
  updateAgeMs: number;
  refreshDisabled: boolean;
}

/** Length of a padded base64 HMAC-SHA256 signature, the form Better Auth signs with. */
const SIGNATURE_LENGTH = 44;

/** The value of cookie `name` in a `Cookie` header, URL-decoded; undefined when absent. */
export function cookieValue(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at).trim() !== name) continue;
    const raw = pair.slice(at + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

type Credential =
  /** A session token to look up. */
  | { kind: 'token'; token: string }
  /** Nothing that names a session. */
  | { kind: 'none' }
  /** A case left to Better Auth. */
  | { kind: 'defer' };

export function createSessionLookup(options: SessionLookupOptions): SessionLookup {
  const { auth, db } = options;
  let settings: Promise<SessionSettings> | undefined;
  const settingsOf = () => {
    settings ??= auth.$context.then((context) => ({
      secret: createSecretKey(Buffer.from(context.secret, 'utf8')),
      cookieName: context.authCookies.sessionToken.name,
      dontRememberCookieName: context.authCookies.dontRememberToken.name,
      expiresInMs: context.sessionConfig.expiresIn * 1000,
      updateAgeMs: context.sessionConfig.updateAge * 1000,
      refreshDisabled:
        (context.options.session as { disableSessionRefresh?: boolean } | undefined)
          ?.disableSessionRefresh === true,
    }));
    return settings;
  };

  const query = db
    .select({ session: getTableColumns(schema.session), user: getTableColumns(schema.user) })
    .from(schema.session)
    .innerJoin(schema.user, eq(schema.user.id, schema.session.userId))
    .where(eq(schema.session.token, sql.placeholder('token')))
    .limit(1)
    .prepare('session_lookup');

  /** The token of a signed `token.signature` value, when its signature is Better Auth's. */
  function verified(signed: string, secret: KeyObject): Credential {
    const at = signed.lastIndexOf('.');
    if (at < 1) return { kind: 'defer' };
    const token = signed.slice(0, at);
    const signature = Buffer.from(signed.slice(at + 1));
    if (signature.length !== SIGNATURE_LENGTH) return { kind: 'defer' };
    const expected = Buffer.from(createHmac('sha256', secret).update(token).digest('base64'));
    return timingSafeEqual(signature, expected) ? { kind: 'token', token } : { kind: 'defer' };
  }

  function credentialOf(headers: Headers, config: SessionSettings): Credential {
    // Only a signed bearer token counts (`bearer({ requireSignature: true })`): Better Auth
    // passes over a raw one or a malformed header, and so does this, on to the cookie.
    const bearer = parseBearer(headers.get('authorization'));
    if (bearer?.includes('.')) {
      let signed = bearer;
      if (bearer.includes('%')) {
        try {
          signed = decodeURIComponent(bearer);
        } catch {
          return { kind: 'defer' };
        }
      }
      return verified(signed, config.secret);
    }
    const cookies = headers.get('cookie');
    const signed = cookieValue(cookies, config.cookieName);
    if (signed === undefined) return { kind: 'none' };
    if (cookieValue(cookies, config.dontRememberCookieName) !== undefined) return { kind: 'defer' };
    return verified(signed, config.secret);
  }

  async function slowPath(headers: Headers): Promise<FoundSession | null> {
    const found = await auth.api.getSession({ headers });
    return found ? { session: found.session as SessionRow, user: found.user as UserRow } : null;
  }

  return async function lookupSession(headers) {
    const config = await settingsOf();
    const credential = credentialOf(headers, config);
    if (credential.kind === 'none') return null;
    if (credential.kind === 'defer') return slowPath(headers);
    const [row] = await query.execute({ token: credential.token });
    if (!row) return null;
    const now = Date.now();
    const expiresAt = row.session.expiresAt.getTime();
    const dueForRefresh =
      !config.refreshDisabled && expiresAt - config.expiresInMs + config.updateAgeMs <= now;
    // Expired (to be deleted) or due for a new expiry: Better Auth does the write.
    if (expiresAt <= now || dueForRefresh) return slowPath(headers);
    return row;
  };
}

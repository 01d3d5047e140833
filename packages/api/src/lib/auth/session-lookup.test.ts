import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import * as schema from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import {
  cookiesOf,
  jsonRequest,
  PASSWORD,
  signIn,
  signUp,
  type TestUser,
  uniqueEmail,
} from '../../../test/accounts.ts';
import { createTestDeps, DEPLOYED_STAGE_ENV } from '../../../test/test-deps.ts';
import { createApp } from '../../app.ts';
import type { AppDeps } from '../../deps.ts';
import type { Auth } from './auth.ts';
import { cookieValue, createSessionLookup, type SessionLookup } from './session-lookup.ts';

const DAY_MS = 86_400_000;

let deps: AppDeps;
let app: ReturnType<typeof createApp>;
let lookup: SessionLookup;
/** Calls that reached Better Auth's own getSession. */
let deferred = 0;

beforeAll(async () => {
  deps = await createTestDeps();
  app = createApp(deps);
  const counting = {
    ...deps.auth,
    api: {
      ...deps.auth.api,
      getSession: (...args: Parameters<Auth['api']['getSession']>) => {
        deferred += 1;
        return deps.auth.api.getSession(...args);
      },
    },
  } as Auth;
  lookup = createSessionLookup({ auth: counting, db: deps.database.db });
});
afterAll(() => deps.close());

/** What Better Auth itself answers for `headers`: the user and session ids, or null. */
async function authority(headers: Headers) {
  const found = await deps.auth.api.getSession({ headers });
  return found ? { user: found.user.id, session: found.session.id } : null;
}

async function ours(headers: Headers) {
  const found = await lookup(headers);
  return found ? { user: found.user.id, session: found.session.id } : null;
}

/** Ours and Better Auth's answers for `headers`, and how many of ours were deferred. */
async function compare(init: Record<string, string>) {
  const before = deferred;
  const mine = await ours(new Headers(init));
  const calls = deferred - before;
  return { mine, theirs: await authority(new Headers(init)), deferred: calls };
}

/** The signed `token.signature` value Better Auth sends in `set-auth-token`. */
async function signedToken(user: TestUser) {
  const response = await signIn(app, deps, user.email);
  expect(response.status).toBe(200);
  const signed = response.headers.get('set-auth-token');
  expect(signed).toContain('.');
  return { signed: signed ?? '', cookie: cookiesOf(response) };
}

const sessionOf = async (token: string) =>
  (await deps.database.db.select().from(schema.session).where(eq(schema.session.token, token)))[0];

describe('session lookup', () => {
  test('a live session by signed bearer or cookie: Better Auth’s answer, in one query', async () => {
    const user = await signUp(app, deps);
    const { signed, cookie } = await signedToken(user);
    const variants: Array<Record<string, string>> = [
      { authorization: `Bearer ${user.bearer}` },
      { authorization: `bearer ${signed}` },
      { authorization: `Bearer ${encodeURIComponent(signed)}` },
      { cookie: user.cookie },
      { cookie },
    ];
    for (const headers of variants) {
      const result = await compare(headers);
      expect(result.mine).not.toBeNull();
      expect(result.mine).toEqual(result.theirs);
      expect(result.mine?.user).toBe(user.id);
      expect(result.deferred).toBe(0);
    }
  });

  test('the bearer token wins over the cookie, as with Better Auth', async () => {
    const first = await signUp(app, deps);
    const second = await signUp(app, deps);
    const result = await compare({
      authorization: `Bearer ${second.bearer}`,
      cookie: first.cookie,
    });
    expect(result.mine?.user).toBe(second.id);
    expect(result.mine).toEqual(result.theirs);
  });

  test('a forged or unknown credential is no session', async () => {
    const user = await signUp(app, deps);
    const { signed } = await signedToken(user);
    const [token] = signed.split('.');
    const forgedSignature = `${token}.${'A'.repeat(43)}=`;
    const cookieName = user.cookie.split('=')[0] ?? '';
    const variants: Array<Record<string, string>> = [
      { authorization: `Bearer ${forgedSignature}` },
      { authorization: `Bearer ${token}.` },
      // A raw session token is no bearer credential: only the signed form is.
      { authorization: `Bearer ${token}` },
      { authorization: `Bearer ${user.token}` },
      { authorization: 'Bearer unknown-token-that-names-no-session' },
      { authorization: 'Bearer ' },
      { authorization: 'Basic dXNlcjpwYXNz' },
      { cookie: `${cookieName}=${encodeURIComponent(forgedSignature)}` },
      { cookie: `${cookieName}=${token}` },
      { cookie: `${cookieName}=%E0%A4%A` },
      { cookie: 'unrelated=1' },
      {},
    ];
    for (const headers of variants) {
      const result = await compare(headers);
      expect(result.mine).toBeNull();
      expect(result.theirs).toBeNull();
    }
  });

  test('a bearer token with a bad signature falls back to the cookie, as with Better Auth', async () => {
    const user = await signUp(app, deps);
    const { signed } = await signedToken(user);
    const [token] = signed.split('.');
    const result = await compare({
      authorization: `Bearer ${token}.${'B'.repeat(43)}=`,
      cookie: user.cookie,
    });
    expect(result.mine?.user).toBe(user.id);
    expect(result.mine).toEqual(result.theirs);
  });

  test('a signed-out session is gone at once', async () => {
    const user = await signUp(app, deps);
    expect(await ours(new Headers({ cookie: user.cookie }))).not.toBeNull();
    const out = await app.request('/api/auth/sign-out', {
      method: 'POST',
      headers: { cookie: user.cookie, origin: new URL(deps.env.PUBLIC_URL).origin },
    });
    expect(out.status).toBe(200);
    expect(await ours(new Headers({ cookie: user.cookie }))).toBeNull();
    expect(await ours(new Headers({ authorization: `Bearer ${user.bearer}` }))).toBeNull();
  });

  test('an expired session is no session, and Better Auth deletes it', async () => {
    const user = await signUp(app, deps);
    await deps.database.db
      .update(schema.session)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.session.token, user.token));
    const before = deferred;
    expect(await ours(new Headers({ authorization: `Bearer ${user.bearer}` }))).toBeNull();
    expect(deferred - before).toBe(1);
    expect(await sessionOf(user.token)).toBeUndefined();
  });

  test('a session past its update age is found and its expiry extended by Better Auth', async () => {
    const user = await signUp(app, deps);
    const { expiresIn, updateAge } = (await deps.auth.$context).sessionConfig;
    // Issued just over a day ago (the update age): the next use refreshes it.
    const staleExpiry = new Date(Date.now() + expiresIn * 1000 - updateAge * 1000 - 60_000);
    await deps.database.db
      .update(schema.session)
      .set({ expiresAt: staleExpiry })
      .where(eq(schema.session.token, user.token));
    const before = deferred;
    const found = await lookup(new Headers({ cookie: user.cookie }));
    expect(found?.user.id).toBe(user.id);
    expect(deferred - before).toBe(1);
    const refreshed = await sessionOf(user.token);
    expect(refreshed?.expiresAt.getTime()).toBeGreaterThan(staleExpiry.getTime() + DAY_MS / 2);
    // Refreshed: the next lookups are fast again.
    const again = deferred;
    expect((await lookup(new Headers({ cookie: user.cookie })))?.user.id).toBe(user.id);
    expect(deferred - again).toBe(0);
  });

  test('a "don’t remember me" session is left to Better Auth, which finds it', async () => {
    const email = uniqueEmail();
    await signUp(app, deps, { email });
    const response = await app.request(
      '/api/auth/sign-in/email',
      jsonRequest(
        'POST',
        { email, password: PASSWORD, rememberMe: false },
        { origin: new URL(deps.env.PUBLIC_URL).origin },
      ),
    );
    expect(response.status).toBe(200);
    const cookie = cookiesOf(response);
    expect(cookie).toContain('dont_remember');
    const result = await compare({ cookie });
    expect(result.mine).not.toBeNull();
    expect(result.mine).toEqual(result.theirs);
    expect(result.deferred).toBe(1);
  });

  test('outside local development the __Secure- cookie is the one read', async () => {
    const secure = await createTestDeps({ env: DEPLOYED_STAGE_ENV });
    try {
      const { cookie } = await signUp(createApp(secure), secure);
      expect(cookie).toStartWith('__Secure-');
      const secureLookup = createSessionLookup({ auth: secure.auth, db: secure.database.db });
      expect(await secureLookup(new Headers({ cookie }))).not.toBeNull();
      // The plain name is not the session cookie there.
      const plain = cookie.replace('__Secure-', '');
      expect(await secureLookup(new Headers({ cookie: plain }))).toBeNull();
    } finally {
      await secure.close();
    }
  });
});

describe('cookieValue', () => {
  test('finds the named cookie among others, URL-decoded, and nothing else', () => {
    const header = 'a=1; session=tok.sig%3D; other=x';
    expect(cookieValue(header, 'session')).toBe('tok.sig=');
    expect(cookieValue(header, 'sess')).toBeUndefined();
    expect(cookieValue('bad=%E0%A4%A', 'bad')).toBe('%E0%A4%A');
    expect(cookieValue(null, 'a')).toBeUndefined();
  });
});

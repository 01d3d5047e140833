import { beforeAll, describe, expect, test } from 'bun:test';
import { cookiesOf, jsonRequest, signIn, signUp } from '../../../../test/accounts.ts';
import { useTestApp } from '../../../../test/test-app.ts';

const t = useTestApp();
let origin: string;

beforeAll(async () => {
  origin = new URL(t.deps.env.PUBLIC_URL).origin;
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Every string value in `value`, at any depth. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!value || typeof value !== 'object') return [];
  return Object.values(value).flatMap(stringsIn);
}

/** Whether `headers` authenticate, on the API's own route and on one of Better Auth's. */
async function authenticates(headers: Record<string, string>) {
  const me = await t.app.request('/api/me', { headers });
  const session = await t.app.request('/api/auth/get-session', { headers });
  const found = session.status === 200 && (await session.json()) !== null;
  expect(me.status === 200).toBe(found);
  return found;
}

describe('session tokens handed out', () => {
  test('list-sessions and get-session carry no session token, only ids', async () => {
    const user = await signUp(t.app, t.deps);
    await signIn(t.app, t.deps, user.email);
    const list = await t.app.request('/api/auth/list-sessions', { headers: user.headers });
    expect(list.status).toBe(200);
    const sessions = (await list.json()) as Array<Record<string, unknown>>;
    expect(sessions).toHaveLength(2);
    for (const session of sessions) {
      expect(session).not.toHaveProperty('token');
      expect(typeof session.id).toBe('string');
    }
    const current = await t.app.request('/api/auth/get-session', { headers: user.headers });
    const body = (await current.json()) as { session: Record<string, unknown> };
    expect(body.session).not.toHaveProperty('token');
    expect(typeof body.session.id).toBe('string');
  });

  test('a token read from any response other than set-auth-token authenticates nothing', async () => {
    const user = await signUp(t.app, t.deps);
    const second = await signIn(t.app, t.deps, user.email);
    const signInBody = (await second.clone().json()) as Record<string, unknown>;
    const listed = await (
      await t.app.request('/api/auth/list-sessions', { headers: user.headers })
    ).json();
    const current = await (
      await t.app.request('/api/auth/get-session', { headers: user.headers })
    ).json();
    const candidates = new Set(
      [signInBody, listed, current].flatMap(stringsIn).filter((value) => value.length >= 16),
    );
    // The raw token of the sign-in body is among them: it is no bearer credential.
    expect(candidates.has(user.token)).toBe(false);
    candidates.add(String(signInBody.token));
    for (const candidate of candidates) {
      expect(await authenticates(bearer(candidate))).toBe(false);
    }
  });

  test('the signed set-auth-token authenticates until sign-out ends it', async () => {
    const user = await signUp(t.app, t.deps);
    const response = await signIn(t.app, t.deps, user.email);
    const signed = response.headers.get('set-auth-token') ?? '';
    expect(signed).toContain('.');
    expect(await authenticates(bearer(signed))).toBe(true);
    const out = await t.app.request(
      '/api/auth/sign-out',
      jsonRequest('POST', {}, { ...bearer(signed), origin }),
    );
    expect(out.status).toBe(200);
    expect(await authenticates(bearer(signed))).toBe(false);
    // The other session lives on.
    expect(await authenticates({ cookie: user.cookie })).toBe(true);
  });

  test('a session is revoked by the id list-sessions gives', async () => {
    const user = await signUp(t.app, t.deps);
    const second = await signIn(t.app, t.deps, user.email);
    const secondCookie = cookiesOf(second);
    const { session } = (await (
      await t.app.request('/api/auth/get-session', { headers: { cookie: secondCookie } })
    ).json()) as { session: { id: string } };
    const revoke = await t.app.request(
      '/api/auth/revoke-session',
      jsonRequest('POST', { id: session.id }, user.headers),
    );
    expect(revoke.status).toBe(200);
    expect(await authenticates({ cookie: secondCookie })).toBe(false);
    expect(await authenticates({ cookie: user.cookie })).toBe(true);
  });

  test("another user's session id revokes nothing", async () => {
    const owner = await signUp(t.app, t.deps);
    const other = await signUp(t.app, t.deps);
    const { session } = (await (
      await t.app.request('/api/auth/get-session', { headers: { cookie: other.cookie } })
    ).json()) as { session: { id: string } };
    const revoke = await t.app.request(
      '/api/auth/revoke-session',
      jsonRequest('POST', { id: session.id }, owner.headers),
    );
    expect(revoke.status).toBeLessThan(500);
    expect(await authenticates({ cookie: other.cookie })).toBe(true);
  });
});

import { beforeAll, describe, expect, test } from 'bun:test';
import {
  cookiesOf,
  jsonRequest,
  PASSWORD,
  signIn,
  signUp,
  uniqueEmail,
} from '../../../test/accounts.ts';
import { useTestApp } from '../../../test/test-app.ts';
import {
  captureEmails,
  captureLogs,
  createTestDeps,
  DEPLOYED_STAGE_ENV,
} from '../../../test/test-deps.ts';
import { createApp } from '../../app.ts';
import { ERROR_CODES, type ErrorBody } from '../../lib/errors.ts';

const emails = captureEmails();
const logs = captureLogs('info');
const t = useTestApp({
  email: emails,
  logger: logs.logger,
  env: { AUTH_LOCKOUT_THRESHOLD: '5', AUTH_LOCKOUT_SECONDS: '2' },
});
let origin: string;

beforeAll(async () => {
  origin = new URL(t.deps.env.PUBLIC_URL).origin;
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  t.app.request(path, jsonRequest('POST', body, { origin, ...headers }));
const errorOf = async (response: Response) => ((await response.json()) as ErrorBody).error;

describe('POST /api/auth/sign-up/email', () => {
  test('a weak or malformed input answers 422 naming each field', async () => {
    const response = await post('/api/auth/sign-up/email', {
      email: 'not-an-email',
      password: 'x'.repeat(9),
      name: '',
    });
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.code).toBe(ERROR_CODES.VALIDATION_FAILED);
    const fields = (error.details as Array<{ path: string; message: string }>)
      .map((d) => d.path)
      .sort();
    expect(fields).toEqual(['email', 'name', 'password']);
  });

  test('a password over 128 characters answers 422 naming the limit', async () => {
    const response = await post('/api/auth/sign-up/email', {
      email: uniqueEmail(),
      password: 'x'.repeat(129),
      name: 'Long',
    });
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(JSON.stringify(error.details)).toContain('128');
  });

  test('passwords of exactly 10 and 128 characters are accepted', async () => {
    for (const password of ['x'.repeat(10), 'y'.repeat(128)]) {
      const response = await post('/api/auth/sign-up/email', {
        email: uniqueEmail(),
        password,
        name: 'Edge',
      });
      expect(response.status).toBe(200);
    }
  });

  test('malformed JSON answers 400 in the error shape', async () => {
    const response = await t.app.request('/api/auth/sign-up/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: '{"email":',
    });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe(ERROR_CODES.MALFORMED_JSON);
  });

  test('an email already registered answers 409', async () => {
    const user = await signUp(t.app, t.deps);
    const response = await post('/api/auth/sign-up/email', {
      email: user.email,
      password: PASSWORD,
      name: 'Again',
    });
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe(ERROR_CODES.CONFLICT);
  });

  test('the session cookie is HttpOnly and SameSite=Lax (and not Secure in local development)', async () => {
    const response = await post('/api/auth/sign-up/email', {
      email: uniqueEmail(),
      password: PASSWORD,
      name: 'C',
    });
    const session = response.headers.getSetCookie().find((c) => c.includes('session_token='));
    expect(session).toBeDefined();
    expect(session).toContain('HttpOnly');
    expect(session?.toLowerCase()).toContain('samesite=lax');
    expect(session).not.toContain('Secure');
  });

  test('sends a verification email whose link verifies the address', async () => {
    const user = await signUp(t.app, t.deps);
    const message = emails.sent.findLast((m) => m.to === user.email && /verify/i.test(m.subject));
    expect(message).toBeDefined();
    const link = new URL(message?.text.match(/https?:\/\/\S+/)?.[0] ?? '');
    expect(link.pathname).toBe('/api/auth/verify-email');
    const verify = await t.app.request(`${link.pathname}${link.search}`);
    expect(verify.status).toBeLessThan(400);
    const me = await t.app.request('/api/me', { headers: user.headers });
    expect(((await me.json()) as { emailVerified: boolean }).emailVerified).toBe(true);
  });
});

describe('sessions', () => {
  test('cookie outside local development carry Secure', async () => {
    const secure = await createTestDeps({ env: DEPLOYED_STAGE_ENV });
    try {
      const response = await createApp(secure).request(
        '/api/auth/sign-up/email',
        jsonRequest(
          'POST',
          { email: uniqueEmail(), password: PASSWORD, name: 'S' },
          { origin: 'https://api.example.com' },
        ),
      );
      expect(response.status).toBe(200);
      const session = response.headers.getSetCookie().find((c) => c.includes('session_token='));
      expect(session).toStartWith('__Secure-');
      expect(session).toContain('Secure');
      expect(session).toContain('HttpOnly');
    } finally {
      await secure.close();
    }
  });

  test('sign-out ends the session: the old cookie answers 401', async () => {
    const user = await signUp(t.app, t.deps);
    expect((await t.app.request('/api/me', { headers: user.headers })).status).toBe(200);
    const out = await post('/api/auth/sign-out', {}, { cookie: user.cookie });
    expect(out.status).toBe(200);
    const after = await t.app.request('/api/me', { headers: user.headers });
    expect(after.status).toBe(401);
    expect((await errorOf(after)).code).toBe(ERROR_CODES.UNAUTHORIZED);
  });

  test('a user lists their sessions and revokes one; the revoked one answers 401 at once', async () => {
    const user = await signUp(t.app, t.deps);
    const second = await signIn(t.app, t.deps, user.email);
    const secondCookie = cookiesOf(second);
    const list = await t.app.request('/api/auth/list-sessions', { headers: user.headers });
    expect(list.status).toBe(200);
    const sessions = (await list.json()) as Array<{ token: string }>;
    expect(sessions).toHaveLength(2);
    const secondToken = ((await second.json()) as { token: string }).token;
    const revoke = await post(
      '/api/auth/revoke-session',
      { token: secondToken },
      { cookie: user.cookie },
    );
    expect(revoke.status).toBe(200);
    expect((await t.app.request('/api/me', { headers: { cookie: secondCookie } })).status).toBe(
      401,
    );
    expect((await t.app.request('/api/me', { headers: user.headers })).status).toBe(200);
  });

  test('non-browser clients authenticate with the signed set-auth-token as a bearer token', async () => {
    const user = await signUp(t.app, t.deps);
    const response = await t.app.request('/api/me', {
      headers: { authorization: `Bearer ${user.bearer}` },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { authMethod: string }).authMethod).toBe('bearer');
    const bad = await t.app.request('/api/me', {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(bad.status).toBe(401);
    const raw = await t.app.request('/api/me', {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(raw.status).toBe(401);
  });

  test("Better Auth's origin check is on: a cookie-authenticated POST from an untrusted origin is refused", async () => {
    const user = await signUp(t.app, t.deps);
    const response = await t.app.request(
      '/api/auth/sign-out',
      jsonRequest('POST', {}, { cookie: user.cookie, origin: 'https://evil.example' }),
    );
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe(ERROR_CODES.FORBIDDEN);
    expect((await t.app.request('/api/me', { headers: user.headers })).status).toBe(200);
  });
});

describe('password reset', () => {
  test('the emailed token sets a new password and ends the old sessions', async () => {
    const user = await signUp(t.app, t.deps);
    const request = await post('/api/auth/request-password-reset', {
      email: user.email,
      redirectTo: '/reset',
    });
    expect(request.status).toBe(200);
    const message = emails.sent.findLast((m) => m.to === user.email && /reset/i.test(m.subject));
    const token = message?.text.match(/reset-password\/([\w-]+)/)?.[1];
    expect(token).toBeDefined();

    const weak = await post('/api/auth/reset-password', { token, newPassword: 'short' });
    expect(weak.status).toBe(422);

    const reset = await post('/api/auth/reset-password', {
      token,
      newPassword: 'a brand new passphrase',
    });
    expect(reset.status).toBe(200);
    expect((await t.app.request('/api/me', { headers: user.headers })).status).toBe(401);
    expect((await signIn(t.app, t.deps, user.email, PASSWORD)).status).toBe(401);
    expect((await signIn(t.app, t.deps, user.email, 'a brand new passphrase')).status).toBe(200);
  });
});

describe('account lockout', () => {
  test('the 6th wrong password gets 429; the right one too while locked; after the window it works', async () => {
    const user = await signUp(t.app, t.deps);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const response = await signIn(t.app, t.deps, user.email, 'wrong password!');
      expect(response.status).toBe(401);
    }
    const sixth = await signIn(t.app, t.deps, user.email, 'wrong password!');
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await errorOf(sixth)).code).toBe(ERROR_CODES.RATE_LIMITED);

    const rightDuringLock = await signIn(t.app, t.deps, user.email.toUpperCase());
    expect(rightDuringLock.status).toBe(429);

    await Bun.sleep(2_100);
    expect((await signIn(t.app, t.deps, user.email)).status).toBe(200);
  });

  test('a successful sign-in resets the count of failures', async () => {
    const user = await signUp(t.app, t.deps);
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect((await signIn(t.app, t.deps, user.email, 'wrong password!')).status).toBe(401);
    }
    expect((await signIn(t.app, t.deps, user.email)).status).toBe(200);
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect((await signIn(t.app, t.deps, user.email, 'wrong password!')).status).toBe(401);
    }
    expect((await signIn(t.app, t.deps, user.email)).status).toBe(200);
  });

  test('audit lines record failures and lockouts without the password or the address', async () => {
    const user = await signUp(t.app, t.deps);
    for (let attempt = 1; attempt <= 6; attempt++)
      await signIn(t.app, t.deps, user.email, 'hunter2-wrong!');
    const events = logs.lines.filter((line) => line.message === 'audit').map((line) => line.event);
    expect(events).toContain('auth.sign_in_failed');
    expect(events).toContain('auth.locked_out');
    expect(events).toContain('auth.locked_out_attempt');
    const output = logs.raw.join('\n');
    expect(output).not.toContain('hunter2-wrong!');
    expect(output).not.toContain(PASSWORD);
  });
});

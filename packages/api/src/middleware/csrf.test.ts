import { beforeAll, describe, expect, test } from 'bun:test';
import { createApiKey, jsonRequest, signUp, type TestUser } from '../../test/accounts.ts';
import { useTestApp } from '../../test/test-app.ts';
import { captureLogs } from '../../test/test-deps.ts';
import { AUDIT_EVENTS } from '../lib/audit.ts';
import { ERROR_CODES, type ErrorBody } from '../lib/errors.ts';

const logs = captureLogs('info');
const t = useTestApp({
  logger: logs.logger,
  env: { ALLOWED_ORIGINS: 'https://app.example' },
});
let user: TestUser;

beforeAll(async () => {
  user = await signUp(t.app, t.deps);
});

const createChat = (headers: Record<string, string>) =>
  t.app.request('/api/chats', jsonRequest('POST', { title: 'csrf' }, headers));

describe('CSRF', () => {
  test('a cookie-authenticated POST without an Origin is refused with 403 and an audit line', async () => {
    const response = await createChat({ cookie: user.cookie });
    expect(response.status).toBe(403);
    expect(((await response.json()) as ErrorBody).error.code).toBe(ERROR_CODES.FORBIDDEN);
    expect(logs.lines.some((line) => line.event === AUDIT_EVENTS.CSRF_REJECTED)).toBe(true);
  });

  test('a cookie-authenticated POST from an origin not on the list is refused', async () => {
    expect((await createChat({ cookie: user.cookie, origin: 'https://evil.example' })).status).toBe(
      403,
    );
    expect((await createChat({ cookie: user.cookie, origin: 'null' })).status).toBe(403);
  });

  test('the public origin and the configured origins pass', async () => {
    expect(
      (await createChat({ cookie: user.cookie, origin: 'http://localhost:3000' })).status,
    ).toBe(201);
    expect((await createChat({ cookie: user.cookie, origin: 'https://app.example' })).status).toBe(
      201,
    );
  });

  test('without an Origin, Sec-Fetch-Site: same-origin passes and cross-site does not', async () => {
    expect(
      (await createChat({ cookie: user.cookie, 'sec-fetch-site': 'same-origin' })).status,
    ).toBe(201);
    expect((await createChat({ cookie: user.cookie, 'sec-fetch-site': 'cross-site' })).status).toBe(
      403,
    );
  });

  test('bearer-token and API-key requests are exempt, even with a stray cookie', async () => {
    const bearer = await createChat({
      cookie: 'theme=dark',
      authorization: `Bearer ${user.bearer}`,
    });
    expect(bearer.status).toBe(201);
    const key = await createApiKey(t.app, user);
    expect((await createChat({ cookie: 'theme=dark', 'x-api-key': key.key })).status).toBe(201);
  });

  test('safe methods are not checked', async () => {
    expect((await t.app.request('/api/chats', { headers: { cookie: user.cookie } })).status).toBe(
      200,
    );
  });

  test('auth endpoints are covered too: sign-out with the cookie from a foreign origin is refused', async () => {
    const response = await t.app.request(
      '/api/auth/sign-out',
      jsonRequest('POST', {}, { cookie: user.cookie, origin: 'https://evil.example' }),
    );
    expect(response.status).toBe(403);
    expect((await t.app.request('/api/me', { headers: user.headers })).status).toBe(200);
  });

  test('a cookie beside a bearer token that does not validate is origin-checked on the app routes', async () => {
    const foreign = { cookie: user.cookie, origin: 'https://evil.example' };
    for (const authorization of ['Bearer garbage', 'Bearer fake.c2lnbmF0dXJl', 'bearer x']) {
      const response = await createChat({ ...foreign, authorization });
      expect({ authorization, status: response.status }).toEqual({ authorization, status: 403 });
      expect(((await response.json()) as ErrorBody).error.code).toBe(ERROR_CODES.FORBIDDEN);
    }
    const badKey = await createChat({ ...foreign, 'x-api-key': 'not-a-key' });
    expect(badKey.status).toBe(403);
  });

  // Better Auth refuses a foreign Origin on its own too; the audit line tells this check's 403
  // from its INVALID_ORIGIN.
  const csrfRejected = (requestId: string) =>
    logs.lines.some(
      (line) => line.event === AUDIT_EVENTS.CSRF_REJECTED && line.requestId === requestId,
    );

  test('a cookie beside a bearer token or API key that does not validate is origin-checked on Better Auth routes', async () => {
    const victim = await signUp(t.app, t.deps);
    const bogus: Array<Record<string, string>> = [
      { authorization: 'Bearer garbage' },
      { 'x-api-key': 'not-a-key' },
    ];
    for (const [index, header] of bogus.entries()) {
      const requestId = `csrf-auth-bogus-${index}`;
      const response = await t.app.request(
        '/api/auth/sign-out',
        jsonRequest(
          'POST',
          {},
          {
            cookie: victim.cookie,
            origin: 'https://evil.example',
            'x-request-id': requestId,
            ...header,
          },
        ),
      );
      expect(response.status).toBe(403);
      expect(csrfRejected(requestId)).toBe(true);
    }
    expect((await t.app.request('/api/me', { headers: victim.headers })).status).toBe(200);
  });

  test('a bearer token that validates exempts the request, in any letter case of the scheme', async () => {
    const headers = {
      cookie: 'theme=dark',
      origin: 'https://evil.example',
      authorization: `bearer ${user.bearer}`,
    };
    expect((await createChat(headers)).status).toBe(201);
    await t.app.request(
      '/api/auth/update-user',
      jsonRequest('POST', { name: 'Renamed' }, { ...headers, 'x-request-id': 'csrf-auth-valid' }),
    );
    expect(csrfRejected('csrf-auth-valid')).toBe(false);
  });

  test('/api/me names the cookie as the method when a bearer token beside it does not validate', async () => {
    const response = await t.app.request('/api/me', {
      headers: { cookie: user.cookie, authorization: 'Bearer garbage' },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { authMethod: string }).authMethod).toBe('cookie');
    const bearer = await t.app.request('/api/me', {
      headers: { cookie: user.cookie, authorization: `Bearer ${user.bearer}` },
    });
    expect(((await bearer.json()) as { authMethod: string }).authMethod).toBe('bearer');
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createApiKey, jsonRequest, signUp, type TestUser } from '../../test/accounts.ts';
import { captureLogs, createTestDeps } from '../../test/test-deps.ts';
import { createApp } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { AUDIT_EVENTS } from '../lib/audit.ts';
import { ERROR_CODES, type ErrorBody } from '../lib/errors.ts';

const logs = captureLogs('info');
let deps: AppDeps;
let app: ReturnType<typeof createApp>;
let user: TestUser;
beforeAll(async () => {
  deps = await createTestDeps({
    logger: logs.logger,
    env: { ALLOWED_ORIGINS: 'https://app.example' },
  });
  app = createApp(deps);
  user = await signUp(app, deps);
});
afterAll(() => deps.close());

const createChat = (headers: Record<string, string>) =>
  app.request('/api/chats', jsonRequest('POST', { title: 'csrf' }, headers));

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
      authorization: `Bearer ${user.token}`,
    });
    expect(bearer.status).toBe(201);
    const key = await createApiKey(app, user);
    expect((await createChat({ cookie: 'theme=dark', 'x-api-key': key.key })).status).toBe(201);
  });

  test('safe methods are not checked', async () => {
    expect((await app.request('/api/chats', { headers: { cookie: user.cookie } })).status).toBe(
      200,
    );
  });

  test('auth endpoints are covered too: sign-out with the cookie from a foreign origin is refused', async () => {
    const response = await app.request(
      '/api/auth/sign-out',
      jsonRequest('POST', {}, { cookie: user.cookie, origin: 'https://evil.example' }),
    );
    expect(response.status).toBe(403);
    expect((await app.request('/api/me', { headers: user.headers })).status).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import {
  createApiKey,
  jsonRequest,
  PASSWORD,
  signIn,
  signUp,
  type TestUser,
} from '../../test/accounts.ts';
import { captureLogs, createTestDeps } from '../../test/test-deps.ts';
import { createApp } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { AUDIT_EVENTS } from './audit.ts';

const logs = captureLogs('info');
let deps: AppDeps;
let app: ReturnType<typeof createApp>;
let user: TestUser;
let apiKey: string;
const IP = '198.51.100.77';

beforeAll(async () => {
  deps = await createTestDeps({
    logger: logs.logger,
    env: {
      TRUSTED_IP_HEADER: 'cloudfront-viewer-address',
      RATE_LIMIT_AUTH: '8',
      AUTH_LOCKOUT_THRESHOLD: '3',
    },
  });
  app = createApp(deps);
  user = await signUp(app, deps);
  apiKey = (await createApiKey(app, user)).key;

  const viewer = { 'cloudfront-viewer-address': `${IP}:5000` };
  // A failed sign-in, a lockout and an attempt while locked.
  for (let i = 0; i < 4; i++) await signIn(app, deps, user.email, 'hunter2-not-it!');
  // A permission denial (a user on an admin route, with a cookie and with the API key).
  await app.request('/api/admin/users', { headers: { ...user.headers, ...viewer } });
  await app.request('/api/admin/users', { headers: { 'x-api-key': apiKey, ...viewer } });
  // A CSRF rejection.
  await app.request(
    '/api/chats',
    jsonRequest('POST', { title: 'x' }, { cookie: user.cookie, ...viewer }),
  );
  // Rate-limit hits on the auth class.
  for (let i = 0; i < 10; i++) {
    await app.request(
      '/api/auth/sign-in/email',
      jsonRequest('POST', { email: user.email, password: PASSWORD }, viewer),
    );
  }
});
afterAll(() => deps.close());

const events = () => logs.lines.filter((line) => line.message === 'audit');

describe('audit log', () => {
  test('records sign-in failures, lockouts, rate-limit hits, CSRF rejections and permission denials', () => {
    const seen = new Set(events().map((line) => line.event));
    for (const event of [
      AUDIT_EVENTS.SIGN_IN_FAILED,
      AUDIT_EVENTS.LOCKED_OUT,
      AUDIT_EVENTS.LOCKED_OUT_ATTEMPT,
      AUDIT_EVENTS.RATE_LIMITED,
      AUDIT_EVENTS.CSRF_REJECTED,
      AUDIT_EVENTS.PERMISSION_DENIED,
    ]) {
      expect(seen).toContain(event);
    }
  });

  test('every event carries the request id and the client IP; the user id when known', () => {
    for (const line of events()) {
      expect(typeof line.requestId).toBe('string');
      expect(line).toHaveProperty('ip');
      expect(line).toHaveProperty('userId');
    }
    const denied = events().filter((line) => line.event === AUDIT_EVENTS.PERMISSION_DENIED);
    expect(denied.length).toBe(2);
    for (const line of denied) expect(line).toMatchObject({ userId: user.id, ip: IP });
    expect(events().find((line) => line.event === AUDIT_EVENTS.CSRF_REJECTED)).toMatchObject({
      ip: IP,
    });
  });

  test('no password, session token, cookie or API key reaches the log', () => {
    const output = logs.raw.join('\n');
    const sessionToken = user.cookie.split('=')[1]?.split('.')[0] ?? '';
    expect(sessionToken.length).toBeGreaterThan(10);
    for (const secret of [
      PASSWORD,
      'hunter2-not-it!',
      user.token,
      sessionToken,
      user.cookie,
      apiKey,
    ]) {
      expect(output).not.toContain(secret);
    }
    // Audit lines identify people by id, never by address.
    expect(JSON.stringify(events())).not.toContain(user.email);
  });
});

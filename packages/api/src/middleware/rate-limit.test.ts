import { afterAll, describe, expect, test } from 'bun:test';
import { signUp } from '../../test/accounts.ts';
import { captureLogs, createTestDeps, services, uniqueName } from '../../test/test-deps.ts';
import { createApp } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { createRedisCache } from '../lib/cache/redis.ts';
import { ERROR_CODES, type ErrorBody } from '../lib/errors.ts';

const opened: AppDeps[] = [];
afterAll(() => Promise.all(opened.map((deps) => deps.close())));

const LIMITS = {
  RATE_LIMIT_DEFAULT: '3',
  RATE_LIMIT_AUTH: '2',
  RATE_LIMIT_AI: '2',
  TRUSTED_IP_HEADER: 'cloudfront-viewer-address',
};

async function limitedApp(extra: Parameters<typeof createTestDeps>[0] = {}) {
  const deps = await createTestDeps({ ...extra, env: { ...LIMITS, ...extra.env } });
  opened.push(deps);
  return { deps, app: createApp(deps) };
}

const from = (ip: string, headers: Record<string, string> = {}) => ({
  headers: { 'cloudfront-viewer-address': `${ip}:443`, ...headers },
});

describe('rate limiting', () => {
  test('anonymous callers are limited per client IP, with RateLimit headers and a 429 after', async () => {
    const { app } = await limitedApp();
    const remaining: Array<string | null> = [];
    for (let i = 0; i < 3; i++) {
      const response = await app.request('/api/chats', from('198.51.100.7'));
      expect(response.status).toBe(401); // counted before authentication is checked
      expect(response.headers.get('ratelimit-limit')).toBe('3');
      remaining.push(response.headers.get('ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const limited = await app.request('/api/chats', from('198.51.100.7'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect(((await limited.json()) as ErrorBody).error.code).toBe(ERROR_CODES.RATE_LIMITED);

    expect((await app.request('/api/chats', from('198.51.100.8'))).status).toBe(401);
  });

  test('X-Forwarded-For cannot buy a fresh budget: only the trusted header names the client', async () => {
    const { app } = await limitedApp();
    for (let i = 0; i < 3; i++) {
      await app.request('/api/chats', from('203.0.113.1', { 'x-forwarded-for': `10.0.0.${i}` }));
    }
    const spoofed = await app.request(
      '/api/chats',
      from('203.0.113.1', { 'x-forwarded-for': '10.9.9.9' }),
    );
    expect(spoofed.status).toBe(429);
  });

  test('without a configured trusted header, a client-sent CloudFront header is ignored', async () => {
    const { app } = await limitedApp({ env: { TRUSTED_IP_HEADER: '' } });
    for (let i = 0; i < 3; i++) await app.request('/api/chats', from(`192.0.2.${i}`));
    expect((await app.request('/api/chats', from('192.0.2.99'))).status).toBe(429);
  });

  test('authenticated callers are limited per user, not per address', async () => {
    const { deps, app } = await limitedApp({ env: { RATE_LIMIT_AUTH: '100' } });
    const [first, second] = [await signUp(app, deps), await signUp(app, deps)];
    for (let i = 0; i < 3; i++) {
      expect(
        (
          await app.request('/api/me', {
            headers: { ...first.headers, ...from('198.51.100.20').headers },
          })
        ).status,
      ).toBe(200);
    }
    expect(
      (
        await app.request('/api/me', {
          headers: { ...first.headers, ...from('198.51.100.20').headers },
        })
      ).status,
    ).toBe(429);
    expect(
      (
        await app.request('/api/me', {
          headers: { ...second.headers, ...from('198.51.100.20').headers },
        })
      ).status,
    ).toBe(200);
  });

  test('auth endpoints have their own, stricter budget', async () => {
    const { app } = await limitedApp();
    const signIn = () =>
      app.request('/api/auth/sign-in/email', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...from('198.51.100.30').headers },
        body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong password' }),
      });
    expect((await signIn()).status).toBe(401);
    expect((await signIn()).status).toBe(401);
    const third = await signIn();
    expect(third.status).toBe(429);
    expect(third.headers.get('ratelimit-limit')).toBe('2');
    // The default class still has room for the same address.
    expect((await app.request('/api/chats', from('198.51.100.30'))).status).toBe(401);
  });
});

describe.if(Boolean(services.redisUrl))('rate limiting with Redis', () => {
  test('limits hold across containers that share Redis', async () => {
    const prefix = `${uniqueName('shared')}:`;
    const url = services.redisUrl ?? '';
    const one = await limitedApp({ cache: createRedisCache({ url, prefix }) });
    const two = await limitedApp({ cache: createRedisCache({ url, prefix }) });
    for (let i = 0; i < 2; i++) await one.app.request('/api/chats', from('198.51.100.40'));
    expect((await two.app.request('/api/chats', from('198.51.100.40'))).status).toBe(401);
    expect((await one.app.request('/api/chats', from('198.51.100.40'))).status).toBe(429);
    expect((await two.app.request('/api/chats', from('198.51.100.40'))).status).toBe(429);
  });
});

describe('rate limiting when Redis is down', () => {
  test('falls back to in-process limits, logs it, and never answers 5xx', async () => {
    const logs = captureLogs('info');
    const dead = createRedisCache({
      url: 'redis://127.0.0.1:1',
      prefix: 'x:',
      commandTimeoutMs: 200,
      logger: logs.logger,
    });
    const { app } = await limitedApp({ cache: dead, logger: logs.logger });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await app.request('/api/chats', from('198.51.100.50'))).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(
      logs.lines.some((line) => String(line.message).includes('falling back to in-process limits')),
    ).toBe(true);
  });
});

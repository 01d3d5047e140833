/**
 * A Redis outage in the middle of a run: a Redis server of the test's own (its own port, no
 * persistence) is killed and restarted under a running app. Throughout: no 5xx on non-auth
 * routes, every answer quick (the circuit is open, nothing waits on retries), rate limits
 * still enforced by the in-process fallback, the sign-in lockout still enforced, readiness
 * honest, recovery within seconds of the restart, and no unhandled rejection.
 * Skipped when redis-server is not installed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Redis } from 'ioredis';
import { createApp } from '../../src/app.ts';
import type { AppDeps } from '../../src/deps.ts';
import { createRedisCache } from '../../src/lib/cache/redis.ts';
import { ERROR_CODES, type ErrorBody } from '../../src/lib/errors.ts';
import { jsonRequest, signIn, signUp, type TestUser } from '../accounts.ts';
import { createTestDeps, uniqueName } from '../test-deps.ts';
import { type RedisProcess, redisServerAvailable, startRedis, waitFor } from './services.ts';

const RATE_LIMIT = 40;
/** The slowest answer tolerated while Redis is down (it used to take seconds). */
const FAST_MS = 750;

let server: RedisProcess;
let deps: AppDeps;
let app: ReturnType<typeof createApp>;
let user: TestUser;
const prefix = `${uniqueName('outage')}:`;
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);

describe.skipIf(!redisServerAvailable())('a Redis outage under a running app', () => {
  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    server = await startRedis();
    deps = await createTestDeps({
      cache: createRedisCache({ url: server.url, prefix }),
      env: {
        RATE_LIMIT_DEFAULT: String(RATE_LIMIT),
        RATE_LIMIT_AUTH: '1000',
        AUTH_LOCKOUT_THRESHOLD: '3',
        // Readiness is asked right after Redis stops: no result of a second ago.
        READINESS_CACHE_MS: '0',
      },
    });
    app = createApp(deps);
    user = await signUp(app, deps);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await deps?.close();
    await server?.kill();
  });

  const bearer = () => ({ authorization: `Bearer ${user.bearer}` });
  async function timed(path: string, init: RequestInit = {}) {
    const started = performance.now();
    const response = await app.request(path, init);
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - started, response };
  }

  test('before: Redis answers, readiness is 200', async () => {
    expect((await timed('/health/ready')).status).toBe(200);
    expect((await timed('/api/me', { headers: bearer() })).status).toBe(200);
  });

  test('during: non-auth routes answer quickly, never 5xx; readiness says 503', async () => {
    await server.kill();
    const results = [];
    for (let i = 0; i < 5; i++) {
      results.push(await timed('/health'));
      results.push(await timed('/api/me', { headers: bearer() }));
      results.push(await timed('/api/chats', { headers: bearer() }));
      results.push(
        await timed('/api/chats', jsonRequest('POST', { title: `during ${i}` }, bearer())),
      );
    }
    expect(results.filter((result) => result.status >= 500)).toEqual([]);
    expect(results.map((result) => result.status)).toEqual(
      Array.from({ length: 5 }, () => [200, 200, 200, 201]).flat(),
    );
    // The first request may wait for the first failed reconnect; none after it.
    expect(Math.max(...results.slice(2).map((result) => result.ms))).toBeLessThan(FAST_MS);

    const ready = await timed('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.response.headers.get('retry-after')).not.toBeNull();
    expect(ready.ms).toBeLessThan(FAST_MS);
  });

  test('during: the rate limit is still enforced (in-process fallback)', async () => {
    const other = await signUp(app, deps);
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT + 5; i++)
      statuses.push(
        (await timed('/api/me', { headers: { authorization: `Bearer ${other.bearer}` } })).status,
      );
    expect(statuses.slice(0, RATE_LIMIT).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(RATE_LIMIT)).toEqual([429, 429, 429, 429, 429]);
  });

  test('during: the sign-in lockout is still enforced, and quickly', async () => {
    const target = await signUp(app, deps);
    const started = performance.now();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await signIn(app, deps, target.email, 'wrong password!')).status);
    const locked = await signIn(app, deps, target.email);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as ErrorBody).error.code).toBe(ERROR_CODES.RATE_LIMITED);
    // Five sign-ins (password hashing included) without waiting on Redis retries.
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  test('after the restart: ready again within seconds, limits back on Redis, no unhandled rejection', async () => {
    await server.start();
    const restarted = performance.now();
    await waitFor(
      async () => (await app.request('/health/ready')).status === 200,
      5_000,
      'readiness',
    );
    expect(performance.now() - restarted).toBeLessThan(5_000);

    const probe = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      const response = await timed('/api/me', { headers: bearer() });
      expect(response.status).toBe(200);
      // The restarted server started empty: a rate-limit key in it was written after recovery.
      await waitFor(
        async () => (await probe.keys(`${prefix}rl:default*`)).length > 0,
        5_000,
        'limits on Redis',
      );
    } finally {
      probe.disconnect();
    }
    expect(rejections).toEqual([]);
  });
});

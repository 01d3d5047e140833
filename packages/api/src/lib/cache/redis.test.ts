/**
 * The Redis cache's circuit breaker against real connections: a port nothing listens on, and
 * (when redis-server is installed) a server of the test's own that is killed and restarted.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import {
  freePort,
  redisServerAvailable,
  startRedis,
  waitFor,
} from '../../../test/reliability/services.ts';
import { CircuitOpenError } from './circuit-breaker.ts';
import type { Cache } from './index.ts';
import { createRedisCache } from './redis.ts';

/** Well under one ioredis retry (200 ms and up), with room for a busy machine. */
const FAST_MS = 100;

const caches: Cache[] = [];
afterEach(async () => {
  await Promise.all(caches.splice(0).map((cache) => cache.close()));
});

async function elapsed<T>(work: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await work().catch(() => undefined);
  return performance.now() - started;
}

describe('the Redis cache when Redis is unreachable', () => {
  test('fails fast once the connection is known to be down, instead of waiting on retries', async () => {
    const cache = createRedisCache({ url: `redis://127.0.0.1:${freePort()}`, prefix: 'test:' });
    caches.push(cache);
    await expect(cache.get('a')).rejects.toThrow();
    const timings: number[] = [];
    for (let i = 0; i < 10; i++) timings.push(await elapsed(() => cache.get('a')));
    expect(Math.max(...timings)).toBeLessThan(FAST_MS);
    await expect(cache.increment('n', 60)).rejects.toBeInstanceOf(CircuitOpenError);
  });

  test('the shared client (used by the rate limiter) refuses commands at once too', async () => {
    const cache = createRedisCache({ url: `redis://127.0.0.1:${freePort()}`, prefix: 'test:' });
    caches.push(cache);
    await cache.get('a').catch(() => undefined);
    const client = cache.client;
    expect(client).toBeDefined();
    expect(await elapsed(() => client?.incr('x') ?? Promise.resolve(0))).toBeLessThan(FAST_MS);
    await expect(client?.incr('x')).rejects.toThrow(/enableOfflineQueue/);
  });
});

describe.skipIf(!redisServerAvailable())('the Redis cache through an outage', () => {
  test('answers before, fails fast during, and recovers within seconds after a restart', async () => {
    const server = await startRedis();
    try {
      const cache = createRedisCache({ url: server.url, prefix: 'test:' });
      caches.push(cache);
      await cache.set('k', 'v', 60);
      expect(await cache.get('k')).toBe('v');

      await server.kill();
      await expect(cache.get('k')).rejects.toThrow();
      await waitFor(
        async () => (await elapsed(() => cache.get('k'))) < FAST_MS,
        5_000,
        'fail-fast',
      );

      await server.start();
      const restarted = performance.now();
      await waitFor(
        async () => (await cache.get('k').catch(() => 'down')) === null,
        5_000,
        'recovery',
      );
      expect(performance.now() - restarted).toBeLessThan(5_000);
      await cache.set('k', 'again', 60);
      expect(await cache.get('k')).toBe('again');
    } finally {
      await server.kill();
    }
  }, 30_000);
});

import { afterAll, describe, expect, test } from 'bun:test';
import { services, uniqueName } from '../../../test/test-deps.ts';
import type { Cache } from './index.ts';
import { createLazyCache } from './lazy.ts';
import { createMemoryCache } from './memory.ts';
import { createRedisCache } from './redis.ts';

const implementations: Array<[string, () => Cache]> = [['memory', () => createMemoryCache()]];
if (services.redisUrl) {
  const url = services.redisUrl;
  implementations.push(['redis', () => createRedisCache({ url, prefix: `${uniqueName('t')}:` })]);
  // As deployed: the Redis adapter loaded by the first command.
  implementations.push([
    'redis, loaded on first use',
    () =>
      createLazyCache('redis', async () =>
        createRedisCache({ url, prefix: `${uniqueName('t')}:` }),
      ),
  ]);
}

describe.each(implementations)('%s cache', (_kind, make) => {
  const cache = make();
  afterAll(() => cache.close());

  test('stores, reads and deletes values', async () => {
    expect(await cache.get('missing')).toBeNull();
    await cache.set('a', 'one', 60);
    expect(await cache.get('a')).toBe('one');
    await cache.delete('a');
    expect(await cache.get('a')).toBeNull();
  });

  test('values expire after their TTL', async () => {
    await cache.set('short', 'x', 1);
    expect(await cache.ttl('short')).toBeGreaterThan(0);
    await Bun.sleep(1_100);
    expect(await cache.get('short')).toBeNull();
  });

  test('increment counts within the window the first increment opened', async () => {
    expect(await cache.increment('counter', 30)).toBe(1);
    expect(await cache.increment('counter', 30)).toBe(2);
    expect(await cache.increment('counter', 30)).toBe(3);
    const ttl = await cache.ttl('counter');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);
  });

  test('clear removes every key under the prefix only', async () => {
    await cache.set('k1', '1', 60);
    await cache.set('k2', '2', 60);
    expect(await cache.clear()).toBeGreaterThanOrEqual(2);
    expect(await cache.get('k1')).toBeNull();
  });

  test('ping resolves while the cache is up', async () => {
    await cache.ping();
  });
});

describe.if(Boolean(services.redisUrl))('redis cache outage', () => {
  test('a dead server fails fast instead of hanging', async () => {
    const cache = createRedisCache({
      url: 'redis://127.0.0.1:1',
      prefix: 'x:',
      commandTimeoutMs: 300,
    });
    const started = performance.now();
    await expect(cache.get('k')).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(3_000);
    await cache.close();
  });
});

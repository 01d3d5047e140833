import { afterAll, describe, expect, test } from 'bun:test';
import { Redis } from 'ioredis';
import { captureLogs, services, uniqueName } from '../test/test-deps.ts';
import { createRateLimiter } from './rate-limit.ts';

const POINTS = { default: 3, auth: 2, ai: 2 };

describe('in-process rate limiter', () => {
  test('allows up to the limit, counting down, then refuses with the seconds to the reset', async () => {
    const limiter = createRateLimiter({ points: POINTS, windowSeconds: 60 });
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.consume('default', 'ip:192.0.2.1'));
    expect(decisions.map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(decisions.every((d) => d.limit === 3 && d.store === 'memory')).toBe(true);
    expect(decisions[3]?.resetSeconds).toBeGreaterThan(0);
    expect(decisions[3]?.resetSeconds).toBeLessThanOrEqual(60);
  });

  test('keeps a separate budget per class and per key', async () => {
    const limiter = createRateLimiter({ points: POINTS, windowSeconds: 60 });
    for (let i = 0; i < 2; i++) await limiter.consume('auth', 'ip:192.0.2.2');
    expect((await limiter.consume('auth', 'ip:192.0.2.2')).allowed).toBe(false);
    expect((await limiter.consume('default', 'ip:192.0.2.2')).allowed).toBe(true);
    expect((await limiter.consume('auth', 'ip:192.0.2.3')).allowed).toBe(true);
  });
});

const clients: Redis[] = [];
afterAll(() => {
  for (const client of clients) client.disconnect();
});

describe.if(Boolean(services.redisUrl))('Redis rate limiter', () => {
  const connect = () => {
    const client = new Redis(services.redisUrl ?? '', {
      keyPrefix: `${uniqueName('rl')}:`,
      enableAutoPipelining: true,
    });
    clients.push(client);
    return client;
  };

  test('decides in Redis while Redis answers', async () => {
    const limiter = createRateLimiter({ points: POINTS, windowSeconds: 60, redis: connect() });
    const decision = await limiter.consume('default', 'ip:192.0.2.10');
    expect(decision).toMatchObject({ allowed: true, remaining: 2, limit: 3, store: 'redis' });
  });

  test('a key over its limit is refused from memory, without another Redis round trip', async () => {
    const redis = connect();
    const logs = captureLogs('info');
    const limiter = createRateLimiter({
      points: POINTS,
      windowSeconds: 60,
      redis,
      logger: logs.logger,
    });
    for (let i = 0; i < 3; i++) await limiter.consume('default', 'ip:192.0.2.11');
    expect((await limiter.consume('default', 'ip:192.0.2.11')).allowed).toBe(false);
    // With Redis gone, only the in-memory block can still answer for Redis.
    redis.disconnect();
    const blocked = await limiter.consume('default', 'ip:192.0.2.11');
    expect(blocked).toMatchObject({ allowed: false, remaining: 0, store: 'redis' });
    expect(blocked.resetSeconds).toBeGreaterThan(0);
    expect(logs.lines).toEqual([]);
    // Another key must ask Redis, which is gone: the in-process limiter answers, and says so.
    const other = await limiter.consume('default', 'ip:192.0.2.12');
    expect(other).toMatchObject({ allowed: true, store: 'memory' });
    expect(logs.lines.some((line) => String(line.message).includes('falling back'))).toBe(true);
  });
});

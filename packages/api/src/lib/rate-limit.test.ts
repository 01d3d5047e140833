import { afterAll, describe, expect, test } from 'bun:test';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { captureLogs, services, uniqueName } from '../../test/test-deps.ts';
import { createRedisCache } from './cache/redis.ts';
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

  test('with a client created on first use, the first request connects and Redis decides', async () => {
    let connects = 0;
    const limiter = createRateLimiter({
      points: POINTS,
      windowSeconds: 60,
      connect: async () => {
        connects++;
        return connect();
      },
    });
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.consume('default', 'ip:192.0.2.13'));
    expect(decisions.map((d) => [d.allowed, d.store])).toEqual([
      [true, 'redis'],
      [true, 'redis'],
      [true, 'redis'],
      [false, 'redis'],
    ]);
    expect(connects).toBe(1);
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

describe('rate limiter whose Redis client cannot be created', () => {
  test('falls back to the in-process limiter, and tries again with the next request', async () => {
    let connects = 0;
    const logs = captureLogs('info');
    const limiter = createRateLimiter({
      points: POINTS,
      windowSeconds: 60,
      logger: logs.logger,
      connect: async () => {
        connects++;
        throw new Error('chunk missing');
      },
    });
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.consume('default', 'ip:192.0.2.14'));
    expect(decisions.map((d) => [d.allowed, d.store])).toEqual([
      [true, 'memory'],
      [true, 'memory'],
      [true, 'memory'],
      [false, 'memory'],
    ]);
    expect(connects).toBe(4);
    expect(logs.lines.some((line) => String(line.message).includes('falling back'))).toBe(true);
  });
});

describe('rate limiter in front of a Redis that stopped answering', () => {
  test('pays the command timeout until the circuit opens, then falls back at once', async () => {
    // A server that accepts connections and never answers: every command times out.
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const cache = createRedisCache({
      url: `redis://127.0.0.1:${port}`,
      prefix: 'rl-silent:',
      commandTimeoutMs: 200,
      breaker: { failureThreshold: 2, openMs: 60_000 },
    });
    const limiter = createRateLimiter({
      points: POINTS,
      windowSeconds: 60,
      redis: cache.client,
      guard: cache.guard,
    });
    try {
      const timed = async () => {
        const started = performance.now();
        const decision = await limiter.consume('default', 'ip:192.0.2.40');
        return { decision, ms: performance.now() - started };
      };
      const first = await timed();
      const second = await timed();
      const later = [await timed(), await timed(), await timed()];
      // Never unlimited, never an error: the in-process limiter decides.
      for (const { decision } of [first, second, ...later]) {
        expect(decision.store).toBe('memory');
      }
      expect(later.map(({ decision }) => decision.remaining)).toEqual([0, 0, 0]);
      expect(later.at(-1)?.decision.allowed).toBe(false);
      expect(first.ms).toBeGreaterThanOrEqual(150);
      expect(second.ms).toBeGreaterThanOrEqual(150);
      // Open circuit: no Redis call, no timeout to wait for (each of those took 150 ms or more).
      for (const { ms } of later) expect(ms).toBeLessThan(150);
    } finally {
      await cache.close();
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});

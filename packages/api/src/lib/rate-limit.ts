/**
 * Rate limiters by endpoint class, with rate-limiter-flexible: Redis-backed when Redis is
 * configured (limits hold across Lambda containers), in-process otherwise. If Redis fails,
 * the in-process limiter takes over for that request and the switch is logged: never a
 * 5xx, never unlimited.
 */
import type { Redis } from 'ioredis';
import type {
  RateLimiterRes as LimiterRes,
  RateLimiterMemory as MemoryLimiter,
  RateLimiterRedis as RedisLimiter,
} from 'rate-limiter-flexible';
// One module per store: the package index would bundle every store it supports.
import RateLimiterMemory from 'rate-limiter-flexible/lib/RateLimiterMemory.js';
import RateLimiterRedis from 'rate-limiter-flexible/lib/RateLimiterRedis.js';
import RateLimiterRes from 'rate-limiter-flexible/lib/RateLimiterRes.js';
import { createMemoryFallback } from './cache/fallback.ts';
import type { Logger } from './logger.ts';

export const RATE_LIMIT_CLASSES = ['auth', 'ai', 'default'] as const;
export type RateLimitClass = (typeof RATE_LIMIT_CLASSES)[number];

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
  /** Which store decided: `redis`, or `memory` (configured, or standing in for Redis). */
  store: 'redis' | 'memory';
}

export interface RateLimiter {
  consume(cls: RateLimitClass, key: string): Promise<RateLimitDecision>;
}

export interface RateLimiterOptions {
  /** Requests per window, by class. */
  points: Record<RateLimitClass, number>;
  /** Window length in seconds. */
  windowSeconds: number;
  /** The Redis client; absent (and no `connect`): in-process limits only. */
  redis?: Redis;
  /**
   * Resolves to the Redis client where it is created on first use (a cache loaded lazily): the
   * Redis limiters are built by the first request, and a failure falls back as an outage does.
   * Ignored when `redis` is given.
   */
  connect?: () => Promise<Redis>;
  /**
   * Runs each Redis call, e.g. through the cache's circuit breaker, so a Redis that stopped
   * answering costs one timeout, not one per request. @default the call as it is
   */
  guard?: <T>(command: () => Promise<T>) => Promise<T>;
  logger?: Logger;
}

function decision(
  res: LimiterRes,
  limit: number,
  allowed: boolean,
  store: RateLimitDecision['store'],
) {
  return {
    allowed,
    limit,
    remaining: Math.max(0, res.remainingPoints),
    resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    store,
  };
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { points, windowSeconds, redis, logger } = options;
  const guard = options.guard ?? (<T>(command: () => Promise<T>) => command());
  const memory = Object.fromEntries(
    RATE_LIMIT_CLASSES.map((cls) => [
      cls,
      new RateLimiterMemory({
        keyPrefix: `rl:${cls}`,
        points: points[cls],
        duration: windowSeconds,
      }),
    ]),
  ) as Record<RateLimitClass, MemoryLimiter>;
  const redisLimiters = (client: Redis) =>
    Object.fromEntries(
      RATE_LIMIT_CLASSES.map((cls) => [
        cls,
        new RateLimiterRedis({
          storeClient: client,
          keyPrefix: `rl:${cls}`,
          points: points[cls],
          duration: windowSeconds,
          // A key over its limit is refused from memory until its window ends: a flood
          // from one client costs no Redis round trips.
          inMemoryBlockOnConsumed: points[cls] + 1,
        }),
      ]),
    ) as Record<RateLimitClass, RedisLimiter>;
  let shared = redis ? redisLimiters(redis) : undefined;
  const connect = redis ? undefined : options.connect;
  const withMemoryFallback = createMemoryFallback({ name: 'rate limiter', logger });

  // rate-limiter-flexible rejects with a RateLimiterRes when over the limit, with an Error
  // when the store fails; only the latter propagates. One promise per request, no more.
  function consumeFrom(
    limiter: MemoryLimiter | RedisLimiter,
    cls: RateLimitClass,
    key: string,
    store: RateLimitDecision['store'],
  ): Promise<RateLimitDecision> {
    return limiter.consume(key).then(
      (res) => decision(res, points[cls], true, store),
      (rejection: unknown) => {
        if (rejection instanceof RateLimiterRes) {
          return decision(rejection, points[cls], false, store);
        }
        throw rejection;
      },
    );
  }

  function fromMemory(cls: RateLimitClass, key: string) {
    return consumeFrom(memory[cls], cls, key, 'memory');
  }

  return {
    consume(cls, key) {
      if (shared) {
        const limiter = shared[cls];
        return withMemoryFallback(
          () => guard(() => consumeFrom(limiter, cls, key, 'redis')),
          () => fromMemory(cls, key),
        );
      }
      if (!connect) return fromMemory(cls, key);
      return withMemoryFallback(
        () =>
          guard(async () => {
            shared ??= redisLimiters(await connect());
            return consumeFrom(shared[cls], cls, key, 'redis');
          }),
        () => fromMemory(cls, key),
      );
    },
  };
}

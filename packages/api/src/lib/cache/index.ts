/**
 * The cache: Redis through ioredis when `REDIS_URL` is set, otherwise an in-process LRU.
 * Keys are namespaced by the configured prefix.
 */
import type { Redis } from 'ioredis';
import type { Env } from '../../env.ts';
import type { Logger } from '../logger.ts';
import type { Tracing } from '../observability/tracing.ts';
import type { SecretsProvider } from '../secrets.ts';

export interface Cache {
  readonly kind: 'memory' | 'redis';
  /** The Redis client, for components that speak Redis themselves (the rate limiter). */
  readonly client?: Redis;
  /** Runs a command of `client` through the cache's circuit breaker: it fails at once while Redis is down. */
  guard?<T>(command: () => Promise<T>): Promise<T>;
  get(key: string): Promise<string | null>;
  /** Stores `value` for `ttlSeconds`. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  /** Adds one to a counter and returns the new count; the first increment starts its TTL. */
  increment(key: string, ttlSeconds: number): Promise<number>;
  /** Seconds until `key` expires, or null when it does not exist. */
  ttl(key: string): Promise<number | null>;
  /** Removes every key under the prefix; returns how many were removed. */
  clear(): Promise<number>;
  /** Resolves when the cache answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function createCache(
  env: Env,
  logger: Logger,
  secrets?: SecretsProvider,
  tracing?: Tracing,
): Promise<Cache> {
  if (env.REDIS_URL) {
    const { createRedisCache } = await import('./redis.ts');
    return createRedisCache({ url: env.REDIS_URL, prefix: env.CACHE_PREFIX, logger, tracing });
  }
  if (env.REDIS_HOST) {
    const { createRedisCache } = await import('./redis.ts');
    const password =
      env.REDIS_AUTH_SECRET_ARN && secrets
        ? await secrets.get(env.REDIS_AUTH_SECRET_ARN)
        : undefined;
    return createRedisCache({
      host: env.REDIS_HOST,
      port: env.REDIS_PORT,
      tls: env.REDIS_TLS,
      password,
      prefix: env.CACHE_PREFIX,
      logger,
      tracing,
    });
  }
  const { createMemoryCache } = await import('./memory.ts');
  return createMemoryCache({ maxEntries: env.CACHE_MAX_ENTRIES });
}

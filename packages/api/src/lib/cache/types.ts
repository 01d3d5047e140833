/** The cache contract: what every cache adapter (memory, redis) provides. */
import type { Redis } from 'ioredis';

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

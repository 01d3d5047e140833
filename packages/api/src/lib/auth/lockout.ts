/**
 * Account lockout: after `threshold` consecutive failed sign-ins for one email, every
 * attempt for it is refused for `seconds`, the correct password included. Counters live
 * in the cache (Redis when configured, so the lock holds across Lambda containers).
 */
import { createHash } from 'node:crypto';
import type { Cache } from '../cache/index.ts';
import { createMemoryCache } from '../cache/memory.ts';
import type { Logger } from '../logger.ts';

export interface LockoutOptions {
  cache: Cache;
  /** Consecutive failures that lock an email. @default 5 */
  threshold?: number;
  /** How long a lock lasts, and the window failures are counted in. @default 900 */
  seconds?: number;
  logger?: Logger;
}

export interface Lockout {
  /** Seconds until `email` may try again, or null when it is not locked. */
  retryAfter(email: string): Promise<number | null>;
  /** Counts a failed sign-in; returns true when this failure locked the email. */
  recordFailure(email: string): Promise<boolean>;
  /** A successful sign-in resets the count. */
  recordSuccess(email: string): Promise<void>;
}

// Emails are hashed so the cache holds no address.
const digest = (email: string) =>
  createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');

/**
 * When the shared cache fails, counting goes on in this process (logged), so a Redis outage
 * neither fails sign-in with a 5xx nor switches the lockout off.
 */
function withFallback(shared: Cache, logger?: Logger): Cache {
  const local = createMemoryCache({ maxEntries: 10_000 });
  let degraded = false;
  const attempt = async <T>(use: (cache: Cache) => Promise<T>): Promise<T> => {
    try {
      const result = await use(shared);
      if (degraded) logger?.info('lockout counters back on the shared cache');
      degraded = false;
      return result;
    } catch (error) {
      if (!degraded) {
        logger?.warn('lockout counters falling back to this process: shared cache unavailable', {
          err: error instanceof Error ? error.message : String(error),
        });
      }
      degraded = true;
      return use(local);
    }
  };
  return {
    ...shared,
    get: (key) => attempt((cache) => cache.get(key)),
    set: (key, value, ttl) => attempt((cache) => cache.set(key, value, ttl)),
    delete: (...keys) => attempt((cache) => cache.delete(...keys)),
    increment: (key, ttl) => attempt((cache) => cache.increment(key, ttl)),
    ttl: (key) => attempt((cache) => cache.ttl(key)),
  };
}

export function createLockout(options: LockoutOptions): Lockout {
  const cache = withFallback(options.cache, options.logger);
  const threshold = options.threshold ?? 5;
  const seconds = options.seconds ?? 900;
  const failures = (email: string) => `auth:failures:${digest(email)}`;
  const lock = (email: string) => `auth:locked:${digest(email)}`;
  return {
    async retryAfter(email) {
      return cache.ttl(lock(email));
    },
    async recordFailure(email) {
      const count = await cache.increment(failures(email), seconds);
      if (count < threshold) return false;
      await cache.set(lock(email), '1', seconds);
      await cache.delete(failures(email));
      return true;
    },
    async recordSuccess(email) {
      await cache.delete(failures(email));
    },
  };
}

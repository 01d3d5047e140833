/**
 * Account lockout counters: every sign-in attempt for an email is counted, atomically and
 * before its password is checked (Redis `INCR` and `EXPIRE` in one `MULTI` when Redis is
 * configured, so the count holds across Lambda containers; in this process otherwise). Within
 * a window of `seconds` opened by the first attempt, at most `threshold` attempts are let
 * through to the password check, however many arrive at once; the rest are refused until the
 * window ends. A successful sign-in clears the count.
 */
import { createHash } from 'node:crypto';
import { createMemoryFallback } from '../cache/fallback.ts';
import type { Cache } from '../cache/index.ts';
import { createMemoryCache } from '../cache/memory.ts';
import type { Logger } from '../logger.ts';

export interface LockoutOptions {
  cache: Cache;
  /** Attempts per email let through to the password check in one window. @default 5 */
  threshold?: number;
  /** The window attempts are counted in, and so the longest a lock lasts. @default 900 */
  seconds?: number;
  logger?: Logger;
}

export interface LockoutAttempt {
  /** Whether this attempt may go on to the password check. */
  allowed: boolean;
  /** Attempts counted in the window so far, this one included. */
  count: number;
  /** Seconds until the window ends (a refused attempt's Retry-After). */
  retryAfterSeconds: number;
}

export interface Lockout {
  /** Attempts per email let through in one window. */
  readonly threshold: number;
  /** Counts an attempt to sign in as `email`; call before the password is checked. */
  attempt(email: string): Promise<LockoutAttempt>;
  /** A successful sign-in clears the count. */
  clear(email: string): Promise<void>;
}

// Emails are hashed so the cache holds no address.
const digest = (email: string) =>
  createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');

export function createLockout(options: LockoutOptions): Lockout {
  const shared = options.cache;
  const threshold = options.threshold ?? 5;
  const seconds = options.seconds ?? 900;
  // When Redis fails, counting goes on in this process: a Redis outage neither fails sign-in
  // with a 5xx nor switches the lockout off.
  const local = shared.kind === 'redis' ? createMemoryCache({ maxEntries: 10_000 }) : shared;
  const withMemoryFallback = createMemoryFallback({
    name: 'lockout counters',
    logger: options.logger,
  });
  const use = <T>(command: (cache: Cache) => Promise<T>) =>
    local === shared
      ? command(shared)
      : withMemoryFallback(
          () => command(shared),
          () => command(local),
        );
  const attempts = (email: string) => `auth:attempts:${digest(email)}`;

  return {
    threshold,
    async attempt(email) {
      const key = attempts(email);
      const count = await use((cache) => cache.increment(key, seconds));
      if (count <= threshold) return { allowed: true, count, retryAfterSeconds: 0 };
      const ttl = await use((cache) => cache.ttl(key));
      return { allowed: false, count, retryAfterSeconds: Math.max(1, ttl ?? seconds) };
    },
    async clear(email) {
      await use((cache) => cache.delete(attempts(email)));
    },
  };
}

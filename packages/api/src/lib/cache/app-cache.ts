/**
 * Cache-aside for computed values: an in-process LRU (L1) in front of the shared cache
 * (L2: Redis when configured). Keys are namespaced and versioned per scope, so one write
 * invalidates every cached entry of that scope (a user's chat list pages, say) in every
 * container at once. Concurrent misses for one key share a single load. A failing shared
 * cache degrades to loading from the source: never an error for the request.
 */
import { LRUCache } from 'lru-cache';
import type { Logger } from '../logger.ts';
import type { AppMetrics } from '../observability/metrics.ts';
import type { Cache } from './types.ts';

export interface AppCacheStats {
  /** Served from this process's memory. */
  l1Hits: number;
  /** Served from the shared cache. */
  l2Hits: number;
  /** Loaded from the source. */
  misses: number;
  /** Shared-cache failures that fell back to the source. */
  errors: number;
}

export interface AppCacheOptions {
  /** The shared cache. */
  cache: Cache;
  /** Entries kept in process memory. @default 5000 */
  l1MaxEntries?: number;
  /** Longest time an entry may live in process memory; bounds staleness across containers. @default 5 */
  l1MaxSeconds?: number;
  logger?: Logger;
  /** Counts hits (either level) and misses. @default none */
  metrics?: AppMetrics;
}

export interface AppCache {
  /** The cached value of `namespace`/`scope`/`key`, or `load()`'s, stored for `ttlSeconds`. */
  getOrLoad<T>(
    address: { namespace: string; scope: string; key: string },
    ttlSeconds: number,
    load: () => Promise<T>,
  ): Promise<T>;
  /** Drops every entry of `namespace`/`scope`, in every container. */
  invalidate(address: { namespace: string; scope: string }): Promise<void>;
  stats(): AppCacheStats;
}

const VERSION_TTL_SECONDS = 7 * 24 * 60 * 60;

export function createAppCache(options: AppCacheOptions): AppCache {
  const { cache, logger, metrics } = options;
  const l1MaxMs = (options.l1MaxSeconds ?? 5) * 1000;
  const l1 = new LRUCache<string, { value: unknown }>({
    max: options.l1MaxEntries ?? 5_000,
    ttl: l1MaxMs,
    ttlResolution: 0,
  });
  const inflight = new Map<string, Promise<unknown>>();
  const counters: AppCacheStats = { l1Hits: 0, l2Hits: 0, misses: 0, errors: 0 };
  const versionKey = (namespace: string, scope: string) => `app:${namespace}:${scope}:version`;

  const degrade = (error: unknown) => {
    counters.errors += 1;
    logger?.warn('app cache unavailable; loading from the source', {
      err: error instanceof Error ? error.message : String(error),
    });
  };

  return {
    async getOrLoad(address, ttlSeconds, load) {
      let version: string | null;
      try {
        version = (await cache.get(versionKey(address.namespace, address.scope))) ?? '0';
      } catch (error) {
        degrade(error);
        counters.misses += 1;
        metrics?.count('cacheMiss');
        return load();
      }
      const key = `app:${address.namespace}:${address.scope}:v${version}:${address.key}`;
      const local = l1.get(key);
      if (local) {
        counters.l1Hits += 1;
        metrics?.count('cacheHit');
        return local.value as Awaited<ReturnType<typeof load>>;
      }
      const pending = inflight.get(key);
      if (pending) return pending as ReturnType<typeof load>;
      const task = (async () => {
        try {
          const shared = await cache.get(key).catch((error: unknown) => {
            degrade(error);
            return null;
          });
          if (shared !== null) {
            counters.l2Hits += 1;
            metrics?.count('cacheHit');
            const value = JSON.parse(shared) as Awaited<ReturnType<typeof load>>;
            l1.set(key, { value }, { ttl: Math.min(l1MaxMs, ttlSeconds * 1000) });
            return value;
          }
          counters.misses += 1;
          metrics?.count('cacheMiss');
          const value = await load();
          l1.set(key, { value }, { ttl: Math.min(l1MaxMs, ttlSeconds * 1000) });
          await cache.set(key, JSON.stringify(value), ttlSeconds).catch(degrade);
          return value;
        } finally {
          inflight.delete(key);
        }
      })();
      inflight.set(key, task);
      return task;
    },
    async invalidate(address) {
      // A new version makes every older key unreachable; they expire by TTL.
      await cache
        .increment(versionKey(address.namespace, address.scope), VERSION_TTL_SECONDS)
        .catch(degrade);
    },
    stats() {
      return { ...counters };
    },
  };
}

import { LRUCache } from 'lru-cache';
import type { Cache } from './types.ts';

export interface MemoryCacheOptions {
  /** Most entries kept before the least recently used go. @default 10000 */
  maxEntries?: number;
}

/** An in-process cache: one container's memory, lost on restart. */
export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  // ttlResolution 0 reads the clock on every call: a cached clock can run a window long.
  const lru = new LRUCache<string, string>({ max: options.maxEntries ?? 10_000, ttlResolution: 0 });
  return {
    kind: 'memory',
    async get(key) {
      return lru.get(key) ?? null;
    },
    async set(key, value, ttlSeconds) {
      lru.set(key, value, { ttl: ttlSeconds * 1000 });
    },
    async delete(...keys) {
      for (const key of keys) lru.delete(key);
    },
    async increment(key, ttlSeconds) {
      const next = Number(lru.get(key) ?? 0) + 1;
      // Later increments keep the window the first one opened.
      if (next === 1) lru.set(key, '1', { ttl: ttlSeconds * 1000 });
      else lru.set(key, String(next), { noUpdateTTL: true });
      return next;
    },
    async ttl(key) {
      if (!lru.has(key)) return null;
      return Math.ceil(lru.getRemainingTTL(key) / 1000);
    },
    async clear() {
      const size = lru.size;
      lru.clear();
      return size;
    },
    async ping() {},
    async close() {
      lru.clear();
    },
  };
}

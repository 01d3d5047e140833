import { LRUCache } from 'lru-cache';
import type { Cache } from './index.ts';

export interface MemoryCacheOptions {
  /** Most entries kept before the least recently used go. @default 10000 */
  maxEntries?: number;
}

/** An in-process cache: one container's memory, lost on restart. */
export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  const lru = new LRUCache<string, string>({ max: options.maxEntries ?? 10_000 });
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
      const current = Number(lru.get(key) ?? 0);
      const next = current + 1;
      // Keep the window the first increment started.
      const remaining = current === 0 ? ttlSeconds * 1000 : lru.getRemainingTTL(key);
      lru.set(key, String(next), { ttl: remaining > 0 ? remaining : ttlSeconds * 1000 });
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

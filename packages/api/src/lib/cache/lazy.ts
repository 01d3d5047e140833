/**
 * A cache whose adapter is imported and built on first use. ioredis is the largest module a
 * cold start would otherwise load and evaluate at init (its command table alone), and a
 * request that touches no cache (a health check) never needs it. Every method loads the
 * adapter first; `client` is the loaded adapter's, undefined until `loadCache()` has resolved
 * (components that speak Redis themselves await it first). A failed load is retried by the
 * next call, and fails that call as a Redis outage would: callers fall back as they do then.
 */
import { lazyValue } from '../lazy-value.ts';
import type { Cache } from './types.ts';

export interface LazyCacheControls {
  /** Loads the adapter (once) and resolves to it. */
  ready(): Promise<Cache>;
}

export type LazyCache = Cache & LazyCacheControls;

export function createLazyCache(kind: Cache['kind'], load: () => Promise<Cache>): LazyCache {
  const adapter = lazyValue(load);
  const ready = adapter.ready;
  return {
    kind,
    ready,
    get client() {
      return adapter.current()?.client;
    },
    guard: <T>(command: () => Promise<T>) =>
      ready().then((cache) => (cache.guard ? cache.guard(command) : command())),
    get: (key) => ready().then((cache) => cache.get(key)),
    set: (key, value, ttlSeconds) => ready().then((cache) => cache.set(key, value, ttlSeconds)),
    delete: (...keys) => ready().then((cache) => cache.delete(...keys)),
    increment: (key, ttlSeconds) => ready().then((cache) => cache.increment(key, ttlSeconds)),
    ttl: (key) => ready().then((cache) => cache.ttl(key)),
    clear: () => ready().then((cache) => cache.clear()),
    ping: () => ready().then((cache) => cache.ping()),
    // Nothing to close before the first use.
    close: async () => {
      await (await adapter.started()?.catch(() => undefined))?.close();
    },
  };
}

/** Loads the adapter behind `cache` now (a lazy one), and resolves to it. */
export function loadCache(cache: Cache): Promise<Cache> {
  const controls = cache as Partial<LazyCacheControls>;
  return typeof controls.ready === 'function' ? controls.ready() : Promise.resolve(cache);
}

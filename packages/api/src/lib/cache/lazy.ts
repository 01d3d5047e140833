/**
 * A cache whose adapter is imported and built on first use. ioredis is the largest module a
 * cold start would otherwise load and evaluate at init (its command table alone), and a
 * request that touches no cache (a health check) never needs it. Every method loads the
 * adapter first; `client` is the loaded adapter's, undefined until `loadCache()` has resolved
 * (components that speak Redis themselves await it first). A failed load is retried by the
 * next call, and fails that call as a Redis outage would: callers fall back as they do then.
 */
import type { Cache } from './types.ts';

export interface LazyCacheControls {
  /** Loads the adapter (once) and resolves to it. */
  ready(): Promise<Cache>;
}

export type LazyCache = Cache & LazyCacheControls;

export function createLazyCache(kind: Cache['kind'], load: () => Promise<Cache>): LazyCache {
  let instance: Cache | undefined;
  let loading: Promise<Cache> | undefined;
  const ready = () => {
    loading ??= load().then(
      (cache) => {
        instance = cache;
        return cache;
      },
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  return {
    kind,
    ready,
    get client() {
      return instance?.client;
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
      if (loading) await (await loading.catch(() => undefined))?.close();
    },
  };
}

/** Loads the adapter behind `cache` now (a lazy one), and resolves to it. */
export function loadCache(cache: Cache): Promise<Cache> {
  const controls = cache as Partial<LazyCacheControls>;
  return typeof controls.ready === 'function' ? controls.ready() : Promise.resolve(cache);
}

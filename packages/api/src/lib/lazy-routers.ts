/**
 * An app whose feature routers are built when a request first reaches their paths. Building a
 * router evaluates its route definitions and their Zod schemas, a large part of a cold start,
 * and a request reaches one feature at most.
 *
 * A Hono app cannot take routes once it has matched a request, so the app is built again,
 * whole, with the routers loaded so far, before the request that needed a new one is
 * dispatched. Every request therefore runs through an app built as the eager one was (the same
 * middleware, the same route order, the same route patterns in logs), less the routers none of
 * whose routes could match its path.
 */
import type { Context } from 'hono';
import { getPath } from 'hono/utils/url';

/** A router built on first use. */
export interface LazyRouter<R> {
  /**
   * Where its routes are: every route path is one of these or lies below one
   * (`/api/chats` covers `/api/chats` and `/api/chats/{chatId}`).
   */
  readonly prefixes: readonly string[];
  /** Imports and builds the router (once: the result is kept). */
  readonly load: () => Promise<R>;
}

type ExecutionContext = Context['executionCtx'];
/** Hono's `app.fetch`, for any app's bindings. */
type Fetch<Env> = (
  request: Request,
  env?: Env,
  executionCtx?: ExecutionContext,
) => Promise<Response> | Response;

export interface LazyRoutedOptions<R, Env> {
  /** The routers, in the order they are mounted. */
  readonly routers: readonly LazyRouter<R>[];
  /** Whether answering `path` needs every router (the OpenAPI document lists them all). */
  readonly needsAll: (path: string) => boolean;
  /** The app with `routers` mounted (those loaded so far, in their order). */
  readonly build: (routers: readonly R[]) => { fetch: Fetch<Env> };
  /**
   * Changes when what `build` mounts besides the routers changes (routes added to the app
   * after it was created): the app is then built again before the next request.
   */
  readonly revision: () => number;
  /**
   * Stands in for a router that failed to load, so the request that needed it reaches the
   * app's error handling; the next request tries the load again.
   */
  readonly failed: (prefixes: readonly string[], error: unknown) => R;
}

/** Whether `path` is `prefix` or lies below it. */
export const isUnder = (path: string, prefix: string) =>
  path === prefix || (path.startsWith(prefix) && path[prefix.length] === '/');

/** Hono's `fetch` for an app whose `routers` load when a request first reaches their prefixes. */
export function lazyRoutedFetch<R, Env>(options: LazyRoutedOptions<R, Env>) {
  const { routers, needsAll, build, revision, failed } = options;
  const loaded: Array<R | undefined> = routers.map(() => undefined);
  const loading: Array<Promise<void> | undefined> = routers.map(() => undefined);
  let loadedCount = 0;
  let current: { fetch: Fetch<Env> } | undefined;
  let builtWith = -1;
  let builtAt = -1;

  const load = (index: number) => {
    loading[index] ??= (routers[index] as LazyRouter<R>).load().then(
      (router) => {
        loaded[index] = router;
        loadedCount++;
      },
      (error: unknown) => {
        loading[index] = undefined;
        throw error;
      },
    );
    return loading[index];
  };

  /** The app with every router loaded so far, built again when something was added since. */
  const latest = () => {
    if (!current || loadedCount !== builtWith || revision() !== builtAt) {
      builtAt = revision();
      builtWith = loadedCount;
      current = build(loaded.filter((router): router is R => router !== undefined));
    }
    return current;
  };

  /** The routers not loaded yet that a request for `path` needs. */
  const missingFor = (path: string) => {
    const all = needsAll(path);
    return routers.flatMap((router, index) =>
      loaded[index] === undefined &&
      (all || router.prefixes.some((prefix) => isUnder(path, prefix)))
        ? [index]
        : [],
    );
  };

  /** Loads the routers at `indexes`; resolves to the app to dispatch to. */
  async function ready(indexes: number[]): Promise<{ fetch: Fetch<Env> }> {
    const results = await Promise.allSettled(indexes.map(load));
    const failures = new Map<number, unknown>();
    results.forEach((result, i) => {
      if (result.status === 'rejected') failures.set(indexes[i] as number, result.reason);
    });
    const app = latest();
    if (failures.size === 0) return app;
    // For this request only: the loaded routers, and stand-ins that throw where a load failed.
    return build(
      routers.flatMap((router, index) => {
        const mounted = loaded[index];
        if (failures.has(index)) return [failed(router.prefixes, failures.get(index))];
        return mounted === undefined ? [] : [mounted];
      }),
    );
  }

  const fetch: Fetch<Env> = (request, env, executionCtx) => {
    if (loadedCount < routers.length) {
      const missing = missingFor(getPath(request));
      if (missing.length > 0)
        return ready(missing).then((app) => app.fetch(request, env, executionCtx));
    }
    return latest().fetch(request, env, executionCtx);
  };

  return fetch;
}

/**
 * Route handlers that load their module on first use, so only the route definitions (which
 * the OpenAPI document needs) are in the core bundle a cold start loads.
 */

/**
 * `lazyHandlers(() => import('./x.handlers.ts'))` gives a function that names one handler of
 * that module; the module is imported when that handler first runs (and then cached by the
 * module system).
 */
export function lazyHandlers<M extends object>(load: () => Promise<M>) {
  return function lazy<K extends keyof M>(name: K): M[K] {
    const handler = async (...args: unknown[]) => {
      const module = await load();
      return (module[name] as unknown as (...inner: unknown[]) => unknown)(...args);
    };
    return handler as unknown as M[K];
  };
}

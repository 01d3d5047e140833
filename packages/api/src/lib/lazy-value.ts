/**
 * A value loaded on first use, once: `ready()` starts the load, or joins the one under way,
 * and resolves to the value; `current()` is the value once loaded. A failed load (a missing
 * chunk, a bad configuration) is retried by the next `ready()`.
 */
export interface LazyValue<T> {
  ready(): Promise<T>;
  /** The value, once loaded; undefined before. */
  current(): T | undefined;
  /** The load under way or done, if one was started (to close what it built). */
  started(): Promise<T> | undefined;
}

export function lazyValue<T>(load: () => Promise<T>): LazyValue<T> {
  let value: T | undefined;
  let loading: Promise<T> | undefined;
  return {
    ready() {
      loading ??= load().then(
        (loaded) => {
          value = loaded;
          return loaded;
        },
        (error: unknown) => {
          loading = undefined;
          throw error;
        },
      );
      return loading;
    },
    current: () => value,
    started: () => loading,
  };
}

/**
 * Better Auth, built on first use. Importing and configuring it is the largest part of a
 * cold start (its modules are about 40% of the Lambda bundle's core), and most requests never
 * need it: health checks, documents, and every request on a session the fast lookup finds
 * (lib/auth/session-lookup.ts asks it only for its settings, once). The value stands in for
 * the `Auth` instance: what is asynchronous anyway (`auth.api.*()`, `auth.handler()`,
 * `auth.$context`) loads it first; anything else (`auth.options`) is read from the loaded
 * instance, and throws until then. `ready()` loads it; `current()` is the instance once
 * loaded.
 */
import { lazyValue } from '../lazy-value.ts';
import type { Auth } from './auth.ts';

export interface LazyAuthControls {
  /** Loads Better Auth (once) and resolves to the instance. */
  ready(): Promise<Auth>;
  /** The instance, once loaded; undefined before. */
  current(): Auth | undefined;
}

export type LazyAuth = Auth & LazyAuthControls;

type AnyFunction = (...args: unknown[]) => unknown;

export function createLazyAuth(load: () => Promise<Auth>): LazyAuth {
  const { ready, current } = lazyValue(load);
  const controls: LazyAuthControls = { ready, current };
  // `auth.api.someEndpoint(...)` before the load: the same call once loaded.
  const api = new Proxy(
    {},
    {
      get: (_target, name) => {
        const instance = current();
        return instance
          ? Reflect.get(instance.api, name)
          : (...args: unknown[]) =>
              ready().then((auth) =>
                (Reflect.get(auth.api, name) as AnyFunction).apply(auth.api, args),
              );
      },
    },
  );
  return new Proxy(controls, {
    get(target, property) {
      if (property === 'ready' || property === 'current') return Reflect.get(target, property);
      const instance = current();
      if (instance) return Reflect.get(instance, property);
      switch (property) {
        case 'api':
          return api;
        case 'handler':
          return (request: Request) => ready().then((auth) => auth.handler(request));
        case '$context':
          return ready().then((auth) => auth.$context);
        case 'then':
          // Not a thenable: `await lazyAuth` is the value itself.
          return undefined;
        default:
          throw new TypeError(
            `Better Auth is loaded on first use: await auth.ready() before reading auth.${String(property)}`,
          );
      }
    },
    // Once loaded, the value spreads and enumerates as the instance does (`{ ...auth }`).
    has: (target, property) => {
      const instance = current();
      return (
        Reflect.has(target, property) || (instance !== undefined && Reflect.has(instance, property))
      );
    },
    ownKeys: (target) => {
      const instance = current();
      return [
        ...new Set([...Reflect.ownKeys(target), ...(instance ? Reflect.ownKeys(instance) : [])]),
      ];
    },
    getOwnPropertyDescriptor: (target, property) => {
      const instance = current();
      return (
        Reflect.getOwnPropertyDescriptor(target, property) ??
        (instance ? Reflect.getOwnPropertyDescriptor(instance, property) : undefined)
      );
    },
  }) as unknown as LazyAuth;
}

/** Loads Better Auth behind `auth` now (a lazy one), and resolves to the instance. */
export function loadAuth(auth: Auth): Promise<Auth> {
  const controls = auth as Partial<LazyAuthControls>;
  return typeof controls.ready === 'function' ? controls.ready() : Promise.resolve(auth);
}

/** The Better Auth instance behind `auth` when it is loaded (or not lazy); undefined before. */
export function loadedAuth(auth: Auth): Auth | undefined {
  const controls = auth as Partial<LazyAuthControls>;
  return typeof controls.current === 'function' ? controls.current() : auth;
}

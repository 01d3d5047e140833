import { describe, expect, test } from 'bun:test';
import type { Auth } from './auth.ts';
import { createLazyAuth, loadAuth, loadedAuth } from './lazy-auth.ts';

/** A stand-in for the Better Auth instance: the parts the app calls. */
function fakeAuth() {
  return {
    api: {
      getSession: async (input: { headers: Headers }) => ({ asked: input.headers.get('x') }),
    },
    handler: async (request: Request) => new Response(`handled ${new URL(request.url).pathname}`),
    $context: Promise.resolve({ secret: 's' }),
    options: { basePath: '/api/auth' },
  } as unknown as Auth;
}

describe('Better Auth built on first use', () => {
  test('nothing is loaded until an endpoint, the handler or the context is used', async () => {
    let loads = 0;
    const instance = fakeAuth();
    const auth = createLazyAuth(async () => {
      loads += 1;
      return instance;
    });
    expect(loads).toBe(0);
    expect(auth.current()).toBeUndefined();
    expect(loadedAuth(auth)).toBeUndefined();

    const session = await auth.api.getSession({ headers: new Headers({ x: 'y' }) });
    expect(session as unknown).toEqual({ asked: 'y' });
    expect(loads).toBe(1);
    expect(loadedAuth(auth)).toBe(instance);
    // Once loaded, reads go to the instance, and the load is not repeated.
    expect(auth.options.basePath).toBe('/api/auth');
    expect(await (await auth.handler(new Request('http://x/api/auth/ok'))).text()).toBe(
      'handled /api/auth/ok',
    );
    expect(loads).toBe(1);
  });

  test('the handler and the context load it too, once for concurrent callers', async () => {
    let loads = 0;
    const auth = createLazyAuth(async () => {
      loads += 1;
      return fakeAuth();
    });
    const [response, context] = await Promise.all([
      auth.handler(new Request('http://x/api/auth/a')),
      auth.$context,
    ]);
    expect(await response.text()).toBe('handled /api/auth/a');
    expect((context as unknown as { secret: string }).secret).toBe('s');
    expect(loads).toBe(1);
  });

  test('a synchronous read before the load says how to load it, and a failed load is retried', async () => {
    let attempts = 0;
    const auth = createLazyAuth(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('chunk missing');
      return fakeAuth();
    });
    expect(() => auth.options).toThrow(/await auth.ready\(\)/);
    await expect(auth.ready()).rejects.toThrow('chunk missing');
    expect(await loadAuth(auth)).toBe(auth.current() as Auth);
    expect(attempts).toBe(2);
    // Loaded, it spreads as the instance does.
    expect(Object.keys({ ...auth })).toContain('api');
  });

  test('an instance that is not lazy is its own loaded value', async () => {
    const instance = fakeAuth();
    expect(loadedAuth(instance)).toBe(instance);
    expect(await loadAuth(instance)).toBe(instance);
  });
});

import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { isUnder, type LazyRouter, lazyRoutedFetch } from './lazy-routers.ts';

/** Two routers that count their loads, an app around them, and its `fetch`. */
function setUp(options: { failFirstLoad?: boolean } = {}) {
  const loads = { things: 0, other: 0 };
  let failNext = options.failFirstLoad ?? false;
  const routers: LazyRouter<Hono>[] = [
    {
      prefixes: ['/things'],
      load: async () => {
        loads.things++;
        if (failNext) {
          failNext = false;
          throw new Error('chunk missing');
        }
        return new Hono().get('/things/:id', (c) => c.text(`thing ${c.req.param('id')}`));
      },
    },
    {
      prefixes: ['/other', '/elsewhere'],
      load: async () => {
        loads.other++;
        return new Hono().get('/elsewhere', (c) => c.text('elsewhere'));
      },
    },
  ];
  const base = new Hono().get('/health', (c) => c.text('ok'));
  const fetch = lazyRoutedFetch({
    routers,
    needsAll: (path) => path === '/everything',
    revision: () => base.routes.length,
    build(features) {
      const app = new Hono();
      app.onError((error, c) => c.text(`failed: ${error.message}`, 500));
      app.route('/', base);
      app.get('/everything', (c) => c.text(String(features.length)));
      for (const router of features) app.route('/', router);
      return app;
    },
    failed(prefixes, error) {
      const router = new Hono();
      for (const prefix of prefixes)
        router.all(`${prefix}/*`, () => {
          throw error;
        });
      return router;
    },
  });
  const get = async (path: string) => {
    const response = await fetch(new Request(`http://localhost${path}`));
    return { status: response.status, text: await response.text() };
  };
  return { loads, base, get };
}

describe('lazyRoutedFetch', () => {
  test('a path under no prefix is answered without loading any router', async () => {
    const { loads, get } = setUp();
    expect(await get('/health')).toEqual({ status: 200, text: 'ok' });
    expect(await get('/nowhere')).toMatchObject({ status: 404 });
    expect(loads).toEqual({ things: 0, other: 0 });
  });

  test('a router loads with the first request that reaches one of its prefixes, once', async () => {
    const { loads, get } = setUp();
    const [first, second] = await Promise.all([get('/things/1'), get('/things/2')]);
    expect(first).toEqual({ status: 200, text: 'thing 1' });
    expect(second).toEqual({ status: 200, text: 'thing 2' });
    expect(await get('/elsewhere')).toEqual({ status: 200, text: 'elsewhere' });
    expect(await get('/things/3')).toEqual({ status: 200, text: 'thing 3' });
    expect(loads).toEqual({ things: 1, other: 1 });
  });

  test('a percent-encoded path reaches the router its decoded path names', async () => {
    const { loads, get } = setUp();
    expect(await get('/%74hings/1')).toEqual({ status: 200, text: 'thing 1' });
    expect(loads.things).toBe(1);
  });

  test('a path that needs every router loads them all before it is answered', async () => {
    const { loads, get } = setUp();
    expect(await get('/everything')).toEqual({ status: 200, text: '2' });
    expect(loads).toEqual({ things: 1, other: 1 });
  });

  test('a router that fails to load answers through the error handler, and loads on the next request', async () => {
    const { loads, get } = setUp({ failFirstLoad: true });
    expect(await get('/things/1')).toEqual({ status: 500, text: 'failed: chunk missing' });
    expect(await get('/health')).toEqual({ status: 200, text: 'ok' });
    expect(await get('/things/1')).toEqual({ status: 200, text: 'thing 1' });
    expect(loads.things).toBe(2);
  });

  test('routes added to the base app after a request are served by the next one', async () => {
    const { base, get } = setUp();
    expect(await get('/everything')).toEqual({ status: 200, text: '2' });
    expect(await get('/late')).toMatchObject({ status: 404 });
    base.get('/late', (c) => c.text('late'));
    expect(await get('/late')).toEqual({ status: 200, text: 'late' });
  });
});

describe('isUnder', () => {
  test('is the prefix itself or a path below it, never a longer name', () => {
    expect(isUnder('/api/chats', '/api/chats')).toBe(true);
    expect(isUnder('/api/chats/', '/api/chats')).toBe(true);
    expect(isUnder('/api/chats/1/messages', '/api/chats')).toBe(true);
    expect(isUnder('/api/chatsx', '/api/chats')).toBe(false);
    expect(isUnder('/api', '/api/chats')).toBe(false);
  });
});

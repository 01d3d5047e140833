import { describe, expect, test } from 'bun:test';
import { jsonRequest, signUp } from '../../../test/accounts.ts';
import { useTestApp } from '../../../test/test-app.ts';
import { createTestCache } from '../../../test/test-deps.ts';
import { createAppCache } from './app-cache.ts';
import type { Cache } from './index.ts';
import { createMemoryCache } from './memory.ts';

const address = { namespace: 'things', scope: 'user-1', key: 'page-1' };

describe('app cache', () => {
  test('loads once, then answers from memory; an invalidation makes the next call load again', async () => {
    const cache = createAppCache({ cache: createMemoryCache() });
    let loads = 0;
    const load = async () => ({ n: ++loads });
    expect(await cache.getOrLoad(address, 60, load)).toEqual({ n: 1 });
    expect(await cache.getOrLoad(address, 60, load)).toEqual({ n: 1 });
    expect(cache.stats()).toMatchObject({ misses: 1, l1Hits: 1 });
    await cache.invalidate(address);
    expect(await cache.getOrLoad(address, 60, load)).toEqual({ n: 2 });
  });

  test('keys are namespaced and scoped: invalidating one scope leaves the others', async () => {
    const cache = createAppCache({ cache: createMemoryCache() });
    let loads = 0;
    const load = async () => ++loads;
    await cache.getOrLoad(address, 60, load);
    await cache.getOrLoad({ ...address, scope: 'user-2' }, 60, load);
    await cache.getOrLoad({ ...address, namespace: 'other' }, 60, load);
    expect(loads).toBe(3);
    await cache.invalidate({ namespace: 'things', scope: 'user-2' });
    await cache.getOrLoad(address, 60, load);
    await cache.getOrLoad({ ...address, namespace: 'other' }, 60, load);
    expect(loads).toBe(3);
  });

  test('concurrent misses for one key share a single load (no stampede)', async () => {
    const cache = createAppCache({ cache: createMemoryCache() });
    let loads = 0;
    const slow = async () => {
      loads += 1;
      await Bun.sleep(50);
      return 'value';
    };
    const results = await Promise.all(
      Array.from({ length: 25 }, () => cache.getOrLoad(address, 60, slow)),
    );
    expect(new Set(results)).toEqual(new Set(['value']));
    expect(loads).toBe(1);
  });

  test('containers sharing the cache see each other’s entries and invalidations', async () => {
    const shared = createTestCache();
    const one = createAppCache({ cache: shared });
    const two = createAppCache({ cache: shared });
    let loads = 0;
    const load = async () => ++loads;
    expect(await one.getOrLoad(address, 60, load)).toBe(1);
    expect(await two.getOrLoad(address, 60, load)).toBe(1);
    expect(two.stats().l2Hits).toBe(1);
    await one.invalidate(address);
    expect(await two.getOrLoad(address, 60, load)).toBe(2);
    await shared.close();
  });

  test('entries expire after their TTL', async () => {
    const cache = createAppCache({ cache: createMemoryCache(), l1MaxSeconds: 1 });
    let loads = 0;
    const load = async () => ++loads;
    await cache.getOrLoad(address, 1, load);
    await Bun.sleep(1_100);
    expect(await cache.getOrLoad(address, 1, load)).toBe(2);
  });

  test('a failing shared cache degrades to the source: the value, never an error', async () => {
    const broken: Cache = {
      ...createMemoryCache(),
      get: () => Promise.reject(new Error('connection refused')),
      set: () => Promise.reject(new Error('connection refused')),
      increment: () => Promise.reject(new Error('connection refused')),
    };
    const cache = createAppCache({ cache: broken });
    expect(await cache.getOrLoad(address, 60, async () => 'fresh')).toBe('fresh');
    await cache.invalidate(address);
    expect(cache.stats().errors).toBeGreaterThanOrEqual(2);
  });
});

describe('the cached chat list', () => {
  const t = useTestApp();

  const titles = async (headers: Record<string, string>) =>
    (
      (await (await t.app.request('/api/chats', { headers })).json()) as {
        items: Array<{ title: string }>;
      }
    ).items.map((chat) => chat.title);

  test('is served from the cache and never stale after the user creates, renames or deletes a chat', async () => {
    const user = await signUp(t.app, t.deps);
    const created = await t.app.request(
      '/api/chats',
      jsonRequest('POST', { title: 'first' }, user.headers),
    );
    const chatId = ((await created.json()) as { id: string }).id;
    expect(await titles(user.headers)).toEqual(['first']);
    const before = t.deps.appCache.stats();
    expect(await titles(user.headers)).toEqual(['first']);
    expect(t.deps.appCache.stats().l1Hits).toBe(before.l1Hits + 1);

    await t.app.request('/api/chats', jsonRequest('POST', { title: 'second' }, user.headers));
    expect(await titles(user.headers)).toEqual(['second', 'first']);
    await t.app.request(
      `/api/chats/${chatId}`,
      jsonRequest('PATCH', { title: 'renamed' }, user.headers),
    );
    expect(await titles(user.headers)).toEqual(['second', 'renamed']);
    await t.app.request(`/api/chats/${chatId}`, { method: 'DELETE', headers: user.headers });
    expect(await titles(user.headers)).toEqual(['second']);
  });

  test("one user's writes leave another user's cached list alone, and lists never mix", async () => {
    const [a, b] = [await signUp(t.app, t.deps), await signUp(t.app, t.deps)];
    await t.app.request('/api/chats', jsonRequest('POST', { title: 'a1' }, a.headers));
    await t.app.request('/api/chats', jsonRequest('POST', { title: 'b1' }, b.headers));
    expect(await titles(a.headers)).toEqual(['a1']);
    expect(await titles(b.headers)).toEqual(['b1']);
    const before = t.deps.appCache.stats();
    await t.app.request('/api/chats', jsonRequest('POST', { title: 'a2' }, a.headers));
    expect(await titles(b.headers)).toEqual(['b1']);
    expect(t.deps.appCache.stats().l1Hits).toBe(before.l1Hits + 1);
  });
});

import { describe, expect, test } from 'bun:test';
import { createLazyCache, loadCache } from './lazy.ts';
import { createMemoryCache } from './memory.ts';
import type { Cache } from './types.ts';

function counted(options: { failFirst?: boolean } = {}) {
  let loads = 0;
  let closed = 0;
  let failNext = options.failFirst ?? false;
  const cache = createLazyCache('memory', async () => {
    loads++;
    if (failNext) {
      failNext = false;
      throw new Error('chunk missing');
    }
    const inner = createMemoryCache();
    return {
      ...inner,
      close: async () => {
        closed++;
        await inner.close();
      },
    } satisfies Cache;
  });
  return { cache, loads: () => loads, closed: () => closed };
}

describe('a cache loaded on first use', () => {
  test('loads nothing until a command, then loads once for every command after', async () => {
    const { cache, loads } = counted();
    expect(loads()).toBe(0);
    await Promise.all([cache.set('a', 'one', 60), cache.get('a')]);
    expect(await cache.get('a')).toBe('one');
    expect(await cache.increment('n', 60)).toBe(1);
    expect(loads()).toBe(1);
  });

  test('a failed load fails that command only; the next one loads again', async () => {
    const { cache, loads } = counted({ failFirst: true });
    await expect(cache.get('a')).rejects.toThrow('chunk missing');
    await cache.set('a', 'one', 60);
    expect(await cache.get('a')).toBe('one');
    expect(loads()).toBe(2);
  });

  test('closing it before any use loads nothing; after use, closes the adapter', async () => {
    const unused = counted();
    await unused.cache.close();
    expect(unused.loads()).toBe(0);
    const used = counted();
    await used.cache.ping();
    await used.cache.close();
    expect(used.closed()).toBe(1);
  });

  test('its guard runs the command once the adapter is loaded; loadCache resolves to the adapter', async () => {
    const { cache, loads } = counted();
    expect(await cache.guard?.(async () => 'ran')).toBe('ran');
    expect(loads()).toBe(1);
    const adapter = await loadCache(cache);
    expect(adapter.kind).toBe('memory');
    expect(adapter).not.toBe(cache);
    const plain = createMemoryCache();
    expect(await loadCache(plain)).toBe(plain);
  });
});

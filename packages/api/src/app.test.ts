import { describe, expect, test } from 'bun:test';
import { FEATURE_ROUTERS } from './app.ts';
import { isUnder } from './lib/lazy-routers.ts';

describe('the feature routers', () => {
  test('every route of each lies under one of the prefixes it is loaded for', async () => {
    for (const { prefixes, load } of FEATURE_ROUTERS) {
      const router = await load();
      const outside = router.routes
        .map((route) => route.path)
        .filter((path) => !prefixes.some((prefix) => isUnder(path, prefix)));
      expect({ prefixes, outside }).toEqual({ prefixes, outside: [] });
      expect(router.routes.length).toBeGreaterThan(0);
    }
  });

  test('no two load for the same prefix', () => {
    const prefixes = FEATURE_ROUTERS.flatMap((router) => router.prefixes);
    const overlapping = prefixes.filter((prefix, i) =>
      prefixes.some((other, j) => i !== j && isUnder(prefix, other)),
    );
    expect(overlapping).toEqual([]);
  });
});

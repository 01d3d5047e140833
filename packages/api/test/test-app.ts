/**
 * `useTestApp()`: the app a test file works against, built before its tests (in
 * `beforeAll`) from fresh test deps and closed after them. Call it at the top of a file or
 * a `describe` block; read `t.app` and `t.deps` inside tests and hooks.
 */
import { afterAll, beforeAll } from 'bun:test';
import { type App, createApp } from '../src/app.ts';
import type { AppDeps } from '../src/deps.ts';
import { createTestDeps, type TestDepsOptions } from './test-deps.ts';

export interface TestApp {
  readonly app: App;
  readonly deps: AppDeps;
}

export function useTestApp(options: TestDepsOptions = {}): TestApp {
  let built: { app: App; deps: AppDeps } | undefined;
  const current = () => {
    if (!built) throw new Error('useTestApp: the app is built in beforeAll; use it inside tests');
    return built;
  };
  beforeAll(async () => {
    const deps = await createTestDeps(options);
    built = { deps, app: createApp(deps) };
  });
  afterAll(async () => {
    await built?.deps.close();
  });
  return {
    get app() {
      return current().app;
    },
    get deps() {
      return current().deps;
    },
  };
}

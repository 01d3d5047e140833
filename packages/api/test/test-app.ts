/**
 * `useTestApp()`: the app a test file works against, built before its tests (in
 * `beforeAll`) from fresh test deps and closed after them. Call it at the top of a file or
 * a `describe` block; read `t.app` and `t.deps` inside tests and hooks.
 * `useOpenAiTestApp()`: the same app pointed at a scripted OpenAI-compatible server, with one
 * signed-up user.
 */
import { afterAll, beforeAll } from 'bun:test';
import { type App, createApp } from '../src/app.ts';
import type { AppDeps } from '../src/deps.ts';
import { signUp, type TestUser } from './accounts.ts';
import { type OpenAiTestServer, openAiTestEnv, startOpenAiServer } from './openai-server.ts';
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

export interface OpenAiTestApp extends TestApp {
  /** The scripted model server the app calls. */
  readonly server: OpenAiTestServer;
  /** A user signed up before the tests. */
  readonly user: TestUser;
}

/**
 * An app whose model is a scripted OpenAI-compatible server (`openAiTestEnv`), and a user
 * signed up on it; `env` adds configuration on top.
 */
export function useOpenAiTestApp(env: Record<string, string> = {}): OpenAiTestApp {
  let built: { app: App; deps: AppDeps; server: OpenAiTestServer; user: TestUser } | undefined;
  const current = () => {
    if (!built) {
      throw new Error('useOpenAiTestApp: the app is built in beforeAll; use it inside tests');
    }
    return built;
  };
  let server: OpenAiTestServer | undefined;
  let deps: AppDeps | undefined;
  beforeAll(async () => {
    server = await startOpenAiServer();
    deps = await createTestDeps({ env: openAiTestEnv(server, env) });
    const app = createApp(deps);
    built = { app, deps, server, user: await signUp(app, deps) };
  });
  afterAll(async () => {
    await deps?.close();
    await server?.close();
  });
  return {
    get app() {
      return current().app;
    },
    get deps() {
      return current().deps;
    },
    get server() {
      return current().server;
    },
    get user() {
      return current().user;
    },
  };
}

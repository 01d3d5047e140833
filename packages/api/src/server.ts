/**
 * The local server: `bun --hot packages/api/src/server.ts` serves the app on PORT
 * (default 3000) with embedded defaults unless DATABASE_URL / REDIS_URL are set.
 */
import { type App, createApp } from './app.ts';
import { type AppDeps, createDeps } from './deps.ts';
import { EnvError, loadEnv } from './env.ts';

let env: ReturnType<typeof loadEnv>;
try {
  env = loadEnv();
} catch (error) {
  if (error instanceof EnvError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

// `bun --hot` re-runs this module on every edit; the deps (an open PGlite, pools) live on
// globalThis so a reload swaps the app without reopening the database.
const hot = globalThis as typeof globalThis & { __appDeps?: Promise<AppDeps> };
const firstStart = hot.__appDeps === undefined;
hot.__appDeps ??= createDeps(env);
const deps = await hot.__appDeps;
const app: App = createApp(deps);

if (firstStart) {
  const shutdown = async (signal: string) => {
    deps.logger.info('shutting down', { signal });
    await deps.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  deps.logger.info('listening', {
    url: `http://localhost:${env.PORT}`,
    database: deps.database.kind,
    cache: deps.cache.kind,
    docs: `http://localhost:${env.PORT}/docs`,
  });
}

export default {
  port: env.PORT,
  fetch: app.fetch,
  // Server-Sent Events stay open longer than Bun's 10 s default.
  idleTimeout: 120,
};

/**
 * Dependencies of the app, built once from validated configuration. A Lambda container
 * builds them at init and reuses them across invocations.
 */
import type { Env } from './env.ts';
import { type Cache, createCache } from './lib/cache/index.ts';
import { createDatabase, type DatabaseClient } from './lib/db/index.ts';
import { createLogger, type Logger } from './lib/logger.ts';

export interface AppDeps {
  env: Env;
  logger: Logger;
  database: DatabaseClient;
  cache: Cache;
  /** Releases every connection the deps hold. */
  close(): Promise<void>;
}

export interface DepsOverrides {
  logger?: Logger;
  database?: DatabaseClient;
  cache?: Cache;
}

export async function createDeps(env: Env, overrides: DepsOverrides = {}): Promise<AppDeps> {
  const logger =
    overrides.logger ?? createLogger({ level: env.LOG_LEVEL, bindings: { stage: env.STAGE } });
  const [database, cache] = await Promise.all([
    overrides.database ?? createDatabase(env, logger),
    overrides.cache ?? createCache(env, logger),
  ]);
  return {
    env,
    logger,
    database,
    cache,
    async close() {
      await Promise.allSettled([database.close(), cache.close()]);
    },
  };
}

/**
 * The cache: Redis through ioredis when `REDIS_URL` is set, otherwise an in-process LRU.
 * Keys are namespaced by the configured prefix. The Redis adapter (and ioredis) loads with
 * the first command (lib/cache/lazy.ts), not at start-up.
 */
import type { Env } from '../../env.ts';
import type { Logger } from '../logger.ts';
import type { Tracing } from '../observability/tracing.ts';
import type { SecretsProvider } from '../secrets.ts';
import { createLazyCache } from './lazy.ts';
import type { Cache } from './types.ts';

export type { Cache } from './types.ts';

export async function createCache(
  env: Env,
  logger: Logger,
  secrets?: SecretsProvider,
  tracing?: Tracing,
): Promise<Cache> {
  if (env.REDIS_URL) {
    const url = env.REDIS_URL;
    return createLazyCache('redis', async () => {
      const { createRedisCache } = await import('./redis.ts');
      return createRedisCache({ url, prefix: env.CACHE_PREFIX, logger, tracing });
    });
  }
  if (env.REDIS_HOST) {
    // Read at start-up: a missing secret fails the init, naming it.
    const password =
      env.REDIS_AUTH_SECRET_ARN && secrets
        ? await secrets.get(env.REDIS_AUTH_SECRET_ARN)
        : undefined;
    return createLazyCache('redis', async () => {
      const { createRedisCache } = await import('./redis.ts');
      return createRedisCache({
        host: env.REDIS_HOST,
        port: env.REDIS_PORT,
        tls: env.REDIS_TLS,
        password,
        prefix: env.CACHE_PREFIX,
        logger,
        tracing,
      });
    });
  }
  const { createMemoryCache } = await import('./memory.ts');
  return createMemoryCache({ maxEntries: env.CACHE_MAX_ENTRIES });
}

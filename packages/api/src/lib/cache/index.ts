/**
 * The cache: Redis through ioredis when `REDIS_URL` is set, otherwise an in-process LRU.
 * Keys are namespaced by the configured prefix.
 */
import type { Env } from '../../env.ts';
import type { Logger } from '../logger.ts';
import type { Tracing } from '../observability/tracing.ts';
import type { SecretsProvider } from '../secrets.ts';
import type { Cache } from './types.ts';

export type { Cache } from './types.ts';

export async function createCache(
  env: Env,
  logger: Logger,
  secrets?: SecretsProvider,
  tracing?: Tracing,
): Promise<Cache> {
  if (env.REDIS_URL) {
    const { createRedisCache } = await import('./redis.ts');
    return createRedisCache({ url: env.REDIS_URL, prefix: env.CACHE_PREFIX, logger, tracing });
  }
  if (env.REDIS_HOST) {
    const { createRedisCache } = await import('./redis.ts');
    const password =
      env.REDIS_AUTH_SECRET_ARN && secrets
        ? await secrets.get(env.REDIS_AUTH_SECRET_ARN)
        : undefined;
    return createRedisCache({
      host: env.REDIS_HOST,
      port: env.REDIS_PORT,
      tls: env.REDIS_TLS,
      password,
      prefix: env.CACHE_PREFIX,
      logger,
      tracing,
    });
  }
  const { createMemoryCache } = await import('./memory.ts');
  return createMemoryCache({ maxEntries: env.CACHE_MAX_ENTRIES });
}

/**
 * Warms the cache on deploy: checks that Redis answers with TLS and the auth token,
 * then writes the configured entries with a TTL. A cache outage must not block a deploy
 * (the app degrades to cache misses), so a connection failure answers SUCCESS with
 * `Warmed = 0` and the error; only malformed input answers FAILED.
 */
import { createSecretsProvider, type SecretsProvider } from '@backend/api/secrets';
import { Redis } from 'ioredis';
import {
  type CustomResourceHandler,
  createCustomResourceHandler,
  lazyCustomResourceHandler,
  type ResponseSender,
  type WorkResult,
} from './cfn-response.ts';

export const CACHE_WARMING_PHYSICAL_ID = 'cache-warming';

export interface CacheTarget {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** The auth token's secret; `undefined` connects without AUTH (local tests). */
  readonly authSecretArn?: string;
}

export interface CacheWarmingDeps {
  readonly target: CacheTarget;
  /** Reads the auth token (the API's Secrets Manager provider). */
  readonly secrets: SecretsProvider;
  /** @default sendCfnResponse */
  readonly sendResponse?: ResponseSender;
}

function parseEntries(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('Entries must be an object of string values');
  }
  const entries: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw new Error(`Entry ${key} must be a string`);
    entries[key] = entry;
  }
  return entries;
}

export function createCacheWarmingHandler(deps: CacheWarmingDeps): CustomResourceHandler {
  return createCustomResourceHandler({
    physicalResourceId: CACHE_WARMING_PHYSICAL_ID,
    sendResponse: deps.sendResponse,
    onCreateOrUpdate: async (event): Promise<WorkResult> => {
      const props = event.ResourceProperties;
      const prefix = typeof props.Prefix === 'string' ? props.Prefix : '';
      const ttlSeconds = Number(props.TtlSeconds ?? 3600);
      if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1)
        throw new Error('TtlSeconds must be a positive integer');
      const entries = parseEntries(props.Entries ?? {});

      let redis: Redis | undefined;
      try {
        const password = deps.target.authSecretArn
          ? await deps.secrets.get(deps.target.authSecretArn)
          : undefined;
        redis = new Redis({
          host: deps.target.host,
          port: deps.target.port,
          password,
          tls: deps.target.tls ? {} : undefined,
          connectTimeout: 3000,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          lazyConnect: true,
          retryStrategy: () => null,
        });
        // Failures surface through connect() and the commands; without a listener ioredis
        // would also print each one as an unhandled error event.
        redis.on('error', () => {});
        await redis.connect();
        await redis.ping();
        const pipeline = redis.multi();
        for (const [key, value] of Object.entries(entries)) {
          pipeline.set(`${prefix}${key}`, value, 'EX', ttlSeconds);
        }
        await pipeline.exec();
        return { data: { Warmed: Object.keys(entries).length } };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { data: { Warmed: 0, Error: message.slice(0, 500) } };
      } finally {
        redis?.disconnect();
      }
    },
  });
}

/**
 * The Lambda entry. Its configuration is read from the environment on first use, inside the
 * error handling: a missing or malformed setting answers FAILED at once.
 */
export const handler: CustomResourceHandler = lazyCustomResourceHandler(
  CACHE_WARMING_PHYSICAL_ID,
  () => {
    const host = process.env.REDIS_HOST;
    if (!host) throw new Error('REDIS_HOST is required');
    return createCacheWarmingHandler({
      target: {
        host,
        port: Number(process.env.REDIS_PORT ?? 6379),
        tls: process.env.REDIS_TLS === 'true',
        authSecretArn: process.env.REDIS_AUTH_SECRET_ARN,
      },
      secrets: createSecretsProvider(),
    });
  },
);

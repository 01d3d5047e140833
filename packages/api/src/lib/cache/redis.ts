import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { Cache } from './index.ts';

export interface RedisCacheOptions {
  /** A redis:// or rediss:// URL, or host parts. */
  url?: string;
  host?: string;
  port?: number;
  tls?: boolean;
  /** The AUTH token, if the server requires one. */
  password?: string;
  /** Prefix of every key. */
  prefix: string;
  logger?: Logger;
  /** Milliseconds before a command is given up. @default 1000 */
  commandTimeoutMs?: number;
}

/**
 * Redis through ioredis with short timeouts and a bounded retry, so an outage fails
 * fast instead of queueing requests behind a dead connection.
 */
export function createRedisCache(options: RedisCacheOptions): Cache {
  const settings = {
    keyPrefix: options.prefix,
    lazyConnect: true,
    connectTimeout: 2_000,
    commandTimeout: options.commandTimeoutMs ?? 1_000,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
  };
  const redis = options.url
    ? new Redis(options.url, settings)
    : new Redis({
        ...settings,
        host: options.host,
        port: options.port,
        password: options.password,
        tls: options.tls ? {} : undefined,
      });
  let lastError = '';
  redis.on('error', (error: Error) => {
    // ioredis reports every failed reconnect; log a change of state, not each attempt.
    if (error.message !== lastError) options.logger?.warn('redis error', { err: error.message });
    lastError = error.message;
  });
  redis.on('ready', () => {
    lastError = '';
  });

  return {
    kind: 'redis',
    client: redis,
    async get(key) {
      return redis.get(key);
    },
    async set(key, value, ttlSeconds) {
      await redis.set(key, value, 'EX', ttlSeconds);
    },
    async delete(...keys) {
      if (keys.length > 0) await redis.del(...keys);
    },
    async increment(key, ttlSeconds) {
      const [[incrError, count] = [], [expireError] = []] =
        (await redis.multi().incr(key).expire(key, ttlSeconds, 'NX').exec()) ?? [];
      if (incrError || expireError) throw incrError ?? expireError;
      return Number(count);
    },
    async ttl(key) {
      const seconds = await redis.ttl(key);
      return seconds < 0 ? null : seconds;
    },
    async clear() {
      // SCAN takes the raw pattern; keyPrefix is applied to commands, not to patterns.
      let removed = 0;
      const stream = redis.scanStream({ match: `${options.prefix}*`, count: 500 });
      for await (const batch of stream as AsyncIterable<string[]>) {
        const keys = batch.map((key) => key.slice(options.prefix.length));
        if (keys.length > 0) removed += await redis.del(...keys);
      }
      return removed;
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      if (redis.status === 'end' || redis.status === 'wait') {
        redis.disconnect();
        return;
      }
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

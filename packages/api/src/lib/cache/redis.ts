import { Redis, ReplyError } from 'ioredis';
import type { Logger } from '../logger.ts';
import { type Tracing, traceRedis } from '../observability/tracing.ts';
import { type CircuitBreakerOptions, createCircuitBreaker } from './circuit-breaker.ts';
import type { Cache } from './types.ts';

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
  /** The circuit breaker in front of every command. @default 2 failures, open 1 s */
  breaker?: Pick<CircuitBreakerOptions, 'failureThreshold' | 'openMs'>;
  /** Traces every command (the rate limiter's included) when switched on. @default off */
  tracing?: Tracing;
}

/**
 * Redis through ioredis with short timeouts, a bounded retry and a circuit breaker, so an
 * outage fails fast instead of queueing requests behind a dead connection:
 * - once the connection drops, commands are refused at once (the offline queue is switched
 *   off until the client is ready again), for this cache and for everything else sharing the
 *   client (the rate limiter); ioredis keeps reconnecting in the background and the first
 *   `ready` closes the circuit;
 * - a server that accepts the connection but stops answering (commands time out) opens the
 *   circuit after `breaker.failureThreshold` failures; after `breaker.openMs` one command
 *   goes through as a probe and closes it again if it succeeds.
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
  if (options.tracing) traceRedis(redis, options.tracing);
  let lastError = '';
  redis.on('error', (error: Error) => {
    // ioredis reports every failed reconnect; log a change of state, not each attempt.
    if (error.message !== lastError) options.logger?.warn('redis error', { err: error.message });
    lastError = error.message;
  });
  const breaker = createCircuitBreaker('redis', {
    ...options.breaker,
    // A reply error (a wrong type, a script error) is the command's fault, not the server's.
    isFailure: (error) => !(error instanceof ReplyError),
    onStateChange: (state) => {
      if (state === 'open') options.logger?.warn('redis circuit open: failing fast');
      if (state === 'closed') options.logger?.info('redis circuit closed');
    },
  });
  // Emitted while it tries again after a lost (or never made) connection.
  redis.on('reconnecting', () => {
    redis.options.enableOfflineQueue = false;
    breaker.open();
  });
  redis.on('ready', () => {
    lastError = '';
    redis.options.enableOfflineQueue = true;
    breaker.close();
  });
  const guarded = <T>(command: () => Promise<T>) => breaker.run(command);

  return {
    kind: 'redis',
    client: redis,
    guard: guarded,
    get(key) {
      return guarded(() => redis.get(key));
    },
    async set(key, value, ttlSeconds) {
      await guarded(() => redis.set(key, value, 'EX', ttlSeconds));
    },
    async delete(...keys) {
      if (keys.length > 0) await guarded(() => redis.del(...keys));
    },
    increment(key, ttlSeconds) {
      return guarded(async () => {
        const [[incrError, count] = [], [expireError] = []] =
          (await redis.multi().incr(key).expire(key, ttlSeconds, 'NX').exec()) ?? [];
        if (incrError || expireError) throw incrError ?? expireError;
        return Number(count);
      });
    },
    async ttl(key) {
      const seconds = await guarded(() => redis.ttl(key));
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
      await guarded(() => redis.ping());
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

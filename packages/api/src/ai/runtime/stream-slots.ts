/**
 * Concurrent AI streams per user: a user holds at most AI_MAX_CONCURRENT_STREAMS open streams
 * (chat, agent and graph streams together); one more answers 429 TOO_MANY_STREAMS.
 *
 * With Redis, the slots are counted across containers: a sorted set per user, one member per
 * open stream scored by when it expires, taken and checked in one Lua script. A slot is
 * released when its stream ends, fails or loses its client; a container that dies holding
 * slots leaves them to expire after `slotTtlMs` each, so nothing leaks for good. Without
 * Redis, or while it is unreachable, the slots are counted in this process.
 */
import { randomUUID } from 'node:crypto';
import type { Cache } from '../../lib/cache/index.ts';
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';

/** An open stream's slot; `release()` is safe to call more than once. */
export interface StreamSlot {
  release(): Promise<void>;
}

export interface StreamSlots {
  readonly max: number;
  /** Takes a slot for `userId`, or throws the 429 when all of theirs are taken. */
  acquire(userId: string): Promise<StreamSlot>;
}

export interface StreamSlotsOptions {
  /** AI_MAX_CONCURRENT_STREAMS. */
  max: number;
  /** The longest a slot counts unreleased: the longest a stream may last, plus a margin. */
  slotTtlMs: number;
  /** With a Redis client: counted across containers. @default in-process only */
  cache?: Pick<Cache, 'client' | 'guard'>;
  logger?: Logger;
  /** For tests. @default Date.now */
  now?: () => number;
}

/** Drops expired slots, refuses past the limit, else adds one. 1: taken, 0: refused. */
const ACQUIRE_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

export const tooManyStreams = (max: number) =>
  new ApiError(
    429,
    ERROR_CODES.TOO_MANY_STREAMS,
    `At most ${max} AI stream${max === 1 ? '' : 's'} may be open at once`,
    { headers: { 'Retry-After': '1' }, details: { maxConcurrentStreams: max } },
  );

const keyOf = (userId: string) => `ai:streams:${userId}`;

export function createStreamSlots(options: StreamSlotsOptions): StreamSlots {
  const { max, slotTtlMs, logger } = options;
  const now = options.now ?? Date.now;
  const redis = options.cache?.client;
  const guard = options.cache?.guard ?? (<T>(command: () => Promise<T>) => command());
  // userId → (slot id → expiry), for the in-process count.
  const local = new Map<string, Map<string, number>>();

  function acquireLocal(userId: string, id: string): boolean {
    const at = now();
    const slots = local.get(userId) ?? new Map<string, number>();
    for (const [slot, expires] of slots) if (expires <= at) slots.delete(slot);
    if (slots.size >= max) return false;
    slots.set(id, at + slotTtlMs);
    local.set(userId, slots);
    return true;
  }

  function releaseLocal(userId: string, id: string) {
    const slots = local.get(userId);
    slots?.delete(id);
    if (slots?.size === 0) local.delete(userId);
  }

  return {
    max,
    async acquire(userId) {
      const id = randomUUID();
      let where: 'redis' | 'local' = 'local';
      let taken: boolean;
      if (redis) {
        try {
          const at = now();
          const result = await guard(() =>
            redis.eval(ACQUIRE_SCRIPT, 1, keyOf(userId), at, max, at + slotTtlMs, id, slotTtlMs),
          );
          taken = result === 1;
          where = 'redis';
        } catch (error) {
          // A Redis outage degrades to this process's count; it never fails the request.
          logger?.warn('stream slots counted in-process: redis unavailable', { err: error });
          taken = acquireLocal(userId, id);
        }
      } else {
        taken = acquireLocal(userId, id);
      }
      if (!taken) throw tooManyStreams(max);
      let released: Promise<void> | null = null;
      return {
        release() {
          released ??=
            where === 'redis' && redis
              ? guard(() => redis.zrem(keyOf(userId), id)).then(
                  () => undefined,
                  // Left behind, the slot expires after slotTtlMs.
                  (error: unknown) => logger?.warn('stream slot not released', { err: error }),
                )
              : Promise.resolve(releaseLocal(userId, id));
          return released;
        },
      };
    },
  };
}

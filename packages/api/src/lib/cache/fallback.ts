/**
 * The one "fall back to memory when Redis fails" behaviour, shared by the rate limiter and
 * the sign-in lockout. Each call tries the shared store (whose own circuit breaker fails at
 * once while Redis is down) and, when it throws, answers from the in-process store instead.
 * The switch is logged once each way: never a 5xx, never a guard switched off.
 */
import type { Logger } from '../logger.ts';

export interface MemoryFallbackOptions {
  /** What falls back, as the log names it, e.g. `rate limiter`. */
  name: string;
  logger?: Logger;
}

/** Runs `shared`; when it fails, runs `local` instead. */
export type MemoryFallback = <T>(shared: () => Promise<T>, local: () => Promise<T>) => Promise<T>;

export function createMemoryFallback(options: MemoryFallbackOptions): MemoryFallback {
  const { name, logger } = options;
  let degraded = false;
  return async function withMemoryFallback<T>(
    shared: () => Promise<T>,
    local: () => Promise<T>,
  ): Promise<T> {
    let result: T;
    try {
      result = await shared();
    } catch (error) {
      if (!degraded) {
        logger?.warn(`${name} falling back to in-process limits: redis unavailable`, {
          err: error instanceof Error ? error.message : String(error),
        });
      }
      degraded = true;
      return local();
    }
    if (degraded) logger?.info(`${name} back on redis`);
    degraded = false;
    return result;
  };
}

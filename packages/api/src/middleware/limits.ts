/**
 * Body-size and time limits, by route: the first rule whose prefix matches a request's path
 * wins, so a route overrides the defaults by appearing earlier in the table.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { timeout as honoTimeout } from 'hono/timeout';
import { ApiError, ERROR_CODES } from '../lib/errors.ts';

/** A limit for every path that starts with `prefix`. */
export interface LimitRule {
  prefix: string;
  value: number;
}

function byPrefix(rules: readonly LimitRule[], fallback: number) {
  return (path: string) => rules.find((rule) => path.startsWith(rule.prefix))?.value ?? fallback;
}

export interface BodyLimitOptions {
  /** Largest body in bytes. @default 1 MiB */
  defaultBytes?: number;
  /** Per-route overrides. @default [] */
  rules?: readonly LimitRule[];
}

/** 413 in the error shape for a body over the route's limit (declared or streamed). */
export const bodyLimit = (options: BodyLimitOptions = {}): MiddlewareHandler => {
  const limitFor = byPrefix(options.rules ?? [], options.defaultBytes ?? 1_048_576);
  const limiters = new Map<number, MiddlewareHandler>();
  const limiterFor = (maxSize: number) => {
    let limiter = limiters.get(maxSize);
    if (!limiter) {
      limiter = honoBodyLimit({
        maxSize,
        onError: () => {
          throw new ApiError(
            413,
            ERROR_CODES.PAYLOAD_TOO_LARGE,
            `The request body exceeds ${maxSize} bytes`,
            {
              details: { maxBytes: maxSize },
            },
          );
        },
      });
      limiters.set(maxSize, limiter);
    }
    return limiter;
  };
  return async function bodyLimit(c, next) {
    return limiterFor(limitFor(c.req.path))(c, next);
  };
};

export interface TimeoutOptions {
  /** Milliseconds a request may take. @default 10000 */
  defaultMs?: number;
  /** Per-route overrides (AI routes take longer). @default [] */
  rules?: readonly LimitRule[];
}

/** 504 in the error shape when a request runs past its route's time. */
export const requestTimeout = (options: TimeoutOptions = {}): MiddlewareHandler => {
  const timeFor = byPrefix(options.rules ?? [], options.defaultMs ?? 10_000);
  const timers = new Map<number, MiddlewareHandler>();
  return async function requestTimeout(c, next) {
    const ms = timeFor(c.req.path);
    let timer = timers.get(ms);
    if (!timer) {
      timer = honoTimeout(
        ms,
        () => new ApiError(504, ERROR_CODES.TIMEOUT, `The request took longer than ${ms} ms`),
      );
      timers.set(ms, timer);
    }
    return timer(c, next);
  };
};

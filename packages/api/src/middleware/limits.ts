/**
 * Body-size and time limits, by route: the first rule whose prefix matches a request's path
 * wins, so a route overrides the defaults by appearing earlier in the table.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { ApiError, ERROR_CODES } from '../lib/errors.ts';
import type { AppBindings, RequestDeadlineVariables } from '../lib/types.ts';

export type { RequestDeadlineVariables } from '../lib/types.ts';

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
    // A GET or HEAD carries no body unless it declares one. Hono's limiter reads
    // `c.req.raw.body`, which makes Node's adapter build a whole Request: skip it here.
    if (
      (c.req.method === 'GET' || c.req.method === 'HEAD') &&
      c.req.header('content-length') === undefined &&
      c.req.header('transfer-encoding') === undefined
    ) {
      return next();
    }
    return limiterFor(limitFor(c.req.path))(c, next);
  };
};

export interface TimeoutOptions {
  /** Milliseconds a request may take. @default 10000 */
  defaultMs?: number;
  /** Per-route overrides (AI routes take longer). @default [] */
  rules?: readonly LimitRule[];
  /**
   * On Lambda (`c.env.context` present), the deadline is also capped at the invocation's
   * remaining time minus this margin, so the app ends its work (and stores what it has) before
   * the runtime cuts the invocation. @default 3000
   */
  lambdaMarginMs?: number;
}

/** The reason a deadline's signal aborts with: the one `AbortSignal.timeout` gives. */
const timeoutReason = () =>
  new DOMException('The operation was aborted due to timeout', 'TimeoutError');

/**
 * 504 in the error shape when a request runs past its route's time (or, on Lambda, past the
 * invocation's remaining time minus a margin), and `c.var.deadline` for the work that runs on.
 * The deadline's signal is made only when something asks for it (few routes do): one timer per
 * request and no `AbortSignal` cost a fraction of `AbortSignal.timeout` and its listener.
 */
export const requestTimeout = (
  options: TimeoutOptions = {},
): MiddlewareHandler<{
  Bindings: AppBindings['Bindings'];
  Variables: RequestDeadlineVariables;
}> => {
  const timeFor = byPrefix(options.rules ?? [], options.defaultMs ?? 10_000);
  const margin = options.lambdaMarginMs ?? 3_000;
  return async function requestTimeout(c, next) {
    const routeMs = timeFor(c.req.path);
    const remaining = c.env?.context?.getRemainingTimeInMillis?.();
    const ms =
      remaining === undefined ? routeMs : Math.max(0, Math.min(routeMs, remaining - margin));
    const endsAt = performance.now() + ms;
    let signal: AbortSignal | undefined;
    let controller: AbortController | undefined;
    let expired = false;
    let answered = false;
    let timeUp: ((error: ApiError) => void) | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timeUp = reject;
    });
    const timer = setTimeout(() => {
      expired = true;
      controller?.abort(timeoutReason());
      if (!answered) {
        timeUp?.(new ApiError(504, ERROR_CODES.TIMEOUT, `The request took longer than ${ms} ms`));
      }
    }, ms);
    // Like AbortSignal.timeout's, the timer never keeps the process alive.
    timer.unref?.();
    c.set('deadline', () => {
      if (signal) return signal;
      if (answered && !expired) {
        // Asked for after the response, once the timer was cleared: a timer for the time left.
        signal = AbortSignal.timeout(Math.max(0, endsAt - performance.now()));
        return signal;
      }
      controller = new AbortController();
      if (expired) controller.abort(timeoutReason());
      signal = controller.signal;
      return signal;
    });
    try {
      await Promise.race([next(), timedOut]);
    } finally {
      answered = true;
      // Nothing holds the signal, so nothing outlives the response waiting on the timer.
      if (!signal) clearTimeout(timer);
    }
  };
};

/** The request's signal: the client leaving or the request's deadline, whichever comes first. */
export function requestSignal(c: Context<AppBindings>): AbortSignal {
  const deadline = c.get('deadline') as RequestDeadlineVariables['deadline'] | undefined;
  return deadline ? AbortSignal.any([c.req.raw.signal, deadline()]) : c.req.raw.signal;
}

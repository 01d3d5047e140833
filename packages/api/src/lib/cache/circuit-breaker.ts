/**
 * A circuit breaker: after `failureThreshold` consecutive failures the circuit opens and
 * calls fail at once (no waiting on a dead dependency) for `openMs`; then one call goes
 * through as a probe (half-open): its success closes the circuit, its failure opens it again.
 */

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. @default 2 */
  failureThreshold?: number;
  /** How long the circuit stays open before a probe may go through. @default 1000 */
  openMs?: number;
  /** Which errors count as the dependency failing. @default every error */
  isFailure?: (error: unknown) => boolean;
  /** Called when the state changes (to log it). */
  onStateChange?: (state: CircuitState) => void;
  /** The clock. @default Date.now */
  now?: () => number;
}

/** Thrown instead of calling through an open circuit. */
export class CircuitOpenError extends Error {
  constructor(name: string) {
    super(`${name} unavailable (circuit open)`);
    this.name = 'CircuitOpenError';
  }
}

export interface CircuitBreaker {
  state(): CircuitState;
  /** Calls `fn` unless the circuit is open; counts its failure or success. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Opens the circuit now (the connection is known to be down). */
  open(): void;
  /** Closes the circuit now (the connection is known to be back). */
  close(): void;
}

export function createCircuitBreaker(
  name: string,
  options: CircuitBreakerOptions = {},
): CircuitBreaker {
  const failureThreshold = options.failureThreshold ?? 2;
  const openMs = options.openMs ?? 1_000;
  const isFailure = options.isFailure ?? (() => true);
  const now = options.now ?? Date.now;
  let state: CircuitState = 'closed';
  let failures = 0;
  let retryAt = 0;
  let probing = false;

  const change = (next: CircuitState) => {
    if (next === state) return;
    state = next;
    options.onStateChange?.(next);
  };
  const open = () => {
    retryAt = now() + openMs;
    change('open');
  };
  const close = () => {
    failures = 0;
    change('closed');
  };

  return {
    state() {
      if (state === 'open' && now() >= retryAt) return 'half-open';
      return state;
    },
    async run(fn) {
      const probe = state !== 'closed';
      if (probe && (now() < retryAt || probing)) throw new CircuitOpenError(name);
      if (probe) {
        probing = true;
        change('half-open');
      }
      try {
        const result = await fn();
        close();
        return result;
      } catch (error) {
        if (isFailure(error)) {
          failures++;
          if (probe || failures >= failureThreshold) open();
        } else if (probe) close();
        throw error;
      } finally {
        if (probe) probing = false;
      }
    },
    open,
    close,
  };
}

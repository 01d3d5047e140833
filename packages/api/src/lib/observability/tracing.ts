/**
 * X-Ray tracing: a subsegment per database query, Redis command and model call, under one
 * `## handler` subsegment per Lambda invocation. Built on Powertools for AWS Lambda's Tracer,
 * which pulls in aws-xray-sdk-core (large, CommonJS): it is loaded by dynamic `import()` only
 * when tracing is switched on, so a cold start without tracing never parses or runs it.
 * Off by default (and outside Lambda, where there is no X-Ray segment to attach to).
 * A tracing failure is swallowed: it never fails the work being traced.
 */
import type { Sql } from 'postgres';
import type { Annotations, Span, Tracing, TracingOptions } from './tracing.types.ts';

export type { Annotations, Span, Tracing, TracingOptions } from './tracing.types.ts';

/** Tracing switched off: every call is a no-op. */
export const noTracing: Tracing = {
  enabled: false,
  start: () => null,
  annotate() {},
  invocation: (fn) => fn(),
};

/** Tracing as configured; X-Ray support is loaded only when `enabled`. */
export async function createTracing(options: TracingOptions): Promise<Tracing> {
  if (!options.enabled) return noTracing;
  try {
    const { createXrayTracing } = await import('./xray.ts');
    return createXrayTracing(options);
  } catch (error) {
    options.logger?.warn('tracing unavailable; continuing without it', { err: error });
    return noTracing;
  }
}

function safeStart(
  tracing: Tracing,
  name: string,
  annotations?: Annotations,
  metadata?: Record<string, unknown>,
): Span | null {
  try {
    return tracing.start(name, annotations, metadata);
  } catch {
    return null;
  }
}

function safeEnd(span: Span, error?: unknown) {
  try {
    span.end(error);
  } catch {
    // A subsegment that cannot be closed is X-Ray's loss, not the request's.
  }
}

/** Runs `fn` inside a subsegment named `name`; `fn` runs exactly once whatever tracing does. */
export async function traced<T>(
  tracing: Tracing,
  name: string,
  fn: () => Promise<T>,
  annotations?: Annotations,
): Promise<T> {
  const span = tracing.enabled ? safeStart(tracing, name, annotations) : null;
  if (!span) return fn();
  try {
    const value = await fn();
    safeEnd(span);
    return value;
  } catch (error) {
    safeEnd(span, error);
    throw error;
  }
}

/** Watches `promise` (without changing it) from a subsegment opened now. */
function observe(
  tracing: Tracing,
  promise: PromiseLike<unknown>,
  name: string,
  metadata?: Record<string, unknown>,
) {
  const span = safeStart(tracing, name, undefined, metadata);
  if (!span) return;
  try {
    // The base `then`: postgres.js queries run when their own `then` is first called.
    Promise.prototype.then.call(
      promise,
      () => safeEnd(span),
      (error: unknown) => safeEnd(span, error),
    );
  } catch {
    safeEnd(span);
  }
}

const SQL_METADATA_MAX = 2_000;

/**
 * A postgres.js client whose queries (and transactions) are traced. The statement text is
 * kept as metadata; its parameters never are. With tracing off, the client itself.
 */
export function tracePostgres<T extends Sql>(sql: T, tracing: Tracing): T {
  if (!tracing.enabled) return sql;
  return new Proxy(sql, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (query: string, ...rest: unknown[]) => {
          const pending = (target.unsafe as (...args: unknown[]) => PromiseLike<unknown>)(
            query,
            ...rest,
          );
          observe(tracing, pending, 'postgres', { sql: query.slice(0, SQL_METADATA_MAX) });
          return pending;
        };
      }
      if (property === 'begin') {
        return (...args: unknown[]) => {
          const callback = args.pop() as (tx: Sql) => unknown;
          const pending = (target.begin as (...a: unknown[]) => PromiseLike<unknown>)(
            ...args,
            (tx: Sql) => callback(tracePostgres(tx, tracing)),
          );
          observe(tracing, pending, 'postgres transaction');
          return pending;
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

interface RedisCommandLike {
  name: string;
  promise: Promise<unknown>;
}

/** Traces every command an ioredis client sends (pipelines and MULTI included). */
export function traceRedis(
  redis: { sendCommand: (command: never, ...rest: never[]) => unknown },
  tracing: Tracing,
): void {
  if (!tracing.enabled) return;
  const send = redis.sendCommand.bind(redis) as (command: unknown, ...rest: unknown[]) => unknown;
  redis.sendCommand = ((command: RedisCommandLike, ...rest: unknown[]) => {
    observe(tracing, command.promise, `redis ${command.name}`);
    return send(command, ...rest);
  }) as typeof redis.sendCommand;
}

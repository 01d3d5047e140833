/** The tracing contract: what the no-op and the X-Ray adapters (xray.ts) provide. */
import type { Logger } from '../logger.ts';

export type Annotations = Record<string, string | number | boolean>;

/** A subsegment opened for some work; `end` it when the work ends. */
export interface Span {
  end(error?: unknown): void;
}

export interface Tracing {
  readonly enabled: boolean;
  /** A subsegment of the current invocation opened now; null outside an invocation. */
  start(name: string, annotations?: Annotations, metadata?: Record<string, unknown>): Span | null;
  /** Adds an annotation (searchable in X-Ray) to the current invocation's subsegment. */
  annotate(key: string, value: string | number | boolean): void;
  /** Runs one Lambda invocation inside its `## handler` subsegment. */
  invocation<T>(fn: () => Promise<T>, coldStart: boolean): Promise<T>;
}

export interface TracingOptions {
  enabled: boolean;
  /** The `Service` annotation. */
  serviceName: string;
  logger?: Logger;
}

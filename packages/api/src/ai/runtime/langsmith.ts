/**
 * LangSmith tracing. With an API key (LANGSMITH_API_KEY, or the secret LANGSMITH_SECRET_ARN
 * names), every run given `tracing.callbacks(...)` is traced to the stage's project
 * (LANGSMITH_PROJECT, default `hono-ai-backend-<stage>`), tagged with the stage, the user id
 * and the request id. `flush()` waits until every trace is delivered: a Lambda response must
 * not complete before (a frozen container sends nothing). Without a key nothing is created,
 * sent or waited for.
 *
 * The client is explicit (key, endpoint, project): LangChain's own tracing switches in the
 * process environment are not consulted.
 */
import type { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import { LangChainTracer } from '@langchain/core/tracers/tracer_langchain';
import { Client } from 'langsmith';
import type { Logger } from '../../lib/logger.ts';

export interface TraceContext {
  userId: string;
  requestId?: string | null;
}

export interface Tracing {
  readonly enabled: boolean;
  /** The project traces go to; null when tracing is off. */
  readonly project: string | null;
  /** Tags every traced run carries. */
  tags(context: TraceContext): string[];
  /** Metadata every traced run carries. */
  metadata(context: TraceContext): Record<string, string>;
  /** The tracer for one run (none when tracing is off). */
  callbacks(context: TraceContext): BaseCallbackHandler[];
  /** Resolves when every trace so far has been delivered (at once when tracing is off). */
  flush(): Promise<void>;
}

export interface TracingOptions {
  /** The LangSmith API key; null or absent turns tracing off. */
  apiKey?: string | null;
  project: string;
  stage: string;
  /** The LangSmith API's URL. @default LangSmith's own */
  endpoint?: string;
  logger?: Logger;
  /** For tests. @default globalThis.fetch */
  fetch?: typeof fetch;
}

export function createTracing(options: TracingOptions): Tracing {
  const { stage } = options;
  const tags = (context: TraceContext) => [
    `stage:${stage}`,
    `user:${context.userId}`,
    ...(context.requestId ? [`request:${context.requestId}`] : []),
  ];
  const metadata = (context: TraceContext) => ({
    stage,
    user_id: context.userId,
    ...(context.requestId ? { request_id: context.requestId } : {}),
  });

  if (!options.apiKey) {
    return {
      enabled: false,
      project: null,
      tags,
      metadata,
      callbacks: () => [],
      flush: async () => {},
    };
  }

  const client = new Client({
    apiKey: options.apiKey,
    ...(options.endpoint ? { apiUrl: options.endpoint } : {}),
    ...(options.fetch ? { fetchImplementation: options.fetch } : {}),
    autoBatchTracing: true,
    // Each trace is sent whole once its run ends; flush() waits for the batches.
    blockOnRootRunFinalization: false,
  });
  const project = options.project;
  return {
    enabled: true,
    project,
    tags,
    metadata,
    callbacks() {
      return [new LangChainTracer({ projectName: project, client })];
    },
    async flush() {
      try {
        await awaitAllCallbacks();
        await client.awaitPendingTraceBatches();
      } catch (error) {
        // Tracing is an observer: a LangSmith outage never fails a request.
        options.logger?.warn('langsmith flush failed', { err: error });
      }
    },
  };
}

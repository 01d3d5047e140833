/** What every model run is given: who it is for, its callbacks, tags and metadata. */
import type { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { RunnableConfig } from '@langchain/core/runnables';

/** Who a run is for: usage is charged to the user, traces carry both ids. */
export interface RunContext {
  userId: string;
  requestId?: string | null;
}

export interface RunConfigOptions extends RunContext {
  /** Aborts the run (the client disconnected, the request timed out). */
  signal?: AbortSignal;
  /** The run's name in traces. */
  runName?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
}

/** A RunnableConfig that always carries the run's callbacks. */
export type RunConfig = RunnableConfig & { callbacks: BaseCallbackHandler[] };

/** Builds the RunConfig of one run (usage recording, tracing, the caller's signal). */
export type RunConfigFactory = (options: RunConfigOptions) => RunConfig;

/**
 * The LangGraph Platform API's services over one store and the compiled graphs: threads a
 * user owns (threads.service.ts), runs on them (runs.service.ts), their execution
 * (run-executor.ts) and joining a run's stored events (run-join.ts).
 *
 * A run is a row (`lg_runs`, one active per thread) executed wherever it runs: the request
 * that created it, or the job queue's worker for a background run. A run whose lease has
 * passed belonged to a worker that died and is marked failed when read. A background run
 * waiting in the queue has a deadline of its own instead (`queuedRunTtlMs`) until a worker
 * claims it. A resumable or
 * background run stores each event (`lg_run_events`, numbered from 0), so it can be joined
 * from any container.
 */

import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import type { Retrieval } from '../../files/retrieval.ts';
import type { Database } from '../../lib/db/index.ts';
import type { Logger } from '../../lib/logger.ts';
import type { ModelRegistry } from '../runtime/models.ts';
import type { RunConfigFactory } from '../runtime/run-config.ts';
import type { UsageService } from '../usage/usage.service.ts';
import { createGraphs } from './graphs.ts';
import { createRunExecutor } from './run-executor.ts';
import { createRunJoin } from './run-join.ts';
import { createRunsService } from './runs.service.ts';
import { createLangGraphStore } from './store.ts';
import { createThreadsService } from './threads.service.ts';

export type { RunEvent } from './run-executor.ts';
export { RUN_STEP_LIMIT } from './run-graph.ts';
export type { LgRun, LgThread } from './store.ts';

export interface LangGraphServiceOptions {
  db: Database;
  checkpointer: BaseCheckpointSaver;
  models: ModelRegistry;
  usage: UsageService;
  runConfig: RunConfigFactory;
  logger: Logger;
  fetchAllowedHosts: readonly string[];
  fetchTimeoutMs: number;
  /** Document search for the chat graph's search_documents tool; absent: no such tool. */
  documents?: Retrieval;
  /** How often an executing run renews its lease and reads its cancel flag. */
  pollMs?: number;
  /** How long a run's lease lasts without renewal: a dead worker's run fails after it. */
  leaseMs?: number;
  /**
   * How long a background run may wait in the job queue before it is failed (a backlog, a
   * delayed delivery, retries with backoff). @default QUEUED_RUN_TTL_MS (6 h)
   */
  queuedRunTtlMs?: number;
  /** Flushes traces once a run has ended. */
  flush(): Promise<void>;
}

/**
 * A queued run's default deadline: hours, against the job queue's minutes of backoff and
 * retries (SQS keeps a message for days, so a run's deadline ends its wait first).
 */
export const QUEUED_RUN_TTL_MS = 6 * 60 * 60 * 1_000;

export function createLangGraphService(options: LangGraphServiceOptions) {
  const pollMs = options.pollMs ?? 1_000;
  const leaseMs = options.leaseMs ?? 60_000;
  const store = createLangGraphStore(options.db);
  const graphs = createGraphs(options);
  return {
    graphs,
    threads: createThreadsService({ store, graphs }),
    runs: createRunsService({
      store,
      graphs,
      usage: options.usage,
      leaseMs,
      queuedRunTtlMs: options.queuedRunTtlMs ?? QUEUED_RUN_TTL_MS,
    }),
    executor: createRunExecutor({
      store,
      graphs,
      runConfig: options.runConfig,
      logger: options.logger,
      pollMs,
      leaseMs,
      flush: options.flush,
    }),
    join: createRunJoin({ store, pollMs }),
  };
}

export type LangGraphService = ReturnType<typeof createLangGraphService>;

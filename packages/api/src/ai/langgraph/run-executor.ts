/**
 * Executes a created run to its end, wherever it runs (the request that created it, or the
 * job queue's worker for a background run, which claims it first): renews its lease and reads
 * its cancel flag every `pollMs` (so a cancel from any container stops it), streams the graph's
 * events, stores them when the run is resumable, and writes the final statuses.
 */
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import type { RunConfigFactory } from '../runtime/run-config.ts';
import { findAssistant } from './assistants.ts';
import { createEventWriter } from './event-writer.ts';
import type { Graphs, PrimedCheckpoint } from './graphs.ts';
import type { LangGraphRunJob } from './jobs.ts';
import { graphEvents } from './run-graph.ts';
import type { Supersedes } from './runs.service.ts';
import type { LangGraphStore, LgRun, LgThread, StoredEvent } from './store.ts';

/** One event of a run, as the SSE stream and the event store carry it. */
export type RunEvent = StoredEvent;

export interface RunExecutorOptions {
  store: LangGraphStore;
  graphs: Graphs;
  runConfig: RunConfigFactory;
  logger: Logger;
  /** How often an executing run renews its lease and reads its cancel flag. */
  pollMs: number;
  /** How long a run's lease lasts without renewal. */
  leaseMs: number;
  /** Flushes traces once a run has ended. */
  flush(): Promise<void>;
}

export interface ExecuteSettings {
  /** Store every event (a resumable or background run). */
  store: boolean;
  requestId: string | null;
  /** Stops the run (the client went away without `on_disconnect: continue`). */
  signal?: AbortSignal;
  /** The thread's latest checkpoint, read while the run was created. */
  primed?: PrimedCheckpoint | null;
  /** The runs this one interrupted: the graph starts once they have stopped. */
  supersedes?: Supersedes;
}

export function createRunExecutor(options: RunExecutorOptions) {
  const { store, graphs, logger, pollMs, leaseMs } = options;

  /** Renews the run's lease every `pollMs`; aborts `controller` when a cancel was asked for. */
  function keepLease(runId: string, onCancel: () => void) {
    const timer = setInterval(() => {
      store.heartbeat(runId, leaseMs).then(
        (cancel) => {
          if (cancel) onCancel();
        },
        (error: unknown) => logger.warn('renewing a run lease failed', { err: error }),
      );
    }, pollMs);
    return () => clearInterval(timer);
  }

  /**
   * Waits (at most a lease) until the runs a new one interrupted have stopped, wherever they
   * execute, so two graphs never run on one thread; deletes them for rollback.
   */
  async function afterSuperseded({ runIds, rollback }: Supersedes, signal: AbortSignal) {
    const until = Date.now() + leaseMs;
    while (!signal.aborted && Date.now() < until && !(await store.runsStopped(runIds))) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, 100)));
    }
    if (rollback) await store.deleteRuns(runIds);
  }

  /**
   * Executes a created run to its end. `emit` receives every event as it happens (the live
   * stream). Never throws: a failure is the `error` event.
   */
  async function execute(
    run: LgRun,
    emit: (event: RunEvent) => Promise<void> | void,
    settings: ExecuteSettings,
  ): Promise<void> {
    const assistant = findAssistant(run.assistantId);
    const controller = new AbortController();
    const abort = () => controller.abort();
    settings.signal?.addEventListener('abort', abort, { once: true });
    const writer = settings.store ? createEventWriter(store, run.id, logger) : null;
    let seq = 0;
    const send = async (event: string, data: unknown) => {
      const item = { seq: seq++, event, data };
      writer?.push(item);
      try {
        await emit(item);
      } catch {
        // The live client went away; the run goes on (or stops through the signal).
      }
    };
    let cancelled = false;
    const stopLease = keepLease(run.id, () => {
      cancelled = true;
      controller.abort();
    });
    let status: LgRun['status'] = 'success';
    let threadStatus: LgThread['status'] = 'idle';
    try {
      if (!assistant) throw new ApiError(404, ERROR_CODES.NOT_FOUND, 'Assistant not found');
      await send('metadata', { run_id: run.id, attempt: 1 });
      if (settings.supersedes) await afterSuperseded(settings.supersedes, controller.signal);
      const events = graphEvents(options, run, assistant, controller.signal, {
        requestId: settings.requestId,
        primed: settings.primed ?? undefined,
      });
      for await (const [event, data] of events) {
        await send(event, data);
        if (controller.signal.aborted) break;
      }
      if (controller.signal.aborted) {
        status = 'interrupted';
      } else {
        const thread = { id: run.threadId, userId: run.userId, graphId: assistant.graph_id };
        if (await graphs.isInterrupted(thread)) threadStatus = 'interrupted';
      }
    } catch (error) {
      if (controller.signal.aborted) {
        status = 'interrupted';
        if (!cancelled) threadStatus = 'idle';
      } else {
        status = 'error';
        threadStatus = 'error';
        const known = error instanceof ApiError;
        if (!known) logger.error('a LangGraph run failed', { err: error, runId: run.id });
        await send('error', {
          error: known ? error.code : 'InternalServerError',
          message: known ? error.message : 'The run failed',
        });
      }
    } finally {
      stopLease();
      settings.signal?.removeEventListener('abort', abort);
      // A first model call sent early that the graph never took (it stopped before): aborted.
      if (settings.primed?.early?.discard()) {
        logger.warn('an early model request went unused', { runId: run.id });
      }
      await writer?.flush();
      // A reservation taken for a model call the run never made (settling twice does nothing).
      await settings.primed?.reservation?.then(
        (held) => held.settle(),
        () => undefined,
      );
      await store.finishRun(run, status, threadStatus);
      await options.flush().catch(() => {});
    }
  }

  return {
    execute,

    /**
     * Executes a queued background run once: it is claimed (`pending` to `running`, in one
     * statement) before anything else, so however long its job waited in the queue, only its
     * queued deadline counts. Another delivery of the same job finds it taken and does nothing;
     * a run whose worker died (its lease passed) or whose queued deadline passed is expired.
     */
    async executeQueued(job: LangGraphRunJob, signal: AbortSignal): Promise<void> {
      const run = await store.claimRun(job.userId, job.threadId, job.runId, leaseMs);
      if (!run) {
        await store.expireRuns(job.threadId);
        return;
      }
      await execute(run, () => {}, {
        store: true,
        requestId: job.requestId,
        signal,
        ...(job.supersedes ? { supersedes: job.supersedes } : {}),
      });
    },
  };
}

export type RunExecutor = ReturnType<typeof createRunExecutor>;

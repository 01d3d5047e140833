/**
 * Runs on a user's threads: creating one (the checks before anything runs, then the row that
 * holds the thread: one active run per thread, a unique index), reading, listing, cancelling.
 * A miss (another user's thread or run, or none) is `null`; the handler answers the 404.
 */
import type { CheckpointTuple } from '@langchain/langgraph-checkpoint';
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import { toApprovalDecision } from '../graphs/approval.ts';
import type { EarlyRequest } from '../runtime/request-gate.ts';
import type { BudgetReservation } from '../usage/budget.ts';
import type { UsageService } from '../usage/usage.service.ts';
import { type Assistant, CHAT_GRAPH } from './assistants.ts';
import type { Graphs, PrimedCheckpoint } from './graphs.ts';
import { graphInput, runModel, streamsTokens } from './run-graph.ts';
import { runView } from './run-view.ts';
import type { RunCreate } from './schemas.ts';
import type { LangGraphStore, LgRun, LgThread, NewRun } from './store.ts';

export interface RunsServiceOptions {
  store: LangGraphStore;
  graphs: Graphs;
  usage: Pick<UsageService, 'assertWithinBudget'>;
  /** How long a new run's lease lasts before its executor first renews it. */
  leaseMs: number;
  /**
   * How long a background run may wait in the job queue (`pending`) before it is failed:
   * long enough for a backlog, a delayed delivery and the retries' backoff.
   */
  queuedRunTtlMs: number;
}

export interface CreatedRun {
  run: LgRun;
  /** The thread's latest checkpoint, read while the run was created (a run executed now). */
  primed: PrimedCheckpoint | null;
  /** The runs it interrupted: it starts once they have stopped (and deletes them for rollback). */
  supersedes: Supersedes;
}

export interface Supersedes {
  runIds: string[];
  rollback: boolean;
}

/** Whether the run replaces a thread's active run rather than being refused (409). */
const replaces = (body: RunCreate) =>
  body.multitask_strategy === 'interrupt' || body.multitask_strategy === 'rollback';

interface RunRequest {
  userId: string;
  threadId: string;
  assistant: Assistant;
  body: RunCreate;
  now: boolean;
}

/** A run's first model call sent early (`Graphs.sendFirstCallEarly`). */
interface EarlyRun {
  request: EarlyRequest;
  /** The run's row is written (the thread's latest checkpoint then): the request may go. */
  written(checkpointId: string | null): void;
  /** The run was not created: nothing is sent. */
  cancel(): void;
}

const conflict = (message: string) => new ApiError(409, ERROR_CODES.CONFLICT, message);

const BUSY =
  'Thread is already running a task. Wait for it to finish or choose a different multitask strategy.';

export function createRunsService(options: RunsServiceOptions) {
  const { store, graphs, usage, leaseMs, queuedRunTtlMs } = options;
  /** 409 unless the thread waits on an interrupt; 422 for an approval resume that is no decision. */
  async function checkResume(thread: LgThread, assistant: Assistant, resume: unknown) {
    if (!thread.graphId || !(await graphs.isInterrupted(thread))) {
      throw conflict('Nothing is waiting to be resumed');
    }
    if (assistant.graph_id !== 'approval') return;
    try {
      toApprovalDecision(resume);
    } catch {
      throw new ApiError(
        422,
        ERROR_CODES.VALIDATION_FAILED,
        'The resume value must be {decisions: [{type: "approve" | "edit" | "reject", …}]} or {action: …}',
        { details: [{ location: 'body', path: 'command.resume', message: 'Not a decision' }] },
      );
    }
  }

  /** The checks that need the thread, then the run row; null when the thread is not the caller's. */
  async function insert(
    { userId, threadId, assistant, body, now }: RunRequest,
    withinBudget: Promise<unknown>,
    tuple: Promise<CheckpointTuple | undefined> | null,
    reservation: Promise<BudgetReservation> | null,
    early: EarlyRun | null,
  ): Promise<CreatedRun | null> {
    if (body.command?.resume !== undefined) {
      const thread = await store.findThread(userId, threadId);
      if (!thread) return null;
      await checkResume(thread, assistant, body.command.resume);
    }
    const values: NewRun = {
      threadId,
      userId,
      assistantId: assistant.assistant_id,
      graphId: assistant.graph_id,
      status: now ? 'running' : 'pending',
      metadata: body.metadata ?? {},
      kwargs: { ...body, assistant_id: assistant.assistant_id } as Record<string, unknown>,
      multitaskStrategy: body.multitask_strategy ?? 'reject',
      // A queued run has no executor to renew its lease until a worker takes it.
      leaseMs: now ? leaseMs : queuedRunTtlMs,
    };
    let started = await store.startRun(values);
    if (!started.thread && body.if_not_exists === 'create') {
      if (await store.threadExists(threadId)) return null;
      await store.createThread(userId, { id: threadId });
      started = await store.startRun(values);
    }
    const { thread } = started;
    if (!thread) return null;
    if (thread.graphId && thread.graphId !== assistant.graph_id) {
      throw conflict(`The thread runs the ${thread.graphId} graph, not ${assistant.graph_id}`);
    }
    let superseded: string[] = [];
    if (!started.run) {
      // interrupt / rollback: the active run stops for this one. Otherwise the thread may be
      // held by a run whose worker died: expire it. Then try once more.
      if (replaces(body)) superseded = await store.supersedeRuns(userId, threadId);
      else await store.expireRuns(threadId);
      started = await store.startRun(values);
    }
    const { run } = started;
    if (!run) throw conflict(BUSY);
    // The row holds the thread: an early first call may go once the reservation is taken too
    // (there is none for a run that replaces another).
    early?.written(started.checkpointId);
    try {
      await withinBudget;
    } catch (error) {
      await store.abandonRun(run, thread.status);
      throw error;
    }
    const primed = tuple
      ? {
          threadId,
          tuple,
          expectedId: started.checkpointId,
          reservation,
          early: early?.request ?? null,
        }
      : null;
    const supersedes = { runIds: superseded, rollback: body.multitask_strategy === 'rollback' };
    return { run, primed, supersedes };
  }

  /** A chat run's first model call sent early: it goes once `written` is called. */
  function earlyRun(
    userId: string,
    body: RunCreate,
    tuple: Promise<CheckpointTuple | undefined>,
    reservation: Promise<BudgetReservation>,
  ): EarlyRun | null {
    let written: (checkpointId: string | null) => void = () => {};
    let cancel: () => void = () => {};
    const expectedId = new Promise<string | null>((resolve, reject) => {
      written = resolve;
      cancel = () => reject(new Error('the run was not created'));
    });
    expectedId.catch(() => {});
    const request = graphs.sendFirstCallEarly({
      userId,
      model: runModel(body),
      input: body.input,
      tuple,
      expectedId,
      gate: Promise.all([reservation, expectedId]),
    });
    return request ? { request, written, cancel } : null;
  }

  return {
    /**
     * Checks and creates a run of `assistant` (null: no such thread of the caller's; 409 busy
     * thread, another graph's thread or nothing to resume; 422 bad input; 429 budget),
     * stamping the thread's graph into its metadata on its first run. With `now` the run is
     * created running (its executor starts it at once) and its thread's latest checkpoint is
     * read beside the statement that creates it.
     */
    async create(
      userId: string,
      threadId: string,
      assistant: Assistant,
      body: RunCreate,
      now: boolean,
    ): Promise<CreatedRun | null> {
      const request = { userId, threadId, assistant, body, now };
      // Validated first, so that a bad input is a 422 before anything is written.
      if (body.multitask_strategy === 'enqueue') {
        throw new ApiError(
          422,
          ERROR_CODES.VALIDATION_FAILED,
          'multitask_strategy "enqueue" is not supported: use reject, interrupt or rollback',
          {
            details: [
              { location: 'body', path: 'multitask_strategy', message: 'enqueue is not supported' },
            ],
          },
        );
      }
      if (!body.command) graphInput(graphs.models, assistant, body.input);
      const fork = body.checkpoint?.checkpoint_id ?? body.checkpoint_id;
      const tuple = now && !fork ? graphs.readLatest(threadId) : null;
      // A chat run started now takes its first model call's reservation beside its creation:
      // that is its budget check (429 when over).
      const reservation =
        tuple && assistant.graph_id === CHAT_GRAPH && !body.command
          ? graphs.reserveFirstCall(userId, tuple, body.input)
          : null;
      const withinBudget = reservation ?? usage.assertWithinBudget(userId);
      withinBudget.catch(() => {});
      // A chat run that streams tokens sends its first model call as soon as its row is
      // written and its reservation taken, while the graph starts (never for a run that
      // replaces another: that one may still change the thread).
      const early =
        tuple && reservation && streamsTokens(body) && !replaces(body)
          ? earlyRun(userId, body, tuple, reservation)
          : null;
      const release = async () => {
        early?.cancel();
        await reservation?.then(
          (held) => held.settle(),
          () => undefined,
        );
      };
      try {
        const run = await insert(request, withinBudget, tuple, reservation, early);
        if (!run) await release();
        return run;
      } catch (error) {
        await release();
        throw error;
      }
    },

    /**
     * Fails a background run whose job could not be queued, freeing its thread at once rather
     * than at its queued deadline.
     */
    unqueued: (run: LgRun) => store.finishRun(run, 'error', 'error'),

    get: (userId: string, threadId: string, runId: string) =>
      store.findRun(userId, threadId, runId),

    /** The thread's runs, newest first; null when the thread is not the caller's. */
    async list(
      userId: string,
      threadId: string,
      page: { limit: number; offset: number; status?: string },
    ) {
      if (!(await store.findThread(userId, threadId))) return null;
      return (await store.listRuns(userId, threadId, page)).map(runView);
    },

    /** Asks the run to stop, wherever it executes; null when it is not the caller's. */
    cancel: (userId: string, threadId: string, runId: string) =>
      store.requestCancel(userId, threadId, runId),
  };
}

export type RunsService = ReturnType<typeof createRunsService>;

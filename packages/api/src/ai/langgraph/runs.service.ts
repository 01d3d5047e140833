/**
 * Runs on a user's threads: creating one (the checks before anything runs, then the row that
 * holds the thread: one active run per thread, a unique index), reading, listing, cancelling.
 * A miss (another user's thread or run, or none) is `null`; the handler answers the 404.
 */
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import { toApprovalDecision } from '../graphs/approval.ts';
import type { UsageService } from '../usage/usage.service.ts';
import type { Assistant } from './assistants.ts';
import type { Graphs } from './graphs.ts';
import { graphInput } from './run-graph.ts';
import { runView } from './run-view.ts';
import type { RunCreate } from './schemas.ts';
import type { LangGraphStore, LgRun, LgThread } from './store.ts';

export interface RunsServiceOptions {
  store: LangGraphStore;
  graphs: Graphs;
  usage: Pick<UsageService, 'assertWithinBudget'>;
  /** How long a new run's lease lasts before its executor first renews it. */
  leaseMs: number;
}

const conflict = (message: string) => new ApiError(409, ERROR_CODES.CONFLICT, message);

const BUSY =
  'Thread is already running a task. Wait for it to finish or choose a different multitask strategy.';

export function createRunsService({ store, graphs, usage, leaseMs }: RunsServiceOptions) {
  /** The caller's thread; with `if_not_exists: create`, created when no one has that id. */
  async function threadFor(userId: string, threadId: string, body: RunCreate) {
    const thread = await store.findThread(userId, threadId);
    if (thread || body.if_not_exists !== 'create') return thread;
    if (await store.threadExists(threadId)) return null;
    await store.createThread(userId, { id: threadId });
    return store.findThread(userId, threadId);
  }

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

  return {
    /**
     * Checks and creates a run of `assistant` (null: no such thread of the caller's; 409 busy
     * thread, another graph's thread or nothing to resume; 422 bad input; 429 budget),
     * stamping the thread's graph into its metadata on its first run.
     */
    async create(
      userId: string,
      threadId: string,
      assistant: Assistant,
      body: RunCreate,
    ): Promise<LgRun | null> {
      const withinBudget = usage.assertWithinBudget(userId);
      withinBudget.catch(() => {});
      const thread = await threadFor(userId, threadId, body);
      if (!thread) return null;
      if (thread.graphId && thread.graphId !== assistant.graph_id) {
        throw conflict(`The thread runs the ${thread.graphId} graph, not ${assistant.graph_id}`);
      }
      if (body.command?.resume !== undefined) {
        await checkResume(thread, assistant, body.command.resume);
      }
      await withinBudget;
      // Validated now, so that a bad input is a 422 before anything runs.
      if (!body.command) graphInput(graphs.models, assistant, body.input);
      const values = {
        threadId,
        userId,
        assistantId: assistant.assistant_id,
        metadata: body.metadata ?? {},
        kwargs: { ...body, assistant_id: assistant.assistant_id } as Record<string, unknown>,
        multitaskStrategy: body.multitask_strategy ?? 'reject',
        leaseMs,
      };
      // A busy thread may be held by a run whose worker died: expire it, then try once more.
      let run = await store.createRun(values);
      if (!run) {
        await store.expireRuns(threadId);
        run = await store.createRun(values);
      }
      if (!run) throw conflict(BUSY);
      const stamp: Record<string, unknown> = {};
      if (thread.metadata.graph_id === undefined) stamp.graph_id = assistant.graph_id;
      if (thread.metadata.assistant_id === undefined) stamp.assistant_id = assistant.assistant_id;
      await store.updateThread(userId, threadId, {
        status: 'busy',
        graphId: assistant.graph_id,
        ...(Object.keys(stamp).length > 0 ? { metadata: stamp } : {}),
      });
      return run;
    },

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

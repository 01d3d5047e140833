/**
 * The compiled graph behind an assistant, for one user: the chat graph binds that user's
 * tools; the workflows are compiled once. Threads and runs reach LangGraph only through here.
 */

import type { RunnableConfig } from '@langchain/core/runnables';
import type { CompiledStateGraph } from '@langchain/langgraph';
import type { BaseCheckpointSaver, CheckpointTuple } from '@langchain/langgraph-checkpoint';
import type { Retrieval } from '../../files/retrieval.ts';
import type { Database } from '../../lib/db/index.ts';
import type { GraphContext } from '../graphs/context.ts';
import { compileWorkflows } from '../graphs/registry.ts';
import type { ModelRegistry } from '../runtime/models.ts';
import { buildTools, TOOL_NAMES } from '../tools/index.ts';
import type { BudgetReservation } from '../usage/budget.ts';
import type { UsageService } from '../usage/usage.service.ts';
import { CHAT_GRAPH } from './assistants.ts';
import { buildChatGraph, firstPromptTokens } from './chat-graph.ts';
import { interruptsOf, type ThreadStateView, toStateView } from './state-view.ts';
import type { LgThread } from './store.ts';

export type AnyGraph = CompiledStateGraph<Record<string, unknown>, Record<string, unknown>, string>;

export interface GraphsOptions {
  db: Database;
  checkpointer: BaseCheckpointSaver;
  models: ModelRegistry;
  usage: UsageService;
  fetchAllowedHosts: readonly string[];
  fetchTimeoutMs: number;
  /** Document search for the chat graph's search_documents tool; absent: no such tool. */
  documents?: Retrieval;
}

/** What addresses a thread's graph and checkpoints. */
export type GraphThread = Pick<LgThread, 'id' | 'userId' | 'graphId'>;

/** The configurable that addresses a thread's checkpoints (its latest, or `checkpointId`). */
export const threadConfig = (threadId: string, checkpointId?: string | null): RunnableConfig => ({
  configurable: {
    thread_id: threadId,
    checkpoint_ns: '',
    ...(checkpointId ? { checkpoint_id: checkpointId } : {}),
  },
});

/**
 * A thread's latest checkpoint read ahead, while its run was being created. Used only if it
 * is the checkpoint that was latest when the run row was written (no run can write one after
 * that until this run ends): otherwise the graph reads it again.
 */
export interface PrimedCheckpoint {
  threadId: string;
  tuple: Promise<CheckpointTuple | undefined>;
  /** The latest checkpoint id read with the run's creation (null: none). */
  expectedId: string | null;
  /** The chat graph's first model call's reservation, taken beside the run's creation. */
  reservation?: Promise<BudgetReservation> | null;
}

/** `saver`, except that its first read of the thread's latest checkpoint is `primed`'s. */
function primedSaver(saver: BaseCheckpointSaver, primed: PrimedCheckpoint): BaseCheckpointSaver {
  let used = false;
  async function getTuple(config: RunnableConfig) {
    const configurable = config.configurable ?? {};
    const latest =
      !used &&
      configurable.thread_id === primed.threadId &&
      (configurable.checkpoint_ns ?? '') === '' &&
      !configurable.checkpoint_id;
    used = true;
    if (latest) {
      const tuple = await primed.tuple.catch(() => undefined);
      if ((tuple?.checkpoint.id ?? null) === primed.expectedId) return tuple;
    }
    return saver.getTuple(config);
  }
  return new Proxy(saver, {
    get(target, property) {
      if (property === 'getTuple') return getTuple;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function createGraphs(options: GraphsOptions) {
  const { db, checkpointer, models, usage } = options;
  const context: GraphContext = { db, models, usage };
  const workflowOf = compileWorkflows(context, checkpointer);

  /**
   * The compiled graph of `graphId` for `userId` (the chat graph binds the user's tools and
   * is compiled per run, so it can start from a `primed` checkpoint).
   */
  function graphOf(
    graphId: string,
    userId: string,
    model?: string,
    primed?: PrimedCheckpoint,
  ): AnyGraph {
    if (graphId !== CHAT_GRAPH) return workflowOf(graphId);
    const tools = buildTools(TOOL_NAMES, {
      db,
      userId,
      fetchAllowedHosts: options.fetchAllowedHosts,
      fetchTimeoutMs: options.fetchTimeoutMs,
      ...(options.documents ? { documents: options.documents } : {}),
    });
    const held = primed?.reservation ?? undefined;
    return buildChatGraph({ models, usage, tools, userId, model, held }).compile({
      checkpointer: primed ? primedSaver(checkpointer, primed) : checkpointer,
      name: CHAT_GRAPH,
    }) as unknown as AnyGraph;
  }

  const threadGraph = (thread: GraphThread) => graphOf(thread.graphId ?? CHAT_GRAPH, thread.userId);

  /** The thread's state, at its latest checkpoint or at `checkpointId`. */
  async function stateOf(
    thread: GraphThread,
    checkpointId?: string | null,
  ): Promise<ThreadStateView> {
    return toStateView(await threadGraph(thread).getState(threadConfig(thread.id, checkpointId)));
  }

  return {
    models,
    checkpointer,
    graphOf,
    threadGraph,
    stateOf,
    /** Starts reading the thread's latest checkpoint (for `PrimedCheckpoint.tuple`). */
    readLatest(threadId: string): Promise<CheckpointTuple | undefined> {
      const read = checkpointer.getTuple(threadConfig(threadId));
      read.catch(() => {});
      return read;
    },
    /** Reserves the budget of a chat run's first model call once `tuple` is read (its 429 when over). */
    reserveFirstCall(
      userId: string,
      tuple: Promise<CheckpointTuple | undefined>,
      input: unknown,
    ): Promise<BudgetReservation> {
      const reservation = tuple.then((read) =>
        usage.reserve(userId, firstPromptTokens(read, input)),
      );
      reservation.catch(() => {});
      return reservation;
    },
    /** Whether the thread's latest state waits on an interrupt. */
    async isInterrupted(thread: GraphThread): Promise<boolean> {
      return interruptsOf(await stateOf(thread)).length > 0;
    },
  };
}

export type Graphs = ReturnType<typeof createGraphs>;

/**
 * The compiled graph behind an assistant, for one user: the chat graph binds that user's
 * tools; the workflows are compiled once. Threads and runs reach LangGraph only through here.
 */
import type { RunnableConfig } from '@langchain/core/runnables';
import type { CompiledStateGraph } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import type { Database } from '../../lib/db/index.ts';
import type { GraphContext } from '../graphs/context.ts';
import { compileWorkflows } from '../graphs/registry.ts';
import type { ModelRegistry } from '../runtime/models.ts';
import { buildTools, TOOL_NAMES } from '../tools/index.ts';
import type { UsageService } from '../usage/usage.service.ts';
import { CHAT_GRAPH } from './assistants.ts';
import { buildChatGraph } from './chat-graph.ts';
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

export function createGraphs(options: GraphsOptions) {
  const { db, checkpointer, models, usage } = options;
  const context: GraphContext = { db, models, usage };
  const workflowOf = compileWorkflows(context, checkpointer);

  /** The compiled graph of `graphId` for `userId` (the chat graph binds the user's tools). */
  function graphOf(graphId: string, userId: string, model?: string): AnyGraph {
    if (graphId !== CHAT_GRAPH) return workflowOf(graphId);
    const tools = buildTools(TOOL_NAMES, {
      db,
      userId,
      fetchAllowedHosts: options.fetchAllowedHosts,
      fetchTimeoutMs: options.fetchTimeoutMs,
    });
    return buildChatGraph({ models, usage, tools, userId, model }).compile({
      checkpointer,
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
    /** Whether the thread's latest state waits on an interrupt. */
    async isInterrupted(thread: GraphThread): Promise<boolean> {
      return interruptsOf(await stateOf(thread)).length > 0;
    },
  };
}

export type Graphs = ReturnType<typeof createGraphs>;

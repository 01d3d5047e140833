/**
 * The compiled graph behind an assistant, for one user: the chat graph binds that user's
 * tools; the workflows are compiled once. Threads and runs reach LangGraph only through here.
 */

import type { BaseMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import { type CompiledStateGraph, type Messages, messagesStateReducer } from '@langchain/langgraph';
import type { BaseCheckpointSaver, CheckpointTuple } from '@langchain/langgraph-checkpoint';
import { LRUCache } from 'lru-cache';
import type { Retrieval } from '../../files/retrieval.ts';
import type { Database } from '../../lib/db/index.ts';
import type { GraphContext } from '../graphs/context.ts';
import { compileWorkflows } from '../graphs/registry.ts';
import type { ModelRegistry } from '../runtime/models.ts';
import { createEarlyRequest, type EarlyRequest } from '../runtime/request-gate.ts';
import { buildTools, TOOL_NAMES } from '../tools/index.ts';
import type { BudgetReservation } from '../usage/budget.ts';
import type { UsageService } from '../usage/usage.service.ts';
import { CHAT_GRAPH } from './assistants.ts';
import {
  buildChatGraph,
  type ChatModelParts,
  chatModelParts,
  firstPromptTokens,
  sendFirstCallEarly,
} from './chat-graph.ts';
import { interruptsOf, type ThreadStateView, toStateView } from './state-view.ts';
import type { LgThread } from './store.ts';

/** Users whose bound chat tools are kept between runs (per model). */
const CHAT_PARTS_KEPT = 500;

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
  /** The chat graph's first model call, sent early (`Graphs.sendFirstCallEarly`). */
  early?: EarlyRequest | null;
}

/**
 * The first call's messages after the system prompt: the checkpoint `tuple`'s plus the
 * input's, as the graph's reducer combines them. Null when the input has none.
 */
async function firstCallMessages(
  tuple: Promise<CheckpointTuple | undefined>,
  input: unknown,
): Promise<BaseMessage[] | null> {
  const read = await tuple;
  const sent = (input as { messages?: Messages } | null)?.messages;
  if (sent === undefined) return null;
  const history = (read?.checkpoint.channel_values.messages ?? []) as BaseMessage[];
  try {
    return messagesStateReducer(history, sent);
  } catch {
    return null;
  }
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
  // A user's tools bound to a model, kept for the user's next runs (binding converts every
  // tool's schema; the tools hold nothing of a run). A miss (the model resolved) throws its 422.
  const chatParts = new LRUCache<string, ChatModelParts>({ max: CHAT_PARTS_KEPT });
  function chatPartsOf(userId: string, model?: string): ChatModelParts {
    const key = `${userId}\u0000${model ?? ''}`;
    let parts = chatParts.get(key);
    if (!parts) {
      const tools = buildTools(TOOL_NAMES, {
        db,
        userId,
        fetchAllowedHosts: options.fetchAllowedHosts,
        fetchTimeoutMs: options.fetchTimeoutMs,
        ...(options.documents ? { documents: options.documents } : {}),
      });
      parts = chatModelParts(models, tools, model);
      chatParts.set(key, parts);
    }
    return parts;
  }

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
    const held = primed?.reservation ?? undefined;
    const early = primed?.early ?? undefined;
    const parts = chatPartsOf(userId, model);
    return buildChatGraph({ parts, usage, userId, held, early }).compile({
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
    /**
     * Sends the first model call of a chat run on `threadId` early, once `gate` resolves
     * (the run's reservation taken and its row written, with the latest checkpoint id then,
     * `expectedId`): its prompt is the checkpoint `tuple` read meanwhile plus `input`'s
     * messages. Returns the request for the run's graph to take (see `request-gate.ts`).
     */
    sendFirstCallEarly(run: {
      userId: string;
      model: string | undefined;
      input: unknown;
      tuple: Promise<CheckpointTuple | undefined>;
      expectedId: Promise<string | null>;
      gate: Promise<unknown>;
    }): EarlyRequest | null {
      let parts: ChatModelParts;
      try {
        parts = chatPartsOf(run.userId, run.model);
      } catch {
        return null; // An unknown model: the run fails as it would have.
      }
      const request = createEarlyRequest();
      // Built from the checkpoint as soon as it is read; sent only if it was the latest when
      // the run's row was written (else the graph reads the thread again and asks for its own).
      const messages = firstCallMessages(run.tuple, run.input);
      messages.catch(() => {});
      const current = Promise.all([run.gate, run.tuple, run.expectedId]).then(
        ([, read, expectedId]) => {
          if ((read?.checkpoint.id ?? null) !== expectedId) {
            throw new Error('the checkpoint read is not the latest');
          }
        },
      );
      current.catch(() => {});
      sendFirstCallEarly(parts, request, current, messages);
      return request;
    },
    /** Whether the thread's latest state waits on an interrupt. */
    async isInterrupted(thread: GraphThread): Promise<boolean> {
      return interruptsOf(await stateOf(thread)).length > 0;
    },
  };
}

export type Graphs = ReturnType<typeof createGraphs>;

/**
 * The LangGraph Platform API's service: threads a user owns, runs of the registered graphs on
 * them, and the events each run streams.
 *
 * A run is a row (`lg_runs`, one active per thread, a unique index) executed by `execute`,
 * wherever it runs (the request that created it, or the job queue's worker for background
 * runs). The executing loop renews the run's lease and reads its cancel flag every `pollMs`,
 * so a cancel from any container stops it; a run whose lease has passed belonged to a worker
 * that died and is marked failed when read. A resumable or background run stores each event
 * (`lg_run_events`, numbered from 0): joining replays them from the database and follows the
 * run until it ends, from any container.
 */

import type { RunnableConfig } from '@langchain/core/runnables';
import {
  Command,
  type CompiledStateGraph,
  GraphRecursionError,
  type StateSnapshot,
} from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import type { Retrieval } from '../../files/retrieval.ts';
import type { Database } from '../../lib/db/index.ts';
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { toApprovalDecision } from '../graphs/approval.ts';
import type { GraphContext } from '../graphs/context.ts';
import { compileWorkflows, findWorkflow } from '../graphs/registry.ts';
import type { ModelRegistry } from '../runtime/models.ts';
import type { RunConfigFactory } from '../runtime/run-config.ts';
import { buildTools, TOOL_NAMES } from '../tools/index.ts';
import type { UsageService } from '../usage/usage.service.ts';
import { type Assistant, CHAT_GRAPH, findAssistant } from './assistants.ts';
import { buildChatGraph } from './chat-graph.ts';
import type { RunCreate, StreamMode } from './schemas.ts';
import { plain } from './serialize.ts';
import {
  createLangGraphStore,
  LAST_SEQ,
  type LgRun,
  type LgThread,
  type ThreadSearch,
} from './store.ts';

export type { LgRun, LgThread } from './store.ts';

/** Supersteps one run may take (LangGraph's recursion limit). */
export const RUN_STEP_LIMIT = 25;

type AnyGraph = CompiledStateGraph<Record<string, unknown>, Record<string, unknown>, string>;

/** One event of a run, as the SSE stream and the event store carry it. */
export interface RunEvent {
  seq: number;
  event: string;
  data: unknown;
}

export interface CheckpointRef {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string | null;
}

export interface ThreadStateView {
  values: unknown;
  next: string[];
  tasks: Array<{
    id: string;
    name: string;
    path?: unknown;
    error: string | null;
    interrupts: unknown[];
    checkpoint: null;
    state: null;
    result?: unknown;
  }>;
  metadata: unknown;
  created_at: string | null;
  checkpoint: CheckpointRef;
  parent_checkpoint: CheckpointRef | null;
  checkpoint_id: string | null;
  parent_checkpoint_id: string | null;
}

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
  /** Flushes traces once a run has ended. */
  flush(): Promise<void>;
}

const notFound = (what: string) => new ApiError(404, ERROR_CODES.NOT_FOUND, `${what} not found`);

/** Keys of `config.configurable` that name a user: always the real caller. */
const USER_KEY = /user/i;

const TERMINAL = new Set(['success', 'error', 'timeout', 'interrupted']);

export function createLangGraphService(options: LangGraphServiceOptions) {
  const { db, checkpointer, models, usage, logger } = options;
  const pollMs = options.pollMs ?? 1_000;
  const leaseMs = options.leaseMs ?? 60_000;
  const store = createLangGraphStore(db);
  const context: GraphContext = { db, models, usage };
  const workflowOf = compileWorkflows(context, checkpointer);
  /** The thread each run just created was read with (saves a query when it executes here). */
  const threads = new WeakMap<LgRun, LgThread>();

  /** The compiled graph of `graphId` for `userId` (the chat graph binds the user's tools). */
  function graphOf(graphId: string, userId: string, model?: string): AnyGraph {
    if (graphId === CHAT_GRAPH) {
      const tools = buildTools(TOOL_NAMES, {
        db,
        userId,
        fetchAllowedHosts: options.fetchAllowedHosts,
        fetchTimeoutMs: options.fetchTimeoutMs,
        ...(options.documents ? { documents: options.documents } : {}),
      });
      return buildChatGraph({ models, usage, tools, userId, model }).compile({
        checkpointer,
        name: CHAT_GRAPH,
      }) as unknown as AnyGraph;
    }
    return workflowOf(graphId);
  }

  const threadGraph = (thread: LgThread) => graphOf(thread.graphId ?? CHAT_GRAPH, thread.userId);

  const threadConfig = (thread: LgThread, checkpointId?: string | null): RunnableConfig => ({
    configurable: {
      thread_id: thread.id,
      checkpoint_ns: '',
      ...(checkpointId ? { checkpoint_id: checkpointId } : {}),
    },
  });

  async function ownedThread(userId: string, threadId: string): Promise<LgThread> {
    const thread = await store.findThread(userId, threadId);
    if (!thread) throw notFound('Thread');
    return thread;
  }

  function toState(snapshot: StateSnapshot): ThreadStateView {
    const ref = (config: RunnableConfig | undefined): CheckpointRef | null => {
      const configurable = config?.configurable;
      if (!configurable?.checkpoint_id) return null;
      return {
        thread_id: String(configurable.thread_id),
        checkpoint_ns: String(configurable.checkpoint_ns ?? ''),
        checkpoint_id: String(configurable.checkpoint_id),
      };
    };
    const checkpoint = ref(snapshot.config) ?? {
      thread_id: String(snapshot.config.configurable?.thread_id ?? ''),
      checkpoint_ns: '',
      checkpoint_id: null,
    };
    const parent = ref(snapshot.parentConfig);
    return {
      values: plain(snapshot.values ?? {}),
      next: [...snapshot.next],
      tasks: snapshot.tasks.map((task) => ({
        id: task.id,
        name: task.name,
        path: plain(task.path),
        error: task.error
          ? String((task.error as { message?: string }).message ?? task.error)
          : null,
        interrupts: plain(task.interrupts ?? []) as unknown[],
        checkpoint: null,
        state: null,
        ...(task.result !== undefined ? { result: plain(task.result) } : {}),
      })),
      metadata: plain(snapshot.metadata ?? {}),
      created_at: snapshot.createdAt ?? null,
      checkpoint,
      parent_checkpoint: parent,
      checkpoint_id: checkpoint.checkpoint_id,
      parent_checkpoint_id: parent?.checkpoint_id ?? null,
    };
  }

  const interruptsOf = (state: ThreadStateView) => state.tasks.flatMap((task) => task.interrupts);

  async function stateOf(thread: LgThread, checkpointId?: string | null) {
    return toState(await threadGraph(thread).getState(threadConfig(thread, checkpointId)));
  }

  async function threadView(thread: LgThread, withValues = true) {
    const state = withValues && thread.graphId ? await stateOf(thread) : null;
    const interrupts: Record<string, unknown[]> = {};
    for (const task of state?.tasks ?? []) {
      if (task.interrupts.length > 0) interrupts[task.id] = task.interrupts;
    }
    return {
      thread_id: thread.id,
      created_at: thread.createdAt.toISOString(),
      updated_at: thread.updatedAt.toISOString(),
      metadata: thread.metadata,
      status: thread.status,
      config: {},
      values: state?.values ?? null,
      interrupts,
    };
  }

  const runView = (run: LgRun) => ({
    run_id: run.id,
    thread_id: run.threadId,
    assistant_id: run.assistantId,
    created_at: run.createdAt.toISOString(),
    updated_at: run.updatedAt.toISOString(),
    status: run.status,
    metadata: run.metadata,
    kwargs: run.kwargs,
    multitask_strategy: run.multitaskStrategy,
  });

  /** The run's input: its own schema for a workflow, or `{messages}` as Agent Chat UI sends. */
  function graphInput(assistant: Assistant, input: unknown): unknown {
    if (assistant.graph_id === CHAT_GRAPH || input === null || input === undefined) return input;
    const workflow = findWorkflow(assistant.graph_id);
    if (!workflow) return input;
    const parsed = workflow.inputSchema.safeParse(input);
    const resolved = (data: unknown) =>
      workflow.initialState(data, models.resolve((data as { model?: string }).model).name);
    if (parsed.success) return resolved(parsed.data);
    const messages = (input as { messages?: unknown }).messages;
    if (Array.isArray(messages) && messages.length > 0) {
      const text = contentText((messages.at(-1) as { content?: unknown })?.content);
      const field = assistant.graph_id === 'plan-execute' ? 'goal' : 'topic';
      const fromMessages = workflow.inputSchema.safeParse({ [field]: text });
      if (fromMessages.success) return resolved(fromMessages.data);
    }
    throw new ApiError(422, ERROR_CODES.VALIDATION_FAILED, 'The input does not match the graph', {
      details: parsed.error.issues.map((issue) => ({
        location: 'body',
        path: ['input', ...issue.path.map(String)].join('.'),
        message: issue.message,
      })),
    });
  }

  /** Runs the run's graph, yielding `[event, data]` pairs in the Platform API's names. */
  async function* graphEvents(
    run: LgRun,
    thread: LgThread,
    assistant: Assistant,
    signal: AbortSignal,
    requestId: string | null,
  ): AsyncGenerator<[string, unknown]> {
    const body = run.kwargs as RunCreate;
    const requested = body.stream_mode ?? ['values'];
    const modes = [...new Set((Array.isArray(requested) ? requested : [requested]).map(modeOf))];
    const native = modes.filter((mode) => mode !== 'events');
    const clientConfigurable = Object.fromEntries(
      Object.entries(body.config?.configurable ?? {}).filter(([key]) => !USER_KEY.test(key)),
    );
    const checkpointId = body.checkpoint?.checkpoint_id ?? body.checkpoint_id ?? undefined;
    const graph = graphOf(assistant.graph_id, run.userId, modelName(clientConfigurable.model));
    const config = {
      ...options.runConfig({
        userId: run.userId,
        requestId,
        signal,
        runName: assistant.graph_id,
        tags: ['langgraph'],
        metadata: { run_id: run.id, thread_id: thread.id, assistant_id: assistant.assistant_id },
      }),
      configurable: {
        ...clientConfigurable,
        thread_id: thread.id,
        checkpoint_ns: '',
        user_id: run.userId,
        run_id: run.id,
        ...(checkpointId ? { checkpoint_id: checkpointId } : {}),
      },
      context: body.context ?? undefined,
      recursionLimit: RUN_STEP_LIMIT,
      streamMode: native.length > 0 ? native : ['values'],
      subgraphs: body.stream_subgraphs ?? false,
      ...(body.interrupt_before ? { interruptBefore: body.interrupt_before } : {}),
      ...(body.interrupt_after ? { interruptAfter: body.interrupt_after } : {}),
    };
    const command = body.command;
    const input = command
      ? new Command({
          ...(command.resume !== undefined ? { resume: command.resume } : {}),
          ...(command.update !== undefined
            ? { update: command.update as Record<string, unknown> }
            : {}),
          ...(command.goto !== undefined ? { goto: command.goto as string } : {}),
        })
      : graphInput(assistant, body.input);
    try {
      const stream = await graph.stream(input as never, config as never);
      for await (const chunk of stream as AsyncIterable<unknown[]>) {
        const [namespace, mode, data] = (config.subgraphs ? chunk : [[], ...chunk]) as [
          string[],
          string,
          unknown,
        ];
        const name = namespace.length > 0 ? `${mode}|${namespace.join('|')}` : mode;
        yield [name, plain(data)];
      }
    } catch (error) {
      if (error instanceof GraphRecursionError) {
        throw new ApiError(
          422,
          ERROR_CODES.STEP_LIMIT_EXCEEDED,
          `The run did not finish within ${RUN_STEP_LIMIT} steps`,
        );
      }
      throw error;
    }
  }

  /**
   * Executes a created run to its end: statuses, lease, cancel flag, stored events. `emit`
   * receives every event as it happens (the live stream); events are stored when the run is
   * resumable or runs in the background. Never throws: a failure is the `error` event.
   */
  async function execute(
    run: LgRun,
    emit: (event: RunEvent) => Promise<void> | void,
    settings: {
      store: boolean;
      requestId: string | null;
      signal?: AbortSignal;
      /** The run's thread, when the caller has just read it. */
      thread?: LgThread;
    },
  ): Promise<void> {
    const thread =
      settings.thread ?? threads.get(run) ?? (await store.findThread(run.userId, run.threadId));
    const assistant = findAssistant(run.assistantId);
    const controller = new AbortController();
    const abort = () => controller.abort();
    settings.signal?.addEventListener('abort', abort, { once: true });
    let seq = 0;
    // Events are stored in batches: whatever arrived while the previous insert ran goes in
    // the next one, so a fast stream costs a few statements, not one per event.
    const queued: RunEvent[] = [];
    let pending: Promise<void> = Promise.resolve();
    let writing = false;
    const drain = async () => {
      writing = true;
      try {
        while (queued.length > 0) {
          const batch = queued.splice(0, 500);
          await store.appendEvents(run.id, batch).catch((error: unknown) => {
            logger.error('storing run events failed', { err: error, runId: run.id });
          });
        }
      } finally {
        writing = false;
      }
    };
    let cancelled = false;
    const send = async (event: string, data: unknown) => {
      const item = { seq: seq++, event, data };
      if (settings.store) {
        queued.push(item);
        if (!writing) pending = drain();
      }
      try {
        await emit(item);
      } catch {
        // The live client went away; the run goes on (or stops through the signal).
      }
    };
    const timer = setInterval(() => {
      store.heartbeat(run.id, leaseMs).then(
        (cancel) => {
          if (cancel) {
            cancelled = true;
            controller.abort();
          }
        },
        (error: unknown) => logger.warn('renewing a run lease failed', { err: error }),
      );
    }, pollMs);
    let running: Promise<void> = Promise.resolve();
    let status: LgRun['status'] = 'success';
    let threadStatus: LgThread['status'] = 'idle';
    try {
      if (!thread || !assistant) throw notFound('Thread');
      // Marked running while the graph starts: awaited before the final status is written.
      running = store.setRunStatus(run.id, 'running', leaseMs);
      await send('metadata', { run_id: run.id, attempt: 1 });
      for await (const [event, data] of graphEvents(
        run,
        thread,
        assistant,
        controller.signal,
        settings.requestId,
      )) {
        await send(event, data);
        if (controller.signal.aborted) break;
      }
      if (controller.signal.aborted) {
        status = 'interrupted';
      } else {
        const state = await stateOf({ ...thread, graphId: assistant.graph_id });
        if (interruptsOf(state).length > 0) threadStatus = 'interrupted';
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
      clearInterval(timer);
      settings.signal?.removeEventListener('abort', abort);
      await pending;
      if (queued.length > 0) await drain();
      await running.catch(() => {});
      await store.setRunStatus(run.id, status);
      if (thread) await store.updateThread(run.userId, thread.id, { status: threadStatus });
      await options.flush().catch(() => {});
    }
  }

  return {
    store,
    runView,
    threadView,
    execute,
    pollMs,

    async createThread(
      userId: string,
      body: { thread_id?: string; metadata?: Record<string, unknown>; if_exists?: string },
    ) {
      const created = await store.createThread(userId, {
        id: body.thread_id,
        metadata: body.metadata,
      });
      if (created) return threadView(created, false);
      // The id is taken: the caller's own thread with `do_nothing`, otherwise a conflict.
      const own = body.thread_id ? await store.findThread(userId, body.thread_id) : null;
      if (own && body.if_exists === 'do_nothing') return threadView(own);
      throw new ApiError(409, ERROR_CODES.CONFLICT, 'A thread with this id already exists');
    },

    async getThread(userId: string, threadId: string) {
      return threadView(await ownedThread(userId, threadId));
    },

    async searchThreads(userId: string, search: ThreadSearch) {
      const rows = await store.searchThreads(userId, search);
      return Promise.all(rows.map((row) => threadView(row)));
    },

    async patchThread(userId: string, threadId: string, metadata: Record<string, unknown>) {
      const row = await store.updateThread(userId, threadId, { metadata });
      if (!row) throw notFound('Thread');
      return threadView(row);
    },

    async deleteThread(userId: string, threadId: string) {
      await ownedThread(userId, threadId);
      await checkpointer.deleteThread(threadId);
      if (!(await store.deleteThread(userId, threadId))) throw notFound('Thread');
    },

    async state(userId: string, threadId: string, checkpointId?: string | null) {
      return stateOf(await ownedThread(userId, threadId), checkpointId);
    },

    async updateState(
      userId: string,
      threadId: string,
      body: {
        values?: unknown;
        as_node?: string;
        checkpoint_id?: string;
        checkpoint?: { checkpoint_id?: string };
      },
    ) {
      const thread = await ownedThread(userId, threadId);
      const checkpointId = body.checkpoint?.checkpoint_id ?? body.checkpoint_id;
      const config = await threadGraph(thread).updateState(
        threadConfig(thread, checkpointId),
        plainInput(body.values ?? null),
        body.as_node,
      );
      if (!thread.graphId) await store.updateThread(userId, threadId, { graphId: CHAT_GRAPH });
      return {
        checkpoint: {
          thread_id: threadId,
          checkpoint_ns: String(config.configurable?.checkpoint_ns ?? ''),
          checkpoint_id: String(config.configurable?.checkpoint_id ?? ''),
        },
      };
    },

    async history(
      userId: string,
      threadId: string,
      query: {
        limit?: number;
        before?: string | { checkpoint_id?: string };
        metadata?: Record<string, unknown>;
        checkpoint?: { checkpoint_id?: string };
      },
    ) {
      const thread = await ownedThread(userId, threadId);
      if (!thread.graphId) return [];
      const before = typeof query.before === 'string' ? query.before : query.before?.checkpoint_id;
      const states: ThreadStateView[] = [];
      for await (const snapshot of threadGraph(thread).getStateHistory(
        threadConfig(thread, query.checkpoint?.checkpoint_id),
        {
          limit: query.limit ?? 10,
          ...(before ? { before: threadConfig(thread, before) } : {}),
          ...(query.metadata ? { filter: query.metadata } : {}),
        },
      )) {
        states.push(toState(snapshot));
      }
      return states;
    },

    /**
     * Checks and creates a run (404 thread or assistant, 409 busy thread or nothing to
     * resume, 429 budget), stamping the thread's graph into its metadata on its first run.
     */
    async createRun(userId: string, threadId: string, body: RunCreate): Promise<LgRun> {
      const assistant = findAssistant(body.assistant_id);
      const withinBudget = usage.assertWithinBudget(userId);
      withinBudget.catch(() => {});
      let thread = await store.findThread(userId, threadId);
      if (!thread && body.if_not_exists === 'create') {
        if (await store.threadExists(threadId)) throw notFound('Thread');
        await store.createThread(userId, { id: threadId });
        thread = await store.findThread(userId, threadId);
      }
      if (!thread) throw notFound('Thread');
      if (!assistant) throw notFound('Assistant');
      if (thread.graphId && thread.graphId !== assistant.graph_id) {
        throw new ApiError(
          409,
          ERROR_CODES.CONFLICT,
          `The thread runs the ${thread.graphId} graph, not ${assistant.graph_id}`,
        );
      }
      if (body.command?.resume !== undefined) {
        const state = thread.graphId ? await stateOf(thread) : null;
        if (!state || interruptsOf(state).length === 0) {
          throw new ApiError(409, ERROR_CODES.CONFLICT, 'Nothing is waiting to be resumed');
        }
        if (assistant.graph_id === 'approval') {
          try {
            toApprovalDecision(body.command.resume);
          } catch {
            throw new ApiError(
              422,
              ERROR_CODES.VALIDATION_FAILED,
              'The resume value must be {decisions: [{type: "approve" | "edit" | "reject", …}]} or {action: …}',
              {
                details: [{ location: 'body', path: 'command.resume', message: 'Not a decision' }],
              },
            );
          }
        }
      }
      await withinBudget;
      // Validated now, so that a bad input is a 422 before anything runs.
      if (!body.command) graphInput(assistant, body.input);
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
      if (!run) {
        throw new ApiError(
          409,
          ERROR_CODES.CONFLICT,
          'Thread is already running a task. Wait for it to finish or choose a different multitask strategy.',
        );
      }
      const stamp: Record<string, unknown> = {};
      if (thread.metadata.graph_id === undefined) stamp.graph_id = assistant.graph_id;
      if (thread.metadata.assistant_id === undefined) stamp.assistant_id = assistant.assistant_id;
      const busy = await store.updateThread(userId, threadId, {
        status: 'busy',
        graphId: assistant.graph_id,
        ...(Object.keys(stamp).length > 0 ? { metadata: stamp } : {}),
      });
      if (busy) threads.set(run, busy);
      return run;
    },

    async getRun(userId: string, threadId: string, runId: string) {
      const run = await store.findRun(userId, threadId, runId);
      if (!run) throw notFound('Run');
      return run;
    },

    async listRuns(
      userId: string,
      threadId: string,
      page: { limit: number; offset: number; status?: string },
    ) {
      await ownedThread(userId, threadId);
      return (await store.listRuns(userId, threadId, page)).map(runView);
    },

    async cancelRun(userId: string, threadId: string, runId: string) {
      const run = await store.requestCancel(userId, threadId, runId);
      if (!run) throw notFound('Run');
      return run;
    },

    /**
     * The run's stored events after `afterSeq`, then each new one until the run has ended
     * and every event is read. An id of another run or beyond the end replays nothing more.
     */
    async *join(run: LgRun, afterSeq: number, signal: AbortSignal): AsyncGenerator<RunEvent> {
      let last = afterSeq;
      while (!signal.aborted) {
        const events = await store.eventsAfter(run.id, last);
        for (const event of events) {
          last = event.seq;
          yield event;
        }
        if (events.length > 0) continue;
        const current = await store.findRun(run.userId, run.threadId, run.id);
        if (!current || TERMINAL.has(current.status)) {
          // Anything stored between the last read and the end.
          for (const event of await store.eventsAfter(run.id, last)) {
            last = event.seq;
            yield event;
          }
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, 100)));
      }
    },

    /** Waits for the run to end; the thread's values then. */
    async waitFor(run: LgRun, signal: AbortSignal) {
      for await (const _ of this.join(run, LAST_SEQ, signal)) {
        // Nothing: only the end matters.
      }
      const thread = await ownedThread(run.userId, run.threadId);
      return (await threadView(thread)).values;
    },

    /** Executes a queued background run (idempotent: a run already started is left alone). */
    async executeQueued(
      job: { runId: string; threadId: string; userId: string; requestId: string | null },
      signal: AbortSignal,
    ) {
      const run = await store.findRun(job.userId, job.threadId, job.runId);
      if (run?.status !== 'pending') return;
      await execute(run, () => {}, { store: true, requestId: job.requestId, signal });
    },

    stateOf: async (thread: LgThread) => stateOf(thread),
    interruptsOf,
  };
}

export type LangGraphService = ReturnType<typeof createLangGraphService>;

const modeOf = (mode: StreamMode): string => (mode === 'messages-tuple' ? 'messages' : mode);

const modelName = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block) =>
      typeof block === 'string'
        ? block
        : block && typeof block === 'object' && (block as { type?: string }).type === 'text'
          ? String((block as { text?: unknown }).text ?? '')
          : '',
    )
    .join('');
}

/** Values a client sends for a state update: messages as dicts LangGraph coerces. */
const plainInput = (values: unknown) => values as Record<string, unknown> | null;

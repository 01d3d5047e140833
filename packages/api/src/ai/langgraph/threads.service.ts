/**
 * Threads a user owns: create, search, read, patch, delete, and their state and history.
 * Another user's thread is a miss like a missing one: every lookup is by owner, and a miss
 * is `null` (the handler answers the 404).
 */
import { CHAT_GRAPH } from './assistants.ts';
import { type Graphs, threadConfig } from './graphs.ts';
import { interruptsOf, type ThreadStateView, toStateView } from './state-view.ts';
import type { LangGraphStore, LgThread, ThreadSearch } from './store.ts';

export interface ThreadsServiceOptions {
  store: LangGraphStore;
  graphs: Graphs;
}

export interface ThreadView {
  thread_id: string;
  created_at: string;
  updated_at: string;
  metadata: Record<string, unknown>;
  status: LgThread['status'];
  config: Record<string, unknown>;
  values: unknown;
  interrupts: Record<string, unknown[]>;
}

export interface StateUpdate {
  values?: unknown;
  as_node?: string;
  checkpoint_id?: string;
  checkpoint?: { checkpoint_id?: string };
}

export interface HistoryQuery {
  limit?: number;
  before?: string | { checkpoint_id?: string };
  metadata?: Record<string, unknown>;
  checkpoint?: { checkpoint_id?: string };
}

export function createThreadsService({ store, graphs }: ThreadsServiceOptions) {
  /** The thread as the API shows it; its values read from its latest checkpoint. */
  async function view(thread: LgThread, withValues = true): Promise<ThreadView> {
    const state = withValues && thread.graphId ? await graphs.stateOf(thread) : null;
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

  const owned = (userId: string, threadId: string) => store.findThread(userId, threadId);

  return {
    view,

    /** A new thread; the caller's own with `if_exists: do_nothing`; null when the id is taken. */
    async create(
      userId: string,
      body: { thread_id?: string; metadata?: Record<string, unknown>; if_exists?: string },
    ): Promise<ThreadView | null> {
      const created = await store.createThread(userId, {
        id: body.thread_id,
        metadata: body.metadata,
      });
      if (created) return view(created, false);
      const own = body.thread_id ? await owned(userId, body.thread_id) : null;
      return own && body.if_exists === 'do_nothing' ? view(own) : null;
    },

    /** The thread; a run of it whose lease has passed (its worker died) is expired first. */
    async get(userId: string, threadId: string): Promise<ThreadView | null> {
      await store.expireRuns(threadId);
      const thread = await owned(userId, threadId);
      return thread ? view(thread) : null;
    },

    async search(userId: string, search: ThreadSearch): Promise<ThreadView[]> {
      const rows = await store.searchThreads(userId, search);
      return Promise.all(rows.map((row) => view(row)));
    },

    async patch(userId: string, threadId: string, metadata: Record<string, unknown>) {
      const row = await store.updateThread(userId, threadId, { metadata });
      return row ? view(row) : null;
    },

    /** Deletes the thread with its checkpoints; false when it is not the caller's. */
    async remove(userId: string, threadId: string): Promise<boolean> {
      if (!(await owned(userId, threadId))) return false;
      await graphs.checkpointer.deleteThread(threadId);
      return store.deleteThread(userId, threadId);
    },

    async state(
      userId: string,
      threadId: string,
      checkpointId?: string | null,
    ): Promise<ThreadStateView | null> {
      const thread = await owned(userId, threadId);
      return thread ? graphs.stateOf(thread, checkpointId) : null;
    },

    async updateState(userId: string, threadId: string, body: StateUpdate) {
      const thread = await owned(userId, threadId);
      if (!thread) return null;
      const checkpointId = body.checkpoint?.checkpoint_id ?? body.checkpoint_id;
      const config = await graphs
        .threadGraph(thread)
        .updateState(
          threadConfig(thread.id, checkpointId),
          (body.values ?? null) as Record<string, unknown> | null,
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

    /** The thread's values, with `__interrupt__` when it waits on one (as `runs/wait` answers). */
    async finalValues(userId: string, threadId: string) {
      const thread = await owned(userId, threadId);
      if (!thread) return null;
      const state = await graphs.stateOf(thread);
      const interrupts = interruptsOf(state);
      return {
        ...((state.values ?? {}) as Record<string, unknown>),
        ...(interrupts.length > 0 ? { __interrupt__: interrupts } : {}),
      };
    },

    /** The thread's states, newest first. */
    async history(
      userId: string,
      threadId: string,
      query: HistoryQuery,
    ): Promise<ThreadStateView[] | null> {
      const thread = await owned(userId, threadId);
      if (!thread) return null;
      if (!thread.graphId) return [];
      const before = typeof query.before === 'string' ? query.before : query.before?.checkpoint_id;
      const states: ThreadStateView[] = [];
      for await (const snapshot of graphs
        .threadGraph(thread)
        .getStateHistory(threadConfig(thread.id, query.checkpoint?.checkpoint_id), {
          limit: query.limit ?? 10,
          ...(before ? { before: threadConfig(thread.id, before) } : {}),
          ...(query.metadata ? { filter: query.metadata } : {}),
        })) {
        states.push(toStateView(snapshot));
      }
      return states;
    },
  };
}

export type ThreadsService = ReturnType<typeof createThreadsService>;

/**
 * Threads, runs and run events of the LangGraph Platform API in the app's database. Every
 * lookup is by owner: another user's thread or run is "not found", like a missing one.
 * One active run per thread is a unique index (`lg_runs_active_idx`), so across containers too.
 */
import { type LgRun, type LgThread, lgRunEvents, lgRuns, lgThreads } from '@backend/shared/schema';
import { and, asc, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { Database } from '../../lib/db/index.ts';

export type { LgRun, LgThread } from '@backend/shared/schema';

export interface ThreadSearch {
  metadata?: Record<string, unknown>;
  status?: string;
  limit: number;
  offset: number;
  sortBy: 'created_at' | 'updated_at';
  sortOrder: 'asc' | 'desc';
}

export interface StoredEvent {
  seq: number;
  event: string;
  data: unknown;
}

export { LAST_SEQ } from './schemas.ts';

/** What `startRun` found and did, in one statement. */
export interface StartedRun {
  /** The caller's thread as it was before (null: not the caller's, or none). */
  thread: Pick<LgThread, 'id' | 'metadata' | 'status' | 'graphId'> | null;
  /** The new run; null when the thread runs another graph or already has an active run. */
  run: LgRun | null;
  /** The thread's latest checkpoint when the run was created (null: none yet). */
  checkpointId: string | null;
}

export interface NewRun {
  threadId: string;
  userId: string;
  assistantId: string;
  graphId: string;
  /** `running` when it executes right away, `pending` when a worker will take it. */
  status: 'pending' | 'running';
  metadata: Record<string, unknown>;
  kwargs: Record<string, unknown>;
  multitaskStrategy: string;
  leaseMs: number;
}

type RunJson = {
  [K in keyof LgRun as K extends string ? SnakeCase<K> : never]: LgRun[K] extends Date | null
    ? string | null
    : LgRun[K];
};
type SnakeCase<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeCase<T>}`
  : S;

const toRun = (row: RunJson): LgRun => ({
  id: row.id,
  threadId: row.thread_id,
  userId: row.user_id,
  assistantId: row.assistant_id,
  status: row.status,
  metadata: row.metadata,
  kwargs: row.kwargs,
  multitaskStrategy: row.multitask_strategy,
  cancelRequested: row.cancel_requested,
  leaseUntil: row.lease_until ? new Date(row.lease_until) : null,
  createdAt: new Date(row.created_at as string),
  updatedAt: new Date(row.updated_at as string),
});

/** The rows of a raw statement, whichever driver ran it (postgres.js: an array; PGlite: `rows`). */
const rowsOf = <T>(result: unknown): T[] =>
  Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);

export const ACTIVE_RUN_STATUSES = ['pending', 'running'] as const;

export function createLangGraphStore(db: Database) {
  return {
    async createThread(
      userId: string,
      values: { id?: string; metadata?: Record<string, unknown> },
    ): Promise<LgThread | null> {
      const [row] = await db
        .insert(lgThreads)
        .values({
          userId,
          metadata: values.metadata ?? {},
          ...(values.id ? { id: values.id } : {}),
        })
        .onConflictDoNothing()
        .returning();
      return row ?? null;
    },

    /** A thread with this id, whoever owns it (for `if_exists`). */
    async threadExists(id: string): Promise<boolean> {
      const [row] = await db
        .select({ id: lgThreads.id })
        .from(lgThreads)
        .where(eq(lgThreads.id, id));
      return row !== undefined;
    },

    async findThread(userId: string, id: string): Promise<LgThread | null> {
      const [row] = await db
        .select()
        .from(lgThreads)
        .where(and(eq(lgThreads.id, id), eq(lgThreads.userId, userId)));
      return row ?? null;
    },

    async searchThreads(userId: string, search: ThreadSearch): Promise<LgThread[]> {
      const column = search.sortBy === 'created_at' ? lgThreads.createdAt : lgThreads.updatedAt;
      return db
        .select()
        .from(lgThreads)
        .where(
          and(
            eq(lgThreads.userId, userId),
            search.metadata && Object.keys(search.metadata).length > 0
              ? sql`${lgThreads.metadata} @> ${JSON.stringify(search.metadata)}::jsonb`
              : undefined,
            search.status ? eq(lgThreads.status, search.status as LgThread['status']) : undefined,
          ),
        )
        .orderBy(search.sortOrder === 'asc' ? asc(column) : desc(column), asc(lgThreads.id))
        .limit(search.limit)
        .offset(search.offset);
    },

    /** Merges `metadata` into the thread's (top-level keys), and sets the other fields given. */
    async updateThread(
      userId: string,
      id: string,
      values: { metadata?: Record<string, unknown>; status?: LgThread['status']; graphId?: string },
    ): Promise<LgThread | null> {
      const [row] = await db
        .update(lgThreads)
        .set({
          ...(values.metadata
            ? { metadata: sql`${lgThreads.metadata} || ${JSON.stringify(values.metadata)}::jsonb` }
            : {}),
          ...(values.status ? { status: values.status } : {}),
          ...(values.graphId ? { graphId: values.graphId } : {}),
          updatedAt: new Date(),
        })
        .where(and(eq(lgThreads.id, id), eq(lgThreads.userId, userId)))
        .returning();
      return row ?? null;
    },

    async deleteThread(userId: string, id: string): Promise<boolean> {
      const rows = await db
        .delete(lgThreads)
        .where(and(eq(lgThreads.id, id), eq(lgThreads.userId, userId)))
        .returning({ id: lgThreads.id });
      return rows.length > 0;
    },

    /**
     * Creates a run on the caller's thread in one statement: the thread read, the run inserted
     * unless the thread runs another graph or has an active run, the thread marked busy with
     * its graph stamped into its metadata (`graph_id`, `assistant_id`) when absent, and the
     * thread's latest checkpoint id read (a checkpoint read beside it is current if it matches).
     */
    async startRun(values: NewRun): Promise<StartedRun> {
      const { threadId, userId, graphId, assistantId } = values;
      const stamp = JSON.stringify({ graph_id: graphId, assistant_id: assistantId });
      const result = await db.execute(sql`
        with thread as (
          select id, metadata, status, graph_id from ${lgThreads}
          where id = ${threadId} and user_id = ${userId}
        ), run as (
          insert into ${lgRuns} (id, thread_id, user_id, assistant_id, status, metadata, kwargs,
            multitask_strategy, lease_until)
          select ${uuidv7()}, id, ${userId}, ${assistantId}, ${values.status},
            ${JSON.stringify(values.metadata)}::jsonb, ${JSON.stringify(values.kwargs)}::jsonb,
            ${values.multitaskStrategy}, now() + ${values.leaseMs} * interval '1 millisecond'
          from thread where graph_id is null or graph_id = ${graphId}
          on conflict do nothing
          returning *
        ), busy as (
          update ${lgThreads} set status = 'busy', graph_id = ${graphId},
            metadata = ${stamp}::jsonb || ${lgThreads.metadata}, updated_at = now()
          where id in (select thread_id from run)
          returning id
        )
        select
          (select row_to_json(thread) from thread) as thread,
          (select row_to_json(run) from run) as run,
          (select checkpoint_id from ai_checkpoints
            where thread_id = ${threadId} and checkpoint_ns = ''
            order by checkpoint_id collate "C" desc limit 1) as checkpoint_id`);
      const [row] = rowsOf<{
        thread: {
          id: string;
          metadata: Record<string, unknown>;
          status: LgThread['status'];
          graph_id: string | null;
        } | null;
        run: RunJson | null;
        checkpoint_id: string | null;
      }>(result);
      const thread = row?.thread ?? null;
      return {
        thread: thread
          ? {
              id: thread.id,
              metadata: thread.metadata,
              status: thread.status,
              graphId: thread.graph_id,
            }
          : null,
        run: row?.run ? toRun(row.run) : null,
        checkpointId: row?.checkpoint_id ?? null,
      };
    },

    /** Undoes `startRun` when a check that ran beside it failed: the run goes, the thread is as before. */
    async abandonRun(run: LgRun, threadStatus: LgThread['status']): Promise<void> {
      await db.delete(lgRuns).where(eq(lgRuns.id, run.id));
      await db
        .update(lgThreads)
        .set({ status: threadStatus, updatedAt: new Date() })
        .where(eq(lgThreads.id, run.threadId));
    },

    /**
     * The run, if it is the user's. An active run whose lease has passed belonged to a worker
     * that died: it is marked failed first.
     */
    async findRun(userId: string, threadId: string, runId: string): Promise<LgRun | null> {
      await this.expireRuns(threadId);
      const [row] = await db
        .select()
        .from(lgRuns)
        .where(and(eq(lgRuns.id, runId), eq(lgRuns.threadId, threadId), eq(lgRuns.userId, userId)));
      return row ?? null;
    },

    async listRuns(
      userId: string,
      threadId: string,
      page: { limit: number; offset: number; status?: string },
    ): Promise<LgRun[]> {
      await this.expireRuns(threadId);
      return db
        .select()
        .from(lgRuns)
        .where(
          and(
            eq(lgRuns.threadId, threadId),
            eq(lgRuns.userId, userId),
            page.status ? eq(lgRuns.status, page.status as LgRun['status']) : undefined,
          ),
        )
        .orderBy(desc(lgRuns.createdAt), desc(lgRuns.id))
        .limit(page.limit)
        .offset(page.offset);
    },

    /** Marks the thread's active runs whose lease has passed as failed; frees the thread. */
    async expireRuns(threadId: string): Promise<void> {
      const expired = await db
        .update(lgRuns)
        .set({ status: 'error', updatedAt: new Date() })
        .where(
          and(
            eq(lgRuns.threadId, threadId),
            inArray(lgRuns.status, [...ACTIVE_RUN_STATUSES]),
            lt(lgRuns.leaseUntil, sql`now()`),
          ),
        )
        .returning({ id: lgRuns.id });
      if (expired.length > 0) {
        await db
          .update(lgThreads)
          .set({ status: 'error', updatedAt: new Date() })
          .where(and(eq(lgThreads.id, threadId), eq(lgThreads.status, 'busy')));
      }
    },

    async setRunStatus(runId: string, status: LgRun['status'], leaseMs?: number): Promise<void> {
      await db
        .update(lgRuns)
        .set({
          status,
          updatedAt: new Date(),
          ...(leaseMs !== undefined
            ? { leaseUntil: sql`now() + ${leaseMs} * interval '1 millisecond'` }
            : {}),
        })
        .where(eq(lgRuns.id, runId));
    },

    /** Renews the run's lease; answers whether a cancel was asked for. */
    async heartbeat(runId: string, leaseMs: number): Promise<boolean> {
      const [row] = await db
        .update(lgRuns)
        .set({ leaseUntil: sql`now() + ${leaseMs} * interval '1 millisecond'` })
        .where(eq(lgRuns.id, runId))
        .returning({ cancel: lgRuns.cancelRequested });
      return row?.cancel ?? false;
    },

    async requestCancel(userId: string, threadId: string, runId: string): Promise<LgRun | null> {
      const [row] = await db
        .update(lgRuns)
        .set({ cancelRequested: true, updatedAt: new Date() })
        .where(and(eq(lgRuns.id, runId), eq(lgRuns.threadId, threadId), eq(lgRuns.userId, userId)))
        .returning();
      return row ?? null;
    },

    /** Stores a batch of the run's events in one statement. */
    async appendEvents(runId: string, events: StoredEvent[]): Promise<void> {
      if (events.length === 0) return;
      await db
        .insert(lgRunEvents)
        .values(events.map(({ seq, event, data }) => ({ runId, seq, event, data })));
    },

    /** The run's stored events after `afterSeq` (-1: all), in order. */
    async eventsAfter(runId: string, afterSeq: number, limit = 500): Promise<StoredEvent[]> {
      return db
        .select({ seq: lgRunEvents.seq, event: lgRunEvents.event, data: lgRunEvents.data })
        .from(lgRunEvents)
        .where(and(eq(lgRunEvents.runId, runId), gt(lgRunEvents.seq, afterSeq)))
        .orderBy(asc(lgRunEvents.seq))
        .limit(limit);
    },
  };
}

export type LangGraphStore = ReturnType<typeof createLangGraphStore>;

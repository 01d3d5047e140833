/**
 * Threads, runs and run events of the LangGraph Platform API in the app's database. Every
 * lookup is by owner: another user's thread or run is "not found", like a missing one.
 * One active run per thread is a unique index (`lg_runs_active_idx`), so across containers too.
 */
import { type LgRun, type LgThread, lgRunEvents, lgRuns, lgThreads } from '@backend/shared/schema';
import { and, asc, desc, eq, gt, inArray, ne, notExists, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../lib/db/index.ts';
import { type NewRun, type StartedRun, startRun } from './start-run.ts';

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
export type { NewRun, StartedRun } from './start-run.ts';

export const ACTIVE_RUN_STATUSES = ['pending', 'running'] as const;

export function createLangGraphStore(db: Database) {
  /**
   * Marks the active runs matching `scope` whose lease (or queued deadline) has passed as
   * failed, and frees their busy threads, in one statement.
   */
  async function expire(scope: SQL): Promise<void> {
    await db.execute(sql`
      with expired as (
        update ${lgRuns} set status = 'error', updated_at = now()
        where ${scope} and ${inArray(lgRuns.status, [...ACTIVE_RUN_STATUSES])}
          and ${lgRuns.leaseUntil} < now()
        returning thread_id
      )
      update ${lgThreads} set status = 'error', updated_at = now()
      where id in (select thread_id from expired) and status = 'busy'`);
  }

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

    /**
     * The user's threads matching `search`. The runs of their busy threads whose lease has
     * passed are expired first, so a thread held by a dead worker shows as it is.
     */
    async searchThreads(userId: string, search: ThreadSearch): Promise<LgThread[]> {
      await expire(
        sql`${lgRuns.threadId} in (select id from ${lgThreads}
          where ${lgThreads.userId} = ${userId} and ${lgThreads.status} = 'busy')`,
      );
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

    /** See start-run.ts. */
    startRun: (values: NewRun): Promise<StartedRun> => startRun(db, values),

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

    /**
     * Marks the thread's active runs whose lease (or queued deadline) has passed as failed;
     * frees the thread. One statement.
     */
    expireRuns: (threadId: string): Promise<void> => expire(sql`${lgRuns.threadId} = ${threadId}`),

    /**
     * Takes a queued run for execution: `running`, with a fresh lease, if it is still
     * `pending` and its queued deadline has not passed. Null otherwise (already taken by
     * another delivery of its job, finished, expired, or not the user's).
     */
    async claimRun(
      userId: string,
      threadId: string,
      runId: string,
      leaseMs: number,
    ): Promise<LgRun | null> {
      const [row] = await db
        .update(lgRuns)
        .set({
          status: 'running',
          leaseUntil: sql`now() + ${leaseMs} * interval '1 millisecond'`,
          updatedAt: new Date(),
        })
        .where(
          and(
            eq(lgRuns.id, runId),
            eq(lgRuns.threadId, threadId),
            eq(lgRuns.userId, userId),
            eq(lgRuns.status, 'pending'),
            gt(lgRuns.leaseUntil, sql`now()`),
          ),
        )
        .returning();
      return row ?? null;
    },

    /**
     * Ends the run: its final status, its lease released (it no longer executes anywhere);
     * the thread's status unless another run of it is active by now (one that superseded it).
     */
    async finishRun(run: LgRun, status: LgRun['status'], threadStatus: LgThread['status']) {
      await db
        .update(lgRuns)
        .set({ status, leaseUntil: null, updatedAt: new Date() })
        .where(eq(lgRuns.id, run.id));
      const others = db
        .select({ id: lgRuns.id })
        .from(lgRuns)
        .where(
          and(
            eq(lgRuns.threadId, run.threadId),
            ne(lgRuns.id, run.id),
            inArray(lgRuns.status, [...ACTIVE_RUN_STATUSES]),
          ),
        );
      await db
        .update(lgThreads)
        .set({ status: threadStatus, updatedAt: new Date() })
        .where(
          and(eq(lgThreads.id, run.threadId), eq(lgThreads.userId, run.userId), notExists(others)),
        );
    },

    /**
     * Interrupts the thread's active runs for a run that replaces them (`multitask_strategy`
     * interrupt or rollback): marked interrupted with a cancel asked for, so their executors
     * stop; one never started has nothing to stop. Answers their ids.
     */
    async supersedeRuns(userId: string, threadId: string): Promise<string[]> {
      const rows = await db
        .update(lgRuns)
        .set({
          status: 'interrupted',
          cancelRequested: true,
          leaseUntil: sql`case when ${lgRuns.status} = 'pending' then null else ${lgRuns.leaseUntil} end`,
          updatedAt: new Date(),
        })
        .where(
          and(
            eq(lgRuns.threadId, threadId),
            eq(lgRuns.userId, userId),
            inArray(lgRuns.status, [...ACTIVE_RUN_STATUSES]),
          ),
        )
        .returning({ id: lgRuns.id });
      return rows.map((row) => row.id);
    },

    /** Whether none of the runs still executes (its lease released, passed, or it is gone). */
    async runsStopped(runIds: string[]): Promise<boolean> {
      if (runIds.length === 0) return true;
      const live = await db
        .select({ id: lgRuns.id })
        .from(lgRuns)
        .where(and(inArray(lgRuns.id, runIds), gt(lgRuns.leaseUntil, sql`now()`)));
      return live.length === 0;
    },

    async deleteRuns(runIds: string[]): Promise<void> {
      if (runIds.length > 0) await db.delete(lgRuns).where(inArray(lgRuns.id, runIds));
    },

    /** Renews the run's lease; answers whether a cancel was asked for (or the run is gone). */
    async heartbeat(runId: string, leaseMs: number): Promise<boolean> {
      const [row] = await db
        .update(lgRuns)
        .set({ leaseUntil: sql`now() + ${leaseMs} * interval '1 millisecond'` })
        .where(eq(lgRuns.id, runId))
        .returning({ cancel: lgRuns.cancelRequested });
      return row ? row.cancel : true;
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

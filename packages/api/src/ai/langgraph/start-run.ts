/**
 * Creating a LangGraph run in one statement (one round trip before the graph can start): the
 * caller's thread read, the run inserted unless the thread runs another graph or has an active
 * run (the unique index `lg_runs_active_idx`), the thread marked busy, and its latest
 * checkpoint id read.
 */
import { type LgRun, type LgThread, lgRuns, lgThreads } from '@backend/shared/schema';
import { sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { type Database, rowsOf } from '../../lib/db/index.ts';

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
  /**
   * How long the run holds its thread before it must be renewed: the execution lease for a
   * run started now, the queued deadline for a pending one (it may wait in the job queue).
   */
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

/**
 * Creates a run on the caller's thread in one statement: the thread read, the run inserted
 * unless the thread runs another graph or has an active run, the thread marked busy with
 * its graph stamped into its metadata (`graph_id`, `assistant_id`) when absent, and the
 * thread's latest checkpoint id read (a checkpoint read beside it is current if it matches).
 */
export async function startRun(db: Database, values: NewRun): Promise<StartedRun> {
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
}

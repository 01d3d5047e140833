/**
 * The LangGraph Platform API (`/api/langgraph`): threads a user owns, the runs on them and the
 * events each run streamed. A thread's id is the LangGraph thread id its checkpoints are
 * stored under (`ai_checkpoints.thread_id`); deleting a thread deletes its runs and events.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, timestamptz, updatedAt, uuidV7PrimaryKey } from '../columns.ts';
import { ownerId } from './auth.ts';

export const lgThreadStatuses = ['idle', 'busy', 'interrupted', 'error'] as const;
export type LgThreadStatus = (typeof lgThreadStatuses)[number];

export const lgRunStatuses = [
  'pending',
  'running',
  'success',
  'error',
  'timeout',
  'interrupted',
] as const;
export type LgRunStatus = (typeof lgRunStatuses)[number];

export const lgThreads = pgTable(
  'lg_threads',
  {
    id: uuidV7PrimaryKey(),
    userId: ownerId(),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status').$type<LgThreadStatus>().notNull().default('idle'),
    /** The graph its runs use, stamped by the first run. */
    graphId: text('graph_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index('lg_threads_user_id_idx').on(table.userId, table.updatedAt),
    index('lg_threads_metadata_idx').using('gin', table.metadata),
  ],
);

export const lgRuns = pgTable(
  'lg_runs',
  {
    id: uuidV7PrimaryKey(),
    threadId: uuid('thread_id')
      .notNull()
      .references(() => lgThreads.id, { onDelete: 'cascade' }),
    userId: ownerId(),
    assistantId: text('assistant_id').notNull(),
    status: text('status').$type<LgRunStatus>().notNull().default('pending'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    /** The run's request (input, command, stream modes, config …) as the client sent it. */
    kwargs: jsonb('kwargs').$type<Record<string, unknown>>().notNull().default({}),
    multitaskStrategy: text('multitask_strategy').notNull().default('reject'),
    /** Set by `POST …/cancel`; the executing loop polls it, wherever it runs. */
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    /**
     * Renewed by the worker while it runs; a pending or running run whose lease has passed
     * belongs to a worker that died, and is marked failed when read.
     */
    leaseUntil: timestamptz('lease_until'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index('lg_runs_thread_id_idx').on(table.threadId, table.createdAt),
    // One active run per thread, across every container.
    uniqueIndex('lg_runs_active_idx')
      .on(table.threadId)
      .where(sql`${table.status} in ('pending', 'running')`),
  ],
);

export const lgRunEvents = pgTable(
  'lg_run_events',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => lgRuns.id, { onDelete: 'cascade' }),
    /** The SSE `id:` of the event: 0, 1, 2 … per run. */
    seq: integer('seq').notNull(),
    event: text('event').notNull(),
    data: jsonb('data').notNull(),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ name: 'lg_run_events_pk', columns: [table.runId, table.seq] })],
);

export type LgThread = typeof lgThreads.$inferSelect;
export type LgRun = typeof lgRuns.$inferSelect;

/**
 * Durable LangGraph workflows: each instance (a LangGraph thread) belongs to one user;
 * its checkpoints, channel values and pending writes are what the API's checkpoint saver
 * stores.
 *
 * The checkpoint tables carry no foreign key to `ai_graphs`: the saver is a general
 * LangGraph checkpointer (any thread id), while ownership is checked through `ai_graphs`
 * before a route touches a thread. Deleting or pruning an instance removes its
 * checkpoints, blobs and writes in the same transaction.
 */
import { customType, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt, timestamptz, updatedAt, uuidV7PrimaryKey } from '../columns.ts';
import { ownerId } from './auth.ts';

/** Raw bytes (serialized checkpoints). postgres.js answers Buffers, PGlite Uint8Arrays. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
  fromDriver: (value) => value,
});

export const aiGraphs = pgTable(
  'ai_graphs',
  {
    // The LangGraph thread id: UUIDv7, so new rows land at the end of the index.
    id: uuidV7PrimaryKey(),
    userId: ownerId(),
    /** The registered workflow's name. */
    graph: text('graph').notNull(),
    createdAt: createdAt(),
    // Touched on every run and resume: what the TTL of `just ai prune` counts from.
    updatedAt: updatedAt(),
    /**
     * Set while a run or resume holds the instance, to when its lease ends (the longest such
     * a request may last); null when idle. One run at a time, across every container.
     */
    runningUntil: timestamptz('running_until'),
  },
  (table) => [
    index('ai_graphs_user_id_idx').on(table.userId),
    index('ai_graphs_updated_at_idx').on(table.updatedAt),
  ],
);

export const aiCheckpoints = pgTable(
  'ai_checkpoints',
  {
    threadId: text('thread_id').notNull(),
    checkpointNs: text('checkpoint_ns').notNull().default(''),
    // uuid6 ids: their text order is their time order.
    checkpointId: text('checkpoint_id').notNull(),
    parentCheckpointId: text('parent_checkpoint_id'),
    /** The serializer's type tag for `checkpoint`. */
    type: text('type').notNull(),
    /** The version of each channel: which `ai_checkpoint_blobs` rows hold its values. */
    channelVersions: jsonb('channel_versions')
      .$type<Record<string, string | number>>()
      .notNull()
      .default({}),
    /** The checkpoint without its channel values (those are in `ai_checkpoint_blobs`). */
    checkpoint: bytea('checkpoint').notNull(),
    /** Kept as JSON so `list({ filter })` is a containment query. */
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({
      name: 'ai_checkpoints_pk',
      columns: [table.threadId, table.checkpointNs, table.checkpointId],
    }),
  ],
);

/**
 * Channel values, one row per channel version: a checkpoint stores only the channels that
 * changed since its parent and finds the others by the versions it records.
 */
export const aiCheckpointBlobs = pgTable(
  'ai_checkpoint_blobs',
  {
    threadId: text('thread_id').notNull(),
    checkpointNs: text('checkpoint_ns').notNull().default(''),
    channel: text('channel').notNull(),
    version: text('version').notNull(),
    /** The serializer's type tag, or `empty` for a channel that was cleared. */
    type: text('type').notNull(),
    value: bytea('value'),
  },
  (table) => [
    primaryKey({
      name: 'ai_checkpoint_blobs_pk',
      columns: [table.threadId, table.checkpointNs, table.channel, table.version],
    }),
  ],
);

export const aiCheckpointWrites = pgTable(
  'ai_checkpoint_writes',
  {
    threadId: text('thread_id').notNull(),
    checkpointNs: text('checkpoint_ns').notNull().default(''),
    checkpointId: text('checkpoint_id').notNull(),
    taskId: text('task_id').notNull(),
    /** Position in the task's writes; negative for the special channels (errors, interrupts). */
    idx: integer('idx').notNull(),
    /** The task's path: with task id and idx, the order a superstep's writes replay in. */
    taskPath: text('task_path').notNull().default(''),
    channel: text('channel').notNull(),
    type: text('type').notNull(),
    value: bytea('value').notNull(),
  },
  (table) => [
    primaryKey({
      name: 'ai_checkpoint_writes_pk',
      columns: [table.threadId, table.checkpointNs, table.checkpointId, table.taskId, table.idx],
    }),
  ],
);

export type AiGraph = typeof aiGraphs.$inferSelect;

/**
 * Over 400 lines on purpose: it implements one LangGraph interface (`BaseCheckpointSaver`:
 * get, list, put, putWrites, delete) whose methods share the row mapping and SQL below;
 * split, each half would be read only with the other open.
 *
 * A LangGraph checkpoint saver over the app's Drizzle database, so checkpoints live in the
 * project's PostgreSQL (real or embedded PGlite) and survive restarts.
 *
 * Like the official Postgres saver, a checkpoint row keeps everything but the channel
 * values, and each channel value is stored once per version (`ai_checkpoint_blobs`), so a
 * step stores only the channels it changed. Unlike it, each call is one statement whatever
 * the number of channels or writes: `put` writes the values and the checkpoint together (a
 * data-modifying CTE), `putWrites` is one multi-row insert, and a read returns the
 * checkpoint with the values its channel versions name and its pending writes. `bench/checkpoints.ts` compares the two.
 *
 * Checked by `@langchain/langgraph-checkpoint-validation` (checkpointer.validation.test.ts).
 */
import {
  aiCheckpointBlobs,
  aiCheckpoints,
  aiCheckpointWrites,
  aiGraphs,
} from '@backend/shared/schema';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  compareWritesSortKeys,
  getCheckpointId,
  maxChannelVersion,
  type PendingWrite,
  type SerializerProtocol,
  TASKS,
  WRITES_IDX_MAP,
  writesSortKey,
} from '@langchain/langgraph-checkpoint';
import {
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  inArray,
  isNull,
  lt,
  lte,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import type { Database } from '../../lib/db/index.ts';

type CheckpointRow = typeof aiCheckpoints.$inferSelect;

/** A stored value as the read statement returns it: channel, type tag, base64 bytes. */
type StoredBlob = [channel: string, type: string, value: string | null];
/** A pending write as the read statement returns it. */
type StoredWrite = [
  taskId: string,
  channel: string,
  type: string,
  value: string,
  taskPath: string,
  idx: number,
];
/** A checkpoint row with its channel values and pending writes. */
type ReadRow = CheckpointRow & { blobs: StoredBlob[] | string; writes: StoredWrite[] | string };

/** The type tag of a channel that has a version but no value. */
const EMPTY = 'empty';

// uuid6 checkpoint ids sort by time in byte order; "C" keeps that under any database collation.
const checkpointIdC = sql`${aiCheckpoints.checkpointId} collate "C"`;

// The values a checkpoint's channel versions name, and its pending writes, read in the same
// statement as the checkpoint (bytes as base64: JSON cannot carry bytea). The outer columns
// are qualified by hand: Drizzle leaves them bare in a one-table query, and a bare name
// would resolve to the subquery's own table.
const blobsOfCheckpoint = sql<StoredBlob[] | string>`(
  select coalesce(json_agg(json_build_array(bl.channel, bl.type, encode(bl.value, 'base64'))), '[]'::json)
  from jsonb_each_text(ai_checkpoints.channel_versions) as cv(channel, version)
  join ${aiCheckpointBlobs} as bl
    on bl.thread_id = ai_checkpoints.thread_id
    and bl.checkpoint_ns = ai_checkpoints.checkpoint_ns
    and bl.channel = cv.channel
    and bl.version = cv.version
)`;
const writesOfCheckpoint = sql<StoredWrite[] | string>`(
  select coalesce(json_agg(json_build_array(w.task_id, w.channel, w.type, encode(w.value, 'base64'), w.task_path, w.idx)), '[]'::json)
  from ${aiCheckpointWrites} as w
  where w.thread_id = ai_checkpoints.thread_id
    and w.checkpoint_ns = ai_checkpoints.checkpoint_ns
    and w.checkpoint_id = ai_checkpoints.checkpoint_id
)`;
const readColumns = {
  ...getTableColumns(aiCheckpoints),
  blobs: blobsOfCheckpoint,
  writes: writesOfCheckpoint,
};

const configurableOf = (config: RunnableConfig) => config.configurable ?? {};

/** JSON text without the `\u0000` escapes that `jsonb` refuses. */
const jsonbSafe = (text: string) => text.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1');

/** Drivers answer `json` parsed (postgres.js, PGlite) or as text; both are accepted. */
const parsedJson = <T>(value: T | string): T =>
  typeof value === 'string' ? (JSON.parse(value) as T) : value;
const fromBase64 = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));

export class DrizzleCheckpointSaver extends BaseCheckpointSaver {
  readonly #db: Database;

  constructor(db: Database, serde?: SerializerProtocol) {
    super(serde);
    this.#db = db;
  }

  /**
   * The next version of a channel: one more than `current`, plus a random fraction. Values
   * are stored once per (channel, version) for the whole thread, and a branch forked from an
   * earlier checkpoint counts up from the same versions as the branch it left: with plain
   * integers its values would collide with (and read back as) the first branch's. Still a
   * number, so versions stored as integers compare with these.
   */
  override getNextVersion(current: number | undefined): number {
    return Math.floor(current ?? 0) + 1 + Math.random();
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const { thread_id: threadId, checkpoint_ns: ns = '' } = configurableOf(config);
    if (typeof threadId !== 'string' || threadId === '') return undefined;
    const checkpointId = getCheckpointId(config);
    const [row] = await this.#db
      .select(readColumns)
      .from(aiCheckpoints)
      .where(
        and(
          eq(aiCheckpoints.threadId, threadId),
          eq(aiCheckpoints.checkpointNs, ns),
          checkpointId ? eq(aiCheckpoints.checkpointId, checkpointId) : undefined,
        ),
      )
      .orderBy(desc(checkpointIdC))
      .limit(1);
    return row ? this.#toTuple(row) : undefined;
  }

  async *list(
    config: RunnableConfig,
    options: CheckpointListOptions = {},
  ): AsyncGenerator<CheckpointTuple> {
    const {
      thread_id: threadId,
      checkpoint_ns: ns,
      checkpoint_id: checkpointId,
    } = configurableOf(config);
    const { limit, before, filter } = options;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new RangeError('limit must be a whole number, zero or more');
    }
    const conditions: Array<SQL | undefined> = [
      threadId ? eq(aiCheckpoints.threadId, String(threadId)) : undefined,
      ns !== undefined && ns !== null ? eq(aiCheckpoints.checkpointNs, String(ns)) : undefined,
      checkpointId ? eq(aiCheckpoints.checkpointId, String(checkpointId)) : undefined,
      filter && Object.keys(filter).length > 0
        ? sql`${aiCheckpoints.metadata} @> ${jsonbSafe(JSON.stringify(filter))}::jsonb`
        : undefined,
      before?.configurable?.checkpoint_id !== undefined
        ? sql`${checkpointIdC} < ${String(before.configurable.checkpoint_id)}`
        : undefined,
    ];
    const query = this.#db
      .select(readColumns)
      .from(aiCheckpoints)
      .where(and(...conditions))
      .orderBy(desc(checkpointIdC));
    const rows = limit === undefined ? await query : await query.limit(limit);
    for (const row of rows) yield await this.#toTuple(row);
  }

  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    const {
      thread_id: threadId,
      checkpoint_ns: ns = '',
      checkpoint_id: parentId,
    } = configurableOf(config);
    if (typeof threadId !== 'string' || threadId === '') {
      throw new Error('Cannot store a checkpoint without configurable.thread_id');
    }
    const { channel_values: channelValues = {}, ...withoutValues } = checkpoint;
    const [[type, serialized], [, metadataBytes], blobs] = await Promise.all([
      this.serde.dumpsTyped(withoutValues),
      this.serde.dumpsTyped(metadata),
      Promise.all(
        Object.entries(newVersions).map(async ([channel, version]) => {
          const [blobType, value] =
            channel in channelValues
              ? await this.serde.dumpsTyped(channelValues[channel])
              : [EMPTY, null];
          return {
            threadId,
            checkpointNs: ns,
            channel,
            version: String(version),
            type: blobType,
            value,
          };
        }),
      ),
    ]);
    const storedMetadata = JSON.parse(jsonbSafe(new TextDecoder().decode(metadataBytes)));
    const channelVersions = { ...(checkpoint.channel_versions ?? {}) };
    const values = {
      threadId,
      checkpointNs: ns,
      checkpointId: checkpoint.id,
      parentCheckpointId: parentId ?? null,
      channelVersions,
      type,
      checkpoint: serialized,
      metadata: storedMetadata,
    };
    const target = [aiCheckpoints.threadId, aiCheckpoints.checkpointNs, aiCheckpoints.checkpointId];
    const set = { channelVersions, type, checkpoint: serialized, metadata: storedMetadata };
    if (blobs.length === 0) {
      await this.#db.insert(aiCheckpoints).values(values).onConflictDoUpdate({ target, set });
    } else {
      // The values and the checkpoint in one statement (one round trip, all or nothing).
      const storedBlobs = this.#db
        .$with('stored_blobs')
        .as(
          this.#db
            .insert(aiCheckpointBlobs)
            .values(blobs)
            .onConflictDoNothing()
            .returning({ channel: aiCheckpointBlobs.channel }),
        );
      await this.#db
        .with(storedBlobs)
        .insert(aiCheckpoints)
        .values(values)
        .onConflictDoUpdate({ target, set });
    }
    return {
      configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpoint.id },
    };
  }

  async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath = '',
  ): Promise<void> {
    const {
      thread_id: threadId,
      checkpoint_ns: ns = '',
      checkpoint_id: checkpointId,
    } = configurableOf(config);
    if (typeof threadId !== 'string' || threadId === '') {
      throw new Error('Cannot store writes without configurable.thread_id');
    }
    if (typeof checkpointId !== 'string' || checkpointId === '') {
      throw new Error('Cannot store writes without configurable.checkpoint_id');
    }
    if (writes.length === 0) return;
    // Special channels (errors, interrupts, resumes) replace what was stored; other writes
    // of a task that already ran are kept as they were.
    const replace = writes.every(([channel]) => channel in WRITES_IDX_MAP);
    const rows = new Map<number, typeof aiCheckpointWrites.$inferInsert>();
    await Promise.all(
      writes.map(async ([channel, value], position) => {
        const idx = WRITES_IDX_MAP[channel] ?? position;
        const [type, bytes] = await this.serde.dumpsTyped(value);
        if (!replace && rows.has(idx)) return;
        rows.set(idx, {
          threadId,
          checkpointNs: ns,
          checkpointId,
          taskId,
          idx,
          taskPath,
          channel,
          type,
          value: bytes,
        });
      }),
    );
    const insert = this.#db.insert(aiCheckpointWrites).values([...rows.values()]);
    const target = [
      aiCheckpointWrites.threadId,
      aiCheckpointWrites.checkpointNs,
      aiCheckpointWrites.checkpointId,
      aiCheckpointWrites.taskId,
      aiCheckpointWrites.idx,
    ];
    if (replace) {
      await insert.onConflictDoUpdate({
        target,
        set: {
          channel: sql`excluded.channel`,
          type: sql`excluded.type`,
          value: sql`excluded.value`,
          taskPath: sql`excluded.task_path`,
        },
      });
    } else {
      await insert.onConflictDoNothing({ target });
    }
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await tx.delete(aiCheckpointWrites).where(eq(aiCheckpointWrites.threadId, threadId));
      await tx.delete(aiCheckpointBlobs).where(eq(aiCheckpointBlobs.threadId, threadId));
      await tx.delete(aiCheckpoints).where(eq(aiCheckpoints.threadId, threadId));
    });
  }

  async #toTuple(row: ReadRow): Promise<CheckpointTuple> {
    const writes = parsedJson(row.writes).sort((a, b) =>
      compareWritesSortKeys(writesSortKey(a[4], a[0], a[5]), writesSortKey(b[4], b[0], b[5])),
    );
    const [checkpoint, metadata, values, pendingWrites] = await Promise.all([
      this.serde.loadsTyped(row.type, row.checkpoint) as Promise<Checkpoint>,
      this.serde.loadsTyped('json', JSON.stringify(row.metadata)) as Promise<CheckpointMetadata>,
      Promise.all(
        parsedJson(row.blobs)
          .filter(([, type, value]) => type !== EMPTY && value !== null)
          .map(
            async ([channel, type, value]) =>
              [channel, await this.serde.loadsTyped(type, fromBase64(value ?? ''))] as const,
          ),
      ),
      Promise.all(
        writes.map(
          async ([taskId, channel, type, value]): Promise<CheckpointPendingWrite> => [
            taskId,
            channel,
            await this.serde.loadsTyped(type, fromBase64(value)),
          ],
        ),
      ),
    ]);
    checkpoint.channel_values = Object.fromEntries(values);
    if (checkpoint.v < 4 && row.parentCheckpointId) {
      await this.#migratePendingSends(checkpoint, row);
    }
    const ids = { thread_id: row.threadId, checkpoint_ns: row.checkpointNs };
    return {
      config: { configurable: { ...ids, checkpoint_id: row.checkpointId } },
      checkpoint,
      metadata,
      pendingWrites,
      parentConfig: row.parentCheckpointId
        ? { configurable: { ...ids, checkpoint_id: row.parentCheckpointId } }
        : undefined,
    };
  }

  /**
   * Checkpoints before format 4 kept `Send`s as writes of the parent; format 4 expects them
   * in the `__pregel_tasks` channel of the child.
   */
  async #migratePendingSends(checkpoint: Checkpoint, row: CheckpointRow) {
    const sends = await this.#db
      .select()
      .from(aiCheckpointWrites)
      .where(
        and(
          eq(aiCheckpointWrites.threadId, row.threadId),
          eq(aiCheckpointWrites.checkpointNs, row.checkpointNs),
          eq(aiCheckpointWrites.checkpointId, row.parentCheckpointId ?? ''),
          eq(aiCheckpointWrites.channel, TASKS),
        ),
      );
    sends.sort(compareWrites);
    checkpoint.channel_values ??= {};
    checkpoint.channel_values[TASKS] = await Promise.all(
      sends.map((send) => this.serde.loadsTyped(send.type, send.value)),
    );
    checkpoint.channel_versions ??= {};
    const versions = Object.values(checkpoint.channel_versions);
    checkpoint.channel_versions[TASKS] =
      versions.length > 0 ? maxChannelVersion(...versions) : this.getNextVersion(undefined);
  }
}

type WriteRow = typeof aiCheckpointWrites.$inferSelect;

function compareWrites(a: WriteRow, b: WriteRow) {
  return compareWritesSortKeys(
    writesSortKey(a.taskPath, a.taskId, a.idx),
    writesSortKey(b.taskPath, b.taskId, b.idx),
  );
}

/**
 * Deletes graph instances (of `userId`, when given) with their checkpoints, blobs and writes,
 * in one transaction. Returns how many instances were deleted.
 */
export async function deleteGraphInstances(
  db: Database,
  graphIds: string[],
  userId?: string,
  options: { idleOnly?: boolean } = {},
): Promise<number> {
  if (graphIds.length === 0) return 0;
  return db.transaction(async (tx) => {
    const deleted = await tx
      .delete(aiGraphs)
      .where(
        and(
          inArray(aiGraphs.id, graphIds),
          userId ? eq(aiGraphs.userId, userId) : undefined,
          // Not while a run holds the instance: its next checkpoint would outlive the delete.
          options.idleOnly
            ? or(isNull(aiGraphs.runningUntil), lte(aiGraphs.runningUntil, sql`now()`))
            : undefined,
        ),
      )
      .returning({ id: aiGraphs.id });
    const ids = deleted.map((row) => row.id);
    if (ids.length === 0) return 0;
    await tx.delete(aiCheckpointWrites).where(inArray(aiCheckpointWrites.threadId, ids));
    await tx.delete(aiCheckpointBlobs).where(inArray(aiCheckpointBlobs.threadId, ids));
    await tx.delete(aiCheckpoints).where(inArray(aiCheckpoints.threadId, ids));
    return ids.length;
  });
}

/**
 * Deletes the graph instances not run or resumed since `cutoff`, with everything they
 * stored, in batches of `batchSize` (one transaction each). Returns how many were deleted.
 */
export async function pruneGraphInstances(
  db: Database,
  cutoff: Date,
  batchSize = 500,
): Promise<number> {
  let total = 0;
  for (;;) {
    const expired = await db
      .select({ id: aiGraphs.id })
      .from(aiGraphs)
      .where(lt(aiGraphs.updatedAt, cutoff))
      .orderBy(asc(aiGraphs.updatedAt))
      .limit(batchSize);
    if (expired.length === 0) return total;
    total += await deleteGraphInstances(
      db,
      expired.map((row) => row.id),
    );
  }
}

/**
 * Files a user uploaded and the chunks their text is split into for retrieval.
 *
 * The bytes live in object storage (S3, or a local directory); a row here is the file's
 * metadata and lifecycle. Chunks carry their owner too, so a search can filter by user
 * without a join, and an embedding for vector search plus a generated `tsvector` for
 * full-text search.
 *
 * The `embedding` column and its HNSW index need the pgvector extension. The migration
 * creates them only where the extension is available (Aurora and the embedded database have
 * it; a bare PostgreSQL may not): on a database without it, select chunk columns explicitly,
 * never the whole row.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  uniqueIndex,
  uuid,
  vector,
} from 'drizzle-orm/pg-core';
import { createdAt, timestamptz, updatedAt, uuidV7PrimaryKey } from '../columns.ts';
import { ownerId } from './auth.ts';

/** Dimensions of every stored embedding; the local embedding produces the same. */
export const EMBEDDING_DIMENSIONS = 1536;
/**
 * The HNSW graph's build parameters: neighbours per node and the candidate list while
 * building. Above pgvector's defaults (16, 64): on PostgreSQL at 100,000 chunks they lift
 * recall@10 at ef_search 200 from 0.89 to 0.97 on clustered text, for a build about three
 * times as long (docs/performance.md). Migration 0011 rebuilds the index with them.
 */
export const HNSW_M = 32;
export const HNSW_EF_CONSTRUCTION = 200;
/** The text-search configuration of the chunks' `tsvector`; queries must use the same. */
export const CHUNK_SEARCH_CONFIG = 'english';
/** Longest file name, in characters. */
export const FILE_NAME_MAX = 255;

/**
 * `pending`: created, waiting for its upload; `processing`: uploaded and checked, queued or
 * being ingested; `ready`: its chunks are searchable; `failed`: see `failureReason`.
 */
export const FILE_STATUSES = ['pending', 'processing', 'ready', 'failed'] as const;
export const fileStatus = pgEnum('file_status', FILE_STATUSES);

const tsvector = customType<{ data: string }>({
  dataType: () => 'tsvector',
});

export const files = pgTable(
  'files',
  {
    id: uuidV7PrimaryKey(),
    userId: ownerId(),
    name: text('name').notNull(),
    /** What the client said the file is. */
    contentType: text('content_type').notNull(),
    /** What the stored bytes turned out to be, once the upload is checked. */
    detectedContentType: text('detected_content_type'),
    /** Bytes, as declared; the stored object must match it exactly. */
    size: bigint('size', { mode: 'number' }).notNull(),
    /** The object's key in storage (`users/{userId}/…`). */
    storageKey: text('storage_key').notNull(),
    status: fileStatus('status').notNull().default('pending'),
    failureReason: text('failure_reason'),
    chunkCount: integer('chunk_count').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** When the upload was checked and ingestion queued. */
    completedAt: timestamptz('completed_at'),
  },
  (table) => [
    // "My files, newest first", with the id as the tie-breaker of the cursor.
    index('files_user_id_created_at_id_idx').on(table.userId, table.createdAt, table.id),
    // A storage notification names the object by key.
    uniqueIndex('files_storage_key_idx').on(table.storageKey),
  ],
);

export const fileChunks = pgTable(
  'file_chunks',
  {
    id: uuidV7PrimaryKey(),
    fileId: uuid('file_id')
      .notNull()
      .references(() => files.id, { onDelete: 'cascade' }),
    // The owner on every chunk, so a search can never reach another user's rows.
    userId: ownerId(),
    /** 0-based order of the chunk in its file. */
    position: integer('position').notNull(),
    content: text('content').notNull(),
    tokenCount: integer('token_count').notNull(),
    /** Where the chunk came from (page, heading, character offsets); free-form. */
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    /** Only on databases with pgvector (see the module comment). */
    embedding: vector('embedding', { dimensions: EMBEDDING_DIMENSIONS }),
    search: tsvector('search')
      .notNull()
      .generatedAlwaysAs(sql.raw(`to_tsvector('${CHUNK_SEARCH_CONFIG}'::regconfig, "content")`)),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('file_chunks_file_id_position_idx').on(table.fileId, table.position),
    index('file_chunks_user_id_idx').on(table.userId),
    index('file_chunks_embedding_idx')
      .using('hnsw', table.embedding.op('vector_cosine_ops'))
      .with({ m: HNSW_M, ef_construction: HNSW_EF_CONSTRUCTION }),
    index('file_chunks_search_idx').using('gin', table.search),
  ],
);

export type FileRecord = typeof files.$inferSelect;
export type NewFileRecord = typeof files.$inferInsert;
export type FileStatus = (typeof FILE_STATUSES)[number];
export type FileChunk = typeof fileChunks.$inferSelect;
export type NewFileChunk = typeof fileChunks.$inferInsert;

/**
 * Ingestion of one uploaded file, on the worker: `processing` → read the object → extract its
 * text → split → embed in batches → write the chunks → `ready` with the chunk count.
 *
 * - The chunks are written in one transaction that first deletes the file's old ones, so
 *   ingesting a file again (a redelivered job, a retry, two deliveries at once) leaves
 *   exactly one set. A job for a file already `ready` changes nothing.
 * - A failure always leaves the file `failed` with a reason a user can read, never stuck in
 *   `processing`. One that cannot succeed (an unreadable document, an embedding model of the
 *   wrong width, the daily token budget used up) throws PermanentJobError: no retry. Any other
 *   (storage, the embedding endpoint, the database) is rethrown for the queue to retry with
 *   backoff; the retry sets `processing` again.
 * - The embedding tokens are charged to the file's owner (GET /api/ai/usage shows them); a
 *   user over the daily budget is refused before anything is embedded.
 * - On a database without pgvector the chunks are stored without vectors: full-text search
 *   still finds them.
 */
import { type FileRecord, fileChunks, files } from '@backend/shared/schema';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { countTokens } from '../ai/runtime/tokens.ts';
import type { UsageService } from '../ai/usage/usage.service.ts';
import type { Database } from '../lib/db/index.ts';
import { hasVectorSupport } from '../lib/db/vector.ts';
import { ApiError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { PermanentJobError } from '../lib/queue/types.ts';
import { type ChunkingOptions, splitIntoChunks } from './chunking.ts';
import { type Embedder, EmbeddingShapeError } from './embeddings.ts';
import { extractText, UnreadableDocumentError } from './extract.ts';

/** Rows per INSERT: a 1536-number vector is ~20 KB of SQL text. */
const INSERT_BATCH = 100;

/** A chunk as written: its vector, or null on a database without pgvector. */
export interface ChunkRow {
  position: number;
  content: string;
  tokenCount: number;
  embedding: number[] | null;
}

/**
 * One INSERT of `rows`, naming the embedding column only when there are vectors: a database
 * without pgvector has no such column (and Drizzle's insert would name it).
 */
export function insertChunks(file: Pick<FileRecord, 'id' | 'userId'>, rows: ChunkRow[]): SQL {
  const withVectors = rows.some((row) => row.embedding !== null);
  const values = rows.map(
    (row) =>
      sql`(${uuidv7()}, ${file.id}, ${file.userId}, ${row.position}, ${row.content}, ${row.tokenCount}${
        withVectors ? sql`, ${`[${(row.embedding ?? []).join(',')}]`}::vector` : sql``
      })`,
  );
  return sql`insert into ${fileChunks} (id, file_id, user_id, position, content, token_count${
    withVectors ? sql`, embedding` : sql``
  }) values ${sql.join(values, sql`, `)}`;
}

export interface IngestionDeps {
  db: Database;
  embedder: Embedder;
  usage: Pick<UsageService, 'assertWithinBudget' | 'record'>;
  /** The stored object's bytes; null when nothing is stored under the key. */
  readObject(storageKey: string): Promise<Uint8Array | null>;
  chunking: ChunkingOptions;
  logger?: Logger;
}

export interface IngestionResult {
  /** `skipped`: not waiting for ingestion (still `pending`, or already `ready`). */
  status: 'ready' | 'gone' | 'skipped';
  chunkCount: number;
  embeddingTokens: number;
}

/** Why a failure cannot be retried into success, or null when a retry may help. */
function permanentReason(error: unknown): string | null {
  if (error instanceof UnreadableDocumentError) return error.message;
  if (error instanceof EmbeddingShapeError) return `Embedding failed: ${error.message}`;
  if (error instanceof ApiError && error.status === 429) {
    return 'The daily token budget is used up; upload the file again after it resets';
  }
  return null;
}

async function setStatus(
  db: Pick<Database, 'update'>,
  file: Pick<FileRecord, 'id' | 'userId'>,
  values: Partial<Pick<FileRecord, 'status' | 'failureReason' | 'chunkCount'>>,
) {
  await db
    .update(files)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(files.id, file.id), eq(files.userId, file.userId)));
}

/**
 * Ingests the file `fileId` when it is `processing` (or `failed`, retried). Resolves `gone`
 * for a file deleted meanwhile and `skipped` for one not waiting for ingestion; throws
 * PermanentJobError or the retryable error after marking the file `failed`.
 */
export async function ingestStoredFile(
  deps: IngestionDeps,
  fileId: string,
  signal?: AbortSignal,
): Promise<IngestionResult> {
  const { db } = deps;
  const [file] = await db.select().from(files).where(eq(files.id, fileId)).limit(1);
  if (!file) return { status: 'gone', chunkCount: 0, embeddingTokens: 0 };
  // A redelivered job of a file already done (or never uploaded) changes nothing; `failed`
  // is taken again, as a retry after a temporary failure.
  if (file.status === 'ready' || file.status === 'pending') {
    return { status: 'skipped', chunkCount: file.chunkCount, embeddingTokens: 0 };
  }
  await setStatus(db, file, { status: 'processing', failureReason: null });
  try {
    signal?.throwIfAborted();
    const bytes = await deps.readObject(file.storageKey);
    if (!bytes) throw new UnreadableDocumentError('The uploaded file is no longer in storage');
    const contentType = file.detectedContentType ?? file.contentType;
    const text = await extractText(bytes, contentType);
    const chunks = await splitIntoChunks(text, contentType, deps.chunking);
    signal?.throwIfAborted();

    let vectors: number[][] | null = null;
    let embeddingTokens = 0;
    if (await hasVectorSupport(db)) {
      await deps.usage.assertWithinBudget(file.userId);
      const embedded = await deps.embedder.embed(
        chunks.map((chunk) => chunk.content),
        signal,
      );
      vectors = embedded.vectors;
      embeddingTokens = embedded.tokens;
      await deps.usage.record({
        userId: file.userId,
        model: deps.embedder.model,
        provider: deps.embedder.provider,
        promptTokens: embeddingTokens,
        completionTokens: 0,
      });
    }
    signal?.throwIfAborted();

    const rows: ChunkRow[] = chunks.map((chunk, index) => ({
      position: chunk.position,
      content: chunk.content,
      tokenCount: countTokens(chunk.content),
      embedding: vectors?.[index] ?? null,
    }));
    const written = await db.transaction(async (tx) => {
      // The file may have been deleted meanwhile: then nothing is written.
      const [still] = await tx
        .select({ id: files.id })
        .from(files)
        .where(eq(files.id, file.id))
        .for('update');
      if (!still) return false;
      await tx.delete(fileChunks).where(eq(fileChunks.fileId, file.id));
      for (let i = 0; i < rows.length; i += INSERT_BATCH) {
        await tx.execute(insertChunks(file, rows.slice(i, i + INSERT_BATCH)));
      }
      await tx
        .update(files)
        .set({
          status: 'ready',
          failureReason: null,
          chunkCount: rows.length,
          updatedAt: new Date(),
        })
        .where(eq(files.id, file.id));
      return true;
    });
    if (!written) return { status: 'gone', chunkCount: 0, embeddingTokens };
    deps.logger?.info('file ingested', {
      fileId: file.id,
      chunks: rows.length,
      embeddingTokens,
      embeddingModel: deps.embedder.model,
    });
    return { status: 'ready', chunkCount: rows.length, embeddingTokens };
  } catch (error) {
    const permanent = permanentReason(error);
    const reason =
      permanent ??
      (signal?.aborted
        ? 'Ingestion was interrupted; it will be retried'
        : 'Ingestion failed on a temporary error; it will be retried');
    // Nothing half-stored: a failed file has no chunks, old or new.
    await db
      .transaction(async (tx) => {
        await tx.delete(fileChunks).where(eq(fileChunks.fileId, file.id));
        await setStatus(tx, file, {
          status: 'failed',
          failureReason: reason,
          chunkCount: 0,
        });
      })
      .catch((cause: unknown) =>
        deps.logger?.error('could not mark the file failed', {
          fileId: file.id,
          error: cause instanceof Error ? cause.message : String(cause),
        }),
      );
    deps.logger?.warn('file ingestion failed', {
      fileId: file.id,
      permanent: permanent !== null,
      error: error instanceof Error ? error.message : String(error),
    });
    if (permanent) throw new PermanentJobError(permanent, { cause: error });
    throw error;
  }
}

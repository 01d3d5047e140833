/**
 * The files feature's service: starting an upload (limits and quotas), confirming it (the
 * stored bytes checked against the declaration, then ingestion queued), listing, download
 * links and deletion. Ownership is checked in one place (`ownFile`); another user's file is
 * an expected miss like a missing one (`null`), which the handlers answer with 404.
 */
import { randomUUID } from 'node:crypto';
import { type FileRecord, files } from '@backend/shared/schema';
import { and, count, desc, eq, sql, sum } from 'drizzle-orm';
import type { Env } from '../env.ts';
import type { Database } from '../lib/db/index.ts';
import { afterCursor, type CursorKey, toPage } from '../lib/pagination.ts';
import type { JobQueue } from '../lib/queue/types.ts';
import type { ObjectStorage, UploadTarget } from '../lib/storage/types.ts';
import { objectKeyOf } from '../lib/storage/types.ts';
import { FILES_INGEST_JOB, type FilesIngestJob } from './jobs.ts';
import { SNIFF_BYTES, sniffContentType } from './sniff.ts';

/** The limits of FILES_* configuration. */
export interface FileLimits {
  allowedTypes: readonly string[];
  maxBytes: number;
  maxFilesPerUser: number;
  maxBytesPerUser: number;
  uploadExpiresSeconds: number;
  downloadExpiresSeconds: number;
}

export const fileLimitsOf = (env: Env): FileLimits => ({
  allowedTypes: env.FILES_ALLOWED_TYPES,
  maxBytes: env.FILES_MAX_BYTES,
  maxFilesPerUser: env.FILES_MAX_PER_USER,
  maxBytesPerUser: env.FILES_MAX_BYTES_PER_USER,
  uploadExpiresSeconds: env.FILES_UPLOAD_EXPIRES_SECONDS,
  downloadExpiresSeconds: env.FILES_DOWNLOAD_EXPIRES_SECONDS,
});

export const toFile = (file: FileRecord) => ({
  id: file.id,
  name: file.name,
  contentType: file.contentType,
  detectedContentType: file.detectedContentType,
  size: file.size,
  status: file.status,
  failureReason: file.failureReason,
  chunkCount: file.chunkCount,
  createdAt: file.createdAt.toISOString(),
  updatedAt: file.updatedAt.toISOString(),
  completedAt: file.completedAt?.toISOString() ?? null,
});

/** The one ownership check: the file `fileId`, if it is `userId`'s. */
const ownFile = (fileId: string, userId: string) =>
  and(eq(files.id, fileId), eq(files.userId, userId));

export interface NewUpload {
  name: string;
  contentType: string;
  size: number;
}

export type CreateResult =
  | { ok: true; file: FileRecord; upload: UploadTarget }
  | { ok: false; reason: 'type-not-allowed'; allowedTypes: readonly string[] }
  | { ok: false; reason: 'too-large'; maxBytes: number }
  | { ok: false; reason: 'quota-files'; quota: { maxFiles: number; files: number } }
  | {
      ok: false;
      reason: 'quota-bytes';
      quota: { maxBytes: number; usedBytes: number; requestedBytes: number };
    };

export type CompleteResult =
  | { ok: true; file: FileRecord }
  | { ok: false; reason: 'not-uploaded' }
  | { ok: false; reason: 'size-mismatch'; declared: number; stored: number }
  | { ok: false; reason: 'type-mismatch'; declared: string; detected: string };

export interface FilesServiceOptions {
  db: Database;
  storage: ObjectStorage;
  queue: JobQueue;
  limits: FileLimits;
}

export function createFilesService({ db, storage, queue, limits }: FilesServiceOptions) {
  async function find(userId: string, fileId: string): Promise<FileRecord | null> {
    const [file] = await db.select().from(files).where(ownFile(fileId, userId));
    return file ?? null;
  }

  /** Marks a pending file failed, deleting what was stored: nothing half-kept. */
  async function reject(file: FileRecord, reason: string) {
    await storage.delete(file.storageKey);
    await db
      .update(files)
      .set({ status: 'failed', failureReason: reason })
      .where(and(eq(files.id, file.id), eq(files.status, 'pending')));
  }

  /**
   * Checks the stored object of a pending file and queues its ingestion; a file already past
   * `pending` is answered as it is (a second confirmation, or the bucket's notification after
   * the client's call, changes nothing).
   */
  async function completeFile(file: FileRecord): Promise<CompleteResult> {
    if (file.status !== 'pending') return { ok: true, file };
    const stored = await storage.head(file.storageKey);
    if (!stored) return { ok: false, reason: 'not-uploaded' };
    if (stored.size !== file.size) {
      await reject(file, `The stored file has ${stored.size} bytes, not the ${file.size} declared`);
      return { ok: false, reason: 'size-mismatch', declared: file.size, stored: stored.size };
    }
    const start = (await storage.readStart(file.storageKey, SNIFF_BYTES)) ?? new Uint8Array();
    const sniffed = await sniffContentType(start, file.contentType);
    if (!sniffed.ok || !limits.allowedTypes.includes(sniffed.detected)) {
      await reject(
        file,
        `The stored file is ${sniffed.detected}, not the ${file.contentType} declared`,
      );
      return {
        ok: false,
        reason: 'type-mismatch',
        declared: file.contentType,
        detected: sniffed.detected,
      };
    }
    const [updated] = await db
      .update(files)
      .set({ status: 'processing', detectedContentType: sniffed.detected, completedAt: new Date() })
      .where(and(eq(files.id, file.id), eq(files.status, 'pending')))
      .returning();
    // Another confirmation won the race: it queued the ingestion.
    if (!updated) return { ok: true, file: (await findById(file.id)) ?? file };
    await queue.enqueue<FilesIngestJob>(
      FILES_INGEST_JOB,
      { fileId: file.id },
      { id: `${FILES_INGEST_JOB}:${file.id}` },
    );
    return { ok: true, file: updated };
  }

  async function findById(fileId: string): Promise<FileRecord | null> {
    const [file] = await db.select().from(files).where(eq(files.id, fileId));
    return file ?? null;
  }

  return {
    find,

    /** A page of `userId`'s files, newest first. */
    async listPage(userId: string, limit: number, cursor?: CursorKey) {
      const rows = await db
        .select()
        .from(files)
        .where(and(eq(files.userId, userId), afterCursor(files, cursor, 'newest-first')))
        .orderBy(desc(files.createdAt), desc(files.id))
        .limit(limit + 1);
      return toPage(rows, limit, toFile);
    },

    /** A pending file and its upload target, within the type, size and quota limits. */
    async create(userId: string, request: NewUpload): Promise<CreateResult> {
      if (!limits.allowedTypes.includes(request.contentType))
        return { ok: false, reason: 'type-not-allowed', allowedTypes: limits.allowedTypes };
      if (request.size > limits.maxBytes)
        return { ok: false, reason: 'too-large', maxBytes: limits.maxBytes };
      return db.transaction(async (tx): Promise<CreateResult> => {
        // One quota check-and-insert per user at a time, in every container.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`files:${userId}`}))`);
        const [usage] = await tx
          .select({ files: count(), bytes: sum(files.size).mapWith(Number) })
          .from(files)
          .where(eq(files.userId, userId));
        const used = { files: usage?.files ?? 0, bytes: usage?.bytes ?? 0 };
        if (used.files >= limits.maxFilesPerUser)
          return {
            ok: false,
            reason: 'quota-files',
            quota: { maxFiles: limits.maxFilesPerUser, files: used.files },
          };
        if (used.bytes + request.size > limits.maxBytesPerUser)
          return {
            ok: false,
            reason: 'quota-bytes',
            quota: {
              maxBytes: limits.maxBytesPerUser,
              usedBytes: used.bytes,
              requestedBytes: request.size,
            },
          };
        const storageKey = objectKeyOf(userId, randomUUID());
        const [file] = await tx
          .insert(files)
          .values({ userId, ...request, storageKey })
          .returning();
        if (!file) throw new Error('insert returned no row');
        const upload = await storage.createUpload({
          key: storageKey,
          contentType: request.contentType,
          size: request.size,
          expiresInSeconds: limits.uploadExpiresSeconds,
        });
        return { ok: true, file, upload };
      });
    },

    /** Confirms `userId`'s upload; null when the file is not theirs. */
    async complete(userId: string, fileId: string): Promise<CompleteResult | null> {
      const file = await find(userId, fileId);
      return file ? completeFile(file) : null;
    },

    /** Confirms the upload stored under `key` (the bucket's notification); null: no such file. */
    async completeByKey(key: string): Promise<CompleteResult | null> {
      const [file] = await db.select().from(files).where(eq(files.storageKey, key));
      return file ? completeFile(file) : null;
    },

    /** The pending file whose upload goes to `key` (the local upload route). */
    async pendingByKey(key: string): Promise<FileRecord | null> {
      const [file] = await db
        .select()
        .from(files)
        .where(and(eq(files.storageKey, key), eq(files.status, 'pending')));
      return file ?? null;
    },

    /** A download link, `not-uploaded` before completion, or null when not the user's. */
    async downloadLink(userId: string, fileId: string) {
      const file = await find(userId, fileId);
      if (!file) return null;
      if (!file.completedAt) return 'not-uploaded' as const;
      return storage.createDownload({
        key: file.storageKey,
        fileName: file.name,
        contentType: file.detectedContentType ?? file.contentType,
        expiresInSeconds: limits.downloadExpiresSeconds,
      });
    },

    /** Deletes the object, then the file with its chunks; false when it is not the user's. */
    async remove(userId: string, fileId: string): Promise<boolean> {
      const file = await find(userId, fileId);
      if (!file) return false;
      await storage.delete(file.storageKey);
      const deleted = await db
        .delete(files)
        .where(ownFile(fileId, userId))
        .returning({ id: files.id });
      return deleted.length > 0;
    },
  };
}

export type FilesService = ReturnType<typeof createFilesService>;

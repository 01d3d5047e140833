/**
 * Ingestion of an uploaded file, run by the `files.ingest` job (src/jobs.ts) once its upload
 * is confirmed (status `processing`): extract the text, split it into chunks, embed them and
 * store them in `file_chunks`, then mark the file `ready` with its chunk count — or `failed`
 * with a reason, never left in `processing`.
 *
 * This version stores no chunks: every file ends `failed` with "ingestion not available".
 */
import { files } from '@backend/shared/schema';
import { and, eq } from 'drizzle-orm';
import type { AppDeps } from '../lib/app-deps.ts';
import type { JobContext } from '../lib/queue/types.ts';

/** The reason a file fails while ingestion is not available. */
export const INGESTION_UNAVAILABLE = 'ingestion not available';

/**
 * Ingests the file `fileId`. Idempotent: a job delivered twice, or a file no longer
 * `processing` (deleted, or already done), changes nothing. Throwing retries the job;
 * `PermanentJobError` (lib/queue/types.ts) does not.
 *
 * @param deps the app's dependencies (database, storage, configuration, AI keys, logger)
 * @param fileId the file to ingest
 * @param context the delivery: attempt number and the signal that aborts on shutdown
 */
export async function ingestFile(
  deps: AppDeps,
  fileId: string,
  context: JobContext,
): Promise<void> {
  if (context.signal.aborted) return;
  await deps.database.db
    .update(files)
    .set({ status: 'failed', failureReason: INGESTION_UNAVAILABLE })
    .where(and(eq(files.id, fileId), eq(files.status, 'processing')));
}

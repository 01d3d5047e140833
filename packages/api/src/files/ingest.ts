/**
 * Ingestion of an uploaded file, run by the `files.ingest` job (src/jobs.ts) once its upload
 * is confirmed (status `processing`): extract the text, split it into chunks, embed them and
 * store them in `file_chunks`, then mark the file `ready` with its chunk count — or `failed`
 * with a reason, never left in `processing`. The work itself is `ingestStoredFile`
 * (ingestion.ts); this binds it to the app's storage, embedder and usage records.
 */
import { loadAiRuntime } from '../ai/runtime/load.ts';
import type { AppDeps } from '../lib/app-deps.ts';
import type { JobContext } from '../lib/queue/types.ts';
import { PermanentJobError } from '../lib/queue/types.ts';
import { ingestStoredFile } from './ingestion.ts';

/**
 * Ingests the file `fileId`. Idempotent: a job delivered twice, or a file no longer waiting
 * for ingestion (deleted, or already done), changes nothing. Throwing retries the job;
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
  const { storage } = deps;
  if (!storage) throw new PermanentJobError('No file storage is configured');
  const runtime = await loadAiRuntime(deps);
  await ingestStoredFile(
    {
      db: deps.database.db,
      embedder: runtime.embedder,
      usage: runtime.usage,
      readObject: (key) => storage.read(key),
      chunking: {
        chunkSize: deps.env.FILES_CHUNK_SIZE,
        chunkOverlap: deps.env.FILES_CHUNK_OVERLAP,
      },
      logger: deps.logger,
    },
    fileId,
    context.signal,
  );
}

/**
 * The `files.object-created` job: the uploads bucket announced a new object (on AWS, its
 * event notification), so the upload is confirmed without waiting for the client's
 * `POST /api/files/{fileId}/complete`. Either may come first; the second changes nothing.
 */
import type { AppDeps } from '../lib/app-deps.ts';
import { createFilesService, fileLimitsOf } from './files.service.ts';
import type { FilesObjectCreatedJob } from './jobs.ts';

export async function completeStoredObject(
  deps: AppDeps,
  { bucket, key }: FilesObjectCreatedJob,
): Promise<void> {
  const { storage, logger } = deps;
  if (!storage || storage.location !== bucket) {
    logger.warn('object notification for another bucket ignored', { bucket });
    return;
  }
  const service = createFilesService({
    db: deps.database.db,
    storage,
    queue: deps.jobs.queue,
    limits: fileLimitsOf(deps.env),
  });
  const result = await service.completeByKey(key);
  if (!result) logger.warn('object notification for no known file', { bucket });
  else if (!result.ok) logger.info('stored object refused', { reason: result.reason });
}

/** The files feature's jobs (registered in src/jobs.ts). */

/** Extract, split and embed an uploaded file (ingest.ts). */
export const FILES_INGEST_JOB = 'files.ingest';

export interface FilesIngestJob {
  fileId: string;
}

/**
 * An object arrived in the uploads bucket (the bucket's notification, on AWS): the upload
 * is confirmed as if its owner had called `POST /api/files/{fileId}/complete`. The worker's
 * batch handling names the type, as it turns S3 notifications into these jobs.
 */
export {
  OBJECT_CREATED_JOB as FILES_OBJECT_CREATED_JOB,
  type ObjectCreatedJob as FilesObjectCreatedJob,
} from '../lib/queue/sqs-batch.ts';

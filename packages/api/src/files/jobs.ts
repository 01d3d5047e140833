/** The files feature's jobs (registered in src/jobs.ts). */

/** Extract, split and embed an uploaded file (ingest.ts). */
export const FILES_INGEST_JOB = 'files.ingest';

export interface FilesIngestJob {
  fileId: string;
}

/**
 * An object arrived in the uploads bucket (the bucket's notification, on AWS): the upload
 * is confirmed as if its owner had called `POST /api/files/{fileId}/complete`.
 */
export const FILES_OBJECT_CREATED_JOB = 'files.object-created';

export interface FilesObjectCreatedJob {
  bucket: string;
  key: string;
  size: number;
}

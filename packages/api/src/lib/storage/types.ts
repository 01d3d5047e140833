/**
 * The object-storage contract for uploaded files. On AWS an S3 bucket (s3.ts): the browser
 * uploads straight to it with a presigned POST, and downloads with a presigned GET. Locally a
 * directory (local.ts): the same shapes, pointing at the app, which checks a signed, expiring
 * token. One contract suite (storage.test.ts) runs against both.
 */

/** Where and how a client sends a file's bytes. */
export interface UploadTarget {
  url: string;
  /** `POST`: multipart form with `fields` first, the file last (S3); `PUT`: the raw bytes. */
  method: 'POST' | 'PUT';
  /** Form fields to send before the file, as given (POST only). */
  fields?: Record<string, string>;
  /** Headers to send with the bytes (PUT only). */
  headers?: Record<string, string>;
  /** ISO 8601; after it the target refuses the upload. */
  expiresAt: string;
}

/** A link that serves a stored object to whoever holds it, until it expires. */
export interface DownloadLink {
  url: string;
  expiresAt: string;
}

export interface UploadRequest {
  key: string;
  contentType: string;
  /** Exact size in bytes; the target refuses a larger body. */
  size: number;
  expiresInSeconds: number;
}

export interface DownloadRequest {
  key: string;
  /** The name the browser saves it under. */
  fileName: string;
  contentType: string;
  expiresInSeconds: number;
}

export interface StoredObject {
  /** Bytes stored. */
  size: number;
}

export interface ObjectStorage {
  readonly kind: 'local' | 's3';
  /** The bucket name (S3) or the directory (local), as storage notifications name it. */
  readonly location: string;
  createUpload(request: UploadRequest): Promise<UploadTarget>;
  createDownload(request: DownloadRequest): Promise<DownloadLink>;
  /** The object's size, or null when nothing is stored under `key`. */
  head(key: string): Promise<StoredObject | null>;
  /** Up to `length` bytes from the start (fewer for a shorter object); null when absent. */
  readStart(key: string, length: number): Promise<Uint8Array | null>;
  /** The whole object (ingestion reads it); null when absent. */
  read(key: string): Promise<Uint8Array | null>;
  /** Deletes the object; nothing stored under `key` is not an error. */
  delete(key: string): Promise<void>;
}

/** The key of a new object of `userId`'s: every user's objects under their own prefix. */
export const objectKeyOf = (userId: string, fileId: string) =>
  `users/${encodeURIComponent(userId)}/${fileId}`;

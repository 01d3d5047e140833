/**
 * Object storage in an S3 bucket. The browser uploads straight to the bucket with a presigned
 * POST whose policy pins the exact size, the content type and the object key (under the
 * user's prefix); downloads are presigned GETs. The AWS SDK loads on first use (the Lambda
 * runtime provides it; the bundle leaves `@aws-sdk/*` out).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { ObjectStorage } from './types.ts';

export interface S3StorageOptions {
  bucket: string;
  /** A client of the caller's (tests pass one with static credentials). @default a new S3Client */
  client?: S3Client;
  /** @default Date.now */
  now?: () => number;
}

const isMissing = (error: unknown) => {
  const { name, $metadata } = error as { name?: unknown; $metadata?: { httpStatusCode?: number } };
  return name === 'NotFound' || name === 'NoSuchKey' || $metadata?.httpStatusCode === 404;
};

/** The folder prefix of a key (`users/{userId}/`), which the POST policy pins. */
const prefixOf = (key: string) => key.slice(0, key.lastIndexOf('/') + 1);

export function createS3Storage(options: S3StorageOptions): ObjectStorage {
  const { bucket } = options;
  const now = options.now ?? Date.now;
  let sdk: ReturnType<typeof loadSdk> | undefined;
  const load = () => {
    sdk ??= loadSdk(options.client);
    return sdk;
  };

  async function get(key: string, range?: string) {
    const { client, s3 } = await load();
    try {
      const object = await client.send(
        new s3.GetObjectCommand({ Bucket: bucket, Key: key, Range: range }),
      );
      return object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  return {
    kind: 's3',
    location: bucket,

    async createUpload({ key, contentType, size, expiresInSeconds }) {
      const { client, presignedPost } = await load();
      const expiresAt = new Date(now() + expiresInSeconds * 1000).toISOString();
      const { url, fields } = await presignedPost.createPresignedPost(client, {
        Bucket: bucket,
        Key: key,
        Fields: { 'Content-Type': contentType },
        Conditions: [
          ['content-length-range', size, size],
          ['eq', '$Content-Type', contentType],
          ['starts-with', '$key', prefixOf(key)],
        ],
        Expires: expiresInSeconds,
      });
      return { url, method: 'POST', fields, expiresAt };
    },

    async createDownload({ key, fileName, contentType, expiresInSeconds }) {
      const { client, s3, presigner } = await load();
      const command = new s3.GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ResponseContentType: contentType,
        ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      });
      const url = await presigner.getSignedUrl(client, command, { expiresIn: expiresInSeconds });
      return { url, expiresAt: new Date(now() + expiresInSeconds * 1000).toISOString() };
    },

    async head(key) {
      const { client, s3 } = await load();
      try {
        const object = await client.send(new s3.HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { size: object.ContentLength ?? 0 };
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },

    readStart: (key, length) => get(key, `bytes=0-${Math.max(0, length - 1)}`),

    read: (key) => get(key),

    async delete(key) {
      const { client, s3 } = await load();
      await client.send(new s3.DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}

async function loadSdk(client?: S3Client) {
  const [s3, presignedPost, presigner] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/s3-presigned-post'),
    import('@aws-sdk/s3-request-presigner'),
  ]);
  return { s3, presignedPost, presigner, client: client ?? new s3.S3Client({}) };
}

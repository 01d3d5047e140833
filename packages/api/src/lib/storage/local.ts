/**
 * Object storage in a local directory (a laptop, tests). Upload targets and download links
 * point at the app's own routes (`PUT /api/files/uploads`, `GET /api/files/downloads`) with a
 * signed, expiring token in the query string; those routes call `write` and `openRead`.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { LOCAL_DOWNLOAD_PATH, LOCAL_UPLOAD_PATH } from './paths.ts';
import { signToken, type TokenClaims, type TokenPurpose, verifyToken } from './tokens.ts';
import type { ObjectStorage, StoredObject } from './types.ts';

export interface LocalStorageOptions {
  /** The directory objects are kept in (created on first write). */
  dir: string;
  /** The app's public URL: targets and links point at it. */
  publicUrl: string;
  /** The HMAC key of the tokens (see `storageTokenKey`). */
  signingKey: Uint8Array;
  /** @default Date.now */
  now?: () => number;
}

/** What `write` did: stored, or refused (and nothing kept) for a body of the wrong size. */
export type WriteOutcome = 'stored' | 'too-large' | 'too-small';

export interface LocalStorage extends ObjectStorage {
  readonly kind: 'local';
  /** The claims of a valid, unexpired token for `purpose`, or null. */
  verify(token: string, purpose: TokenPurpose): TokenClaims | null;
  /**
   * Streams `body` to `key`, stopping as soon as it passes `size` bytes. Written to a
   * temporary file and renamed, so a refused or broken upload leaves nothing under `key`.
   */
  write(key: string, body: ReadableStream<Uint8Array> | null, size: number): Promise<WriteOutcome>;
  /** The object as a stream, or null when absent. */
  openRead(key: string): Promise<{ stream: ReadableStream<Uint8Array>; size: number } | null>;
}

const isMissing = (error: unknown) => (error as { code?: unknown }).code === 'ENOENT';

export function createLocalStorage(options: LocalStorageOptions): LocalStorage {
  const root = resolve(options.dir);
  const now = options.now ?? Date.now;
  const base = new URL(options.publicUrl);

  /** The file of `key`, refusing any key that would leave the directory. */
  const pathOf = (key: string) => {
    const path = resolve(root, key);
    if (!path.startsWith(root + sep) || key.includes('\0')) throw new Error('Invalid object key');
    return path;
  };
  const linkTo = (path: string, claims: TokenClaims) => {
    const url = new URL(path, base);
    url.searchParams.set('token', signToken(options.signingKey, claims));
    return { url: url.toString(), expiresAt: new Date(claims.expires * 1000).toISOString() };
  };
  const expiry = (seconds: number) => Math.floor(now() / 1000) + seconds;

  async function head(key: string): Promise<StoredObject | null> {
    try {
      return { size: (await stat(pathOf(key))).size };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  return {
    kind: 'local',
    location: root,

    async createUpload({ key, contentType, size, expiresInSeconds }) {
      const claims = { purpose: 'upload' as const, key, contentType, size };
      const link = linkTo(LOCAL_UPLOAD_PATH, { ...claims, expires: expiry(expiresInSeconds) });
      return { ...link, method: 'PUT', headers: { 'content-type': contentType } };
    },

    async createDownload({ key, fileName, contentType, expiresInSeconds }) {
      const stored = await head(key);
      return linkTo(LOCAL_DOWNLOAD_PATH, {
        purpose: 'download',
        key,
        contentType,
        size: stored?.size ?? 0,
        fileName,
        expires: expiry(expiresInSeconds),
      });
    },

    head,

    async readStart(key, length) {
      let handle: Awaited<ReturnType<typeof open>> | undefined;
      try {
        handle = await open(pathOf(key), 'r');
        const buffer = new Uint8Array(length);
        const { bytesRead } = await handle.read(buffer, 0, length, 0);
        return buffer.subarray(0, bytesRead);
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      } finally {
        await handle?.close();
      }
    },

    async read(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },

    verify: (token, purpose) => verifyToken(options.signingKey, token, purpose, now()),

    async write(key, body, size) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const partial = `${path}.${randomBytes(6).toString('hex')}.part`;
      const handle = await open(partial, 'wx');
      let closed = false;
      let renamed = false;
      try {
        const reader = body?.getReader();
        let written = 0;
        while (reader) {
          const { done, value } = await reader.read();
          if (done) break;
          written += value.byteLength;
          if (written > size) {
            await reader.cancel().catch(() => {});
            return 'too-large';
          }
          await handle.write(value);
        }
        if (written < size) return 'too-small';
        await handle.close();
        closed = true;
        await rename(partial, path);
        renamed = true;
        return 'stored';
      } finally {
        // A refused, broken or failed upload leaves nothing behind.
        if (!closed) await handle.close();
        if (!renamed) await rm(partial, { force: true });
      }
    },

    async openRead(key) {
      const stored = await head(key);
      if (!stored) return null;
      const stream = Readable.toWeb(
        createReadStream(pathOf(key)),
      ) as unknown as ReadableStream<Uint8Array>;
      return { stream, size: stored.size };
    },
  };
}

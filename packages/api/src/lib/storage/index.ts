/**
 * The files' object storage from configuration: the S3 bucket FILES_BUCKET names, else (on
 * the local stage only) a directory. A deployed stage without a bucket has no storage: the
 * file routes answer 503 rather than write to a function's disk.
 *
 * The adapter's module loads on first use, so a cold start that touches no file pays nothing.
 */
import { resolve } from 'node:path';
import type { Env } from '../../env.ts';
import type { ObjectStorage } from './types.ts';

export type { ObjectStorage } from './types.ts';

/** A storage whose adapter loads on first use; `adapter()` gives the adapter itself. */
export interface LazyStorage extends ObjectStorage {
  adapter(): Promise<ObjectStorage>;
}

export function createStorage(env: Env, authSecret: string): LazyStorage | null {
  const bucket = env.FILES_BUCKET;
  if (bucket)
    return lazyStorage('s3', bucket, async () => {
      const { createS3Storage } = await import('./s3.ts');
      return createS3Storage({ bucket });
    });
  if (env.STAGE !== 'local') return null;
  const dir = resolve(env.FILES_LOCAL_DIR);
  return lazyStorage('local', dir, async () => {
    const [{ createLocalStorage }, { storageTokenKey }] = await Promise.all([
      import('./local.ts'),
      import('./tokens.ts'),
    ]);
    return createLocalStorage({
      dir,
      publicUrl: env.PUBLIC_URL,
      signingKey: storageTokenKey(authSecret),
    });
  });
}

/** The adapter behind `storage` (itself, unless it is a lazy one). */
export const adapterOf = (storage: ObjectStorage): Promise<ObjectStorage> =>
  'adapter' in storage ? (storage as LazyStorage).adapter() : Promise.resolve(storage);

function lazyStorage(
  kind: ObjectStorage['kind'],
  location: string,
  load: () => Promise<ObjectStorage>,
): LazyStorage {
  let loading: Promise<ObjectStorage> | undefined;
  const adapter = () => {
    loading ??= load();
    return loading;
  };
  return {
    kind,
    location,
    adapter,
    createUpload: async (request) => (await adapter()).createUpload(request),
    createDownload: async (request) => (await adapter()).createDownload(request),
    head: async (key) => (await adapter()).head(key),
    readStart: async (key, length) => (await adapter()).readStart(key, length),
    read: async (key) => (await adapter()).read(key),
    delete: async (key) => (await adapter()).delete(key),
  };
}

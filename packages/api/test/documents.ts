/**
 * Documents for the ingestion and retrieval tests: users and file rows written straight to a
 * test database, an object store in memory, and the committed fixture documents.
 */
import { readFileSync } from 'node:fs';
import { files, user } from '@backend/shared/schema';
import type { Embedder } from '../src/files/embeddings.ts';
import { insertChunks } from '../src/files/ingestion.ts';
import type { Database } from '../src/lib/db/index.ts';

/** A committed fixture document (test/fixtures/files). */
export const fixtureDocument = (name: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array(readFileSync(new URL(`./fixtures/files/${name}`, import.meta.url)));

export async function addUser(db: Database, id: string) {
  await db.insert(user).values({ id, name: id, email: `${id}@example.com` });
}

/** Objects by key, as the storage would hold them. */
export function memoryObjects() {
  const objects = new Map<string, Uint8Array>();
  return {
    objects,
    put(key: string, bytes: Uint8Array | string) {
      objects.set(key, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes);
    },
    async readObject(key: string) {
      return objects.get(key) ?? null;
    },
  };
}

/** A file row as an upload's completion leaves it: `processing`, its bytes stored. */
export async function addFile(
  db: Database,
  store: ReturnType<typeof memoryObjects>,
  input: { userId: string; name: string; contentType: string; bytes: Uint8Array | string },
) {
  const storageKey = `users/${input.userId}/${crypto.randomUUID()}`;
  store.put(storageKey, input.bytes);
  const size = store.objects.get(storageKey)?.length ?? 0;
  const [row] = await db
    .insert(files)
    .values({
      userId: input.userId,
      name: input.name,
      contentType: input.contentType,
      detectedContentType: input.contentType,
      size,
      storageKey,
      status: 'processing',
    })
    .returning();
  if (!row) throw new Error('no file row');
  return row;
}

/**
 * Each document of `documents` as a `ready` file of `userId` whose passages are its chunks,
 * one each, embedded by `embedder` (null: no vectors). Returns the file ids by name.
 */
export async function seedPassages(
  db: Database,
  userId: string,
  documents: ReadonlyArray<{ name: string; passages: readonly string[] }>,
  embedder: Embedder | null,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const document of documents) {
    const [file] = await db
      .insert(files)
      .values({
        userId,
        name: document.name,
        contentType: 'text/plain',
        size: 1,
        storageKey: `users/${userId}/${crypto.randomUUID()}`,
        status: 'ready',
        chunkCount: document.passages.length,
      })
      .returning();
    if (!file) throw new Error('no file row');
    const vectors = embedder ? (await embedder.embed(document.passages)).vectors : null;
    await db.execute(
      insertChunks(
        file,
        document.passages.map((content, position) => ({
          position,
          content,
          tokenCount: content.split(/\s+/).length,
          embedding: vectors?.[position] ?? null,
        })),
      ),
    );
    ids.set(document.name, file.id);
  }
  return ids;
}

/** `embedder`, counting the calls made to it. */
export function countingEmbedder(embedder: Embedder) {
  const counted = {
    ...embedder,
    calls: 0,
    async embed(texts: readonly string[], signal?: AbortSignal) {
      counted.calls += 1;
      return embedder.embed(texts, signal);
    },
  };
  return counted;
}

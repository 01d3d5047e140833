import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { aiUsage, fileChunks, files } from '@backend/shared/schema';
import { asc, eq, sql } from 'drizzle-orm';
import {
  addFile,
  addUser,
  countingEmbedder,
  fixtureDocument,
  memoryObjects,
} from '../../test/documents.ts';
import { createTestDatabase } from '../../test/test-deps.ts';
import { budgetExceeded } from '../ai/usage/budget.ts';
import { createUsageService } from '../ai/usage/usage.service.ts';
import { parseEnv } from '../env.ts';
import type { DatabaseClient } from '../lib/db/index.ts';
import { PermanentJobError } from '../lib/queue/types.ts';
import { createEmbedder, LOCAL_EMBEDDING_MODEL } from './embeddings.ts';
import { PDF } from './extract.ts';
import { type IngestionDeps, ingestStoredFile } from './ingestion.ts';

const env = parseEnv({});
const chunking = { chunkSize: 200, chunkOverlap: 20 };
const longText = Array.from(
  { length: 40 },
  (_, i) => `Paragraph ${i} explains step ${i} of the deployment runbook.`,
).join('\n\n');

async function outcome(promise: Promise<unknown>) {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

describe('ingestStoredFile (with pgvector)', () => {
  let database: DatabaseClient;
  let deps: IngestionDeps;
  const store = memoryObjects();

  beforeAll(async () => {
    database = await createTestDatabase({ vector: true });
    await addUser(database.db, 'ingest-alice');
    deps = {
      db: database.db,
      embedder: createEmbedder({ env }),
      usage: createUsageService({ db: database.db, env }),
      readObject: store.readObject,
      chunking,
    };
  });
  afterAll(() => database.close());

  const chunksOf = (fileId: string) =>
    database.db
      .select({
        position: fileChunks.position,
        content: fileChunks.content,
        userId: fileChunks.userId,
        tokenCount: fileChunks.tokenCount,
        hasEmbedding: sql<boolean>`${fileChunks.embedding} is not null`,
      })
      .from(fileChunks)
      .where(eq(fileChunks.fileId, fileId))
      .orderBy(asc(fileChunks.position));
  const aliceFile = (
    name: string,
    bytes: Uint8Array | string = longText,
    contentType = 'text/plain',
  ) => addFile(database.db, store, { userId: 'ingest-alice', name, contentType, bytes });
  const fileRow = async (fileId: string) =>
    (await database.db.select().from(files).where(eq(files.id, fileId)))[0];

  test('a text file ends ready with its chunks, each embedded, owned and in order', async () => {
    const file = await aliceFile('runbook.txt');
    const result = await ingestStoredFile(deps, file.id);
    const chunks = await chunksOf(file.id);
    expect(result.status).toBe('ready');
    expect(chunks.length).toBeGreaterThan(5);
    expect(await fileRow(file.id)).toMatchObject({
      status: 'ready',
      chunkCount: chunks.length,
      failureReason: null,
    });
    expect(chunks.map((chunk) => chunk.position)).toEqual(chunks.map((_, i) => i));
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ userId: 'ingest-alice', hasEmbedding: true });
      expect(chunk.tokenCount).toBeGreaterThan(0);
    }
  });

  test('the embedding tokens are charged to the owner under the local embedding’s name', async () => {
    const file = await aliceFile('report.pdf', fixtureDocument('report.pdf'), PDF);
    const before = await database.db.select().from(aiUsage);
    const result = await ingestStoredFile(deps, file.id);
    const rows = (await database.db.select().from(aiUsage)).slice(before.length);
    expect(result.embeddingTokens).toBeGreaterThan(10);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      userId: 'ingest-alice',
      model: LOCAL_EMBEDDING_MODEL,
      provider: 'local',
      promptTokens: result.embeddingTokens,
      completionTokens: 0,
    });
  });

  test('ingesting the same file again leaves one set of chunks', async () => {
    const file = await aliceFile('again.txt');
    await ingestStoredFile(deps, file.id);
    const first = await chunksOf(file.id);
    // Delivered again once done: nothing to do.
    expect((await ingestStoredFile(deps, file.id)).status).toBe('skipped');
    // Delivered again while still marked processing (a worker died before acknowledging).
    await database.db.update(files).set({ status: 'processing' }).where(eq(files.id, file.id));
    expect((await ingestStoredFile(deps, file.id)).status).toBe('ready');
    const second = await chunksOf(file.id);
    expect(second).toEqual(first);
    expect((await fileRow(file.id))?.chunkCount).toBe(first.length);
  });

  test('a password-protected PDF ends failed with its reason, permanently, with no chunks', async () => {
    const file = await aliceFile('secret.pdf', fixtureDocument('encrypted.pdf'), PDF);
    const error = await outcome(ingestStoredFile(deps, file.id));
    expect(error).toBeInstanceOf(PermanentJobError);
    expect(await fileRow(file.id)).toMatchObject({ status: 'failed', chunkCount: 0 });
    expect((await fileRow(file.id))?.failureReason).toMatch(/password-protected/);
    expect(await chunksOf(file.id)).toEqual([]);
  });

  test('a storage failure ends failed for now and is rethrown for a retry, which then succeeds', async () => {
    const file = await aliceFile('flaky.txt');
    let calls = 0;
    const flaky: IngestionDeps = {
      ...deps,
      readObject: async (key) => {
        calls += 1;
        if (calls === 1) throw new Error('storage timed out');
        return store.readObject(key);
      },
    };
    const error = await outcome(ingestStoredFile(flaky, file.id));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PermanentJobError);
    expect(await fileRow(file.id)).toMatchObject({ status: 'failed' });
    expect((await fileRow(file.id))?.failureReason).toMatch(/retried/);
    expect((await ingestStoredFile(flaky, file.id)).status).toBe('ready');
    expect(await fileRow(file.id)).toMatchObject({ status: 'ready', failureReason: null });
  });

  test('a failed re-ingestion leaves no chunks of the earlier one', async () => {
    const file = await aliceFile('replaced.txt');
    await ingestStoredFile(deps, file.id);
    store.put(file.storageKey, new Uint8Array([0xff, 0xfe, 0xfd]));
    await database.db.update(files).set({ status: 'processing' }).where(eq(files.id, file.id));
    expect(await outcome(ingestStoredFile(deps, file.id))).toBeInstanceOf(PermanentJobError);
    expect(await chunksOf(file.id)).toEqual([]);
    expect(await fileRow(file.id)).toMatchObject({ status: 'failed', chunkCount: 0 });
  });

  test('an aborted job stops, and the file says it was interrupted', async () => {
    const file = await aliceFile('aborted.txt');
    const error = await outcome(ingestStoredFile(deps, file.id, AbortSignal.abort()));
    expect(error).not.toBeInstanceOf(PermanentJobError);
    expect((await fileRow(file.id))?.failureReason).toMatch(/interrupted/);
    expect(await chunksOf(file.id)).toEqual([]);
  });

  test('a user over the daily token budget gets a failed file and nothing embedded', async () => {
    const file = await aliceFile('over-budget.txt');
    const embedder = countingEmbedder(deps.embedder);
    const error = await outcome(
      ingestStoredFile(
        {
          ...deps,
          usage: {
            ...deps.usage,
            assertWithinBudget: async () => {
              throw budgetExceeded({ budget: 10, used: 10, remaining: 0, resetAt: new Date() });
            },
          },
          embedder,
        },
        file.id,
      ),
    );
    expect(error).toBeInstanceOf(PermanentJobError);
    expect(embedder.calls).toBe(0);
    expect((await fileRow(file.id))?.failureReason).toMatch(/token budget/);
  });

  test('an object missing from storage ends failed for good', async () => {
    const file = await aliceFile('vanished.txt', 'soon gone');
    store.objects.delete(file.storageKey);
    expect(await outcome(ingestStoredFile(deps, file.id))).toBeInstanceOf(PermanentJobError);
    expect((await fileRow(file.id))?.failureReason).toMatch(/no longer in storage/);
  });

  test('a file deleted before its job runs is nothing to do', async () => {
    const file = await aliceFile('deleted.txt', 'bye');
    await database.db.delete(files).where(eq(files.id, file.id));
    expect((await ingestStoredFile(deps, file.id)).status).toBe('gone');
  });
});

describe('ingestStoredFile (database without pgvector)', () => {
  let database: DatabaseClient;
  const store = memoryObjects();

  beforeAll(async () => {
    database = await createTestDatabase({ vector: false });
    await addUser(database.db, 'ingest-bob');
  });
  afterAll(() => database.close());

  test('stores the chunks without vectors, embeds and charges nothing', async () => {
    const file = await addFile(database.db, store, {
      userId: 'ingest-bob',
      name: 'runbook.txt',
      contentType: 'text/plain',
      bytes: longText,
    });
    const embedder = countingEmbedder(createEmbedder({ env }));
    const result = await ingestStoredFile(
      {
        db: database.db,
        embedder,
        usage: createUsageService({ db: database.db, env }),
        readObject: store.readObject,
        chunking,
      },
      file.id,
    );
    expect(result).toMatchObject({ status: 'ready', embeddingTokens: 0 });
    expect(result.chunkCount).toBeGreaterThan(5);
    expect(embedder.calls).toBe(0);
    const [count] = await database.db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(fileChunks)
      .where(eq(fileChunks.fileId, file.id));
    expect(count?.n).toBe(result.chunkCount);
  });
});

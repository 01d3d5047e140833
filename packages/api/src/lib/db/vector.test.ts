import { describe, expect, test } from 'bun:test';
import {
  EMBEDDING_DIMENSIONS,
  fileChunks,
  files,
  HNSW_EF_CONSTRUCTION,
  HNSW_M,
  user,
} from '@backend/shared/schema';
import { cosineDistance, eq, sql } from 'drizzle-orm';
import { createTestDatabase } from '../../../test/test-deps.ts';
import type { DatabaseClient } from './types.ts';
import { hasVectorSupport } from './vector.ts';

/** A unit vector along one axis, the shape the embedding column takes. */
const axis = (index: number) =>
  Array.from({ length: EMBEDDING_DIMENSIONS }, (_, i) => (i === index ? 1 : 0));

async function fileOf(database: DatabaseClient, userId: string) {
  await database.db.insert(user).values({ id: userId, name: userId, email: `${userId}@x.test` });
  const [file] = await database.db
    .insert(files)
    .values({
      userId,
      name: 'notes.txt',
      contentType: 'text/plain',
      size: 10,
      storageKey: `users/${userId}/notes`,
    })
    .returning();
  if (!file) throw new Error('no file');
  return file;
}

describe('the files schema', () => {
  test('with pgvector, chunks store embeddings and the nearest comes first by cosine distance', async () => {
    const database = await createTestDatabase({ vector: true });
    try {
      expect(await hasVectorSupport(database.db)).toBe(true);
      const file = await fileOf(database, 'u1');
      await database.db.insert(fileChunks).values([
        {
          fileId: file.id,
          userId: 'u1',
          position: 0,
          content: 'cats',
          tokenCount: 1,
          embedding: axis(0),
        },
        {
          fileId: file.id,
          userId: 'u1',
          position: 1,
          content: 'dogs',
          tokenCount: 1,
          embedding: axis(1),
        },
      ]);
      const rows = await database.db
        .select({ position: fileChunks.position })
        .from(fileChunks)
        .orderBy(cosineDistance(fileChunks.embedding, axis(1)));
      expect(rows.map((row) => row.position)).toEqual([1, 0]);
      const [index] = (await database.db
        .execute(sql`select indexdef from pg_indexes where indexname = 'file_chunks_embedding_idx'`)
        .then((result) =>
          Array.isArray(result) ? result : (result as { rows: unknown[] }).rows,
        )) as Array<{ indexdef: string }>;
      expect(index?.indexdef).toContain('hnsw');
      expect(index?.indexdef).toContain('vector_cosine_ops');
      // Built with the schema's parameters (migration 0011), not pgvector's defaults.
      expect(index?.indexdef).toContain(`m='${HNSW_M}'`);
      expect(index?.indexdef).toContain(`ef_construction='${HNSW_EF_CONSTRUCTION}'`);
    } finally {
      await database.close();
    }
  });

  test('without pgvector, migrations still succeed and chunks are searchable by full text', async () => {
    const database = await createTestDatabase({ vector: false });
    try {
      expect(await hasVectorSupport(database.db)).toBe(false);
      const file = await fileOf(database, 'u2');
      // Drizzle names every column of the table in an insert, the missing embedding too: on a
      // database without pgvector, chunks are written with the columns it has.
      await database.db.execute(
        sql`insert into file_chunks (id, file_id, user_id, position, content, token_count)
            values (gen_random_uuid(), ${file.id}, 'u2', 0, 'The running foxes jumped', 4)`,
      );
      const rows = await database.db
        .select({ id: fileChunks.id })
        .from(fileChunks)
        .where(sql`${fileChunks.search} @@ websearch_to_tsquery('english', 'fox run')`);
      expect(rows).toHaveLength(1);
    } finally {
      await database.close();
    }
  });

  test('a chunk position is unique per file, and deleting a file deletes its chunks', async () => {
    const database = await createTestDatabase({ vector: true });
    try {
      const file = await fileOf(database, 'u3');
      const chunk = { fileId: file.id, userId: 'u3', position: 0, content: 'a', tokenCount: 1 };
      await database.db.insert(fileChunks).values(chunk);
      await expect(
        database.db
          .insert(fileChunks)
          .values(chunk)
          .then(() => 'inserted'),
      ).rejects.toThrow();
      await database.db.delete(files).where(eq(files.id, file.id));
      expect(await database.db.select({ id: fileChunks.id }).from(fileChunks)).toHaveLength(0);
    } finally {
      await database.close();
    }
  });
});

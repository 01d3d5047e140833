import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chats, user } from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import { createTestDatabase } from '../../test/test-deps.ts';
import { createEmbeddedDatabase } from './embedded.ts';

describe('database', () => {
  test('migrations create the auth and chat tables', async () => {
    const database = await createTestDatabase();
    try {
      await database.db.insert(user).values({ id: 'u1', name: 'Ada', email: 'ada@example.com' });
      const [chat] = await database.db
        .insert(chats)
        .values({ userId: 'u1', title: 'Hi' })
        .returning();
      expect(chat?.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(chat?.createdAt).toBeInstanceOf(Date);
    } finally {
      await database.close();
    }
  });

  test('deleting a user deletes their chats', async () => {
    const database = await createTestDatabase();
    try {
      await database.db.insert(user).values({ id: 'u2', name: 'Bo', email: 'bo@example.com' });
      await database.db.insert(chats).values({ userId: 'u2', title: 'x' });
      await database.db.delete(user).where(eq(user.id, 'u2'));
      expect(await database.db.select().from(chats)).toHaveLength(0);
    } finally {
      await database.close();
    }
  });
});

describe('embedded database', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  test('persists across a restart on the same data directory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pglite-'));
    dirs.push(dataDir);
    const first = await createEmbeddedDatabase({ dataDir });
    await first.db.insert(user).values({ id: 'p1', name: 'Cy', email: 'cy@example.com' });
    await first.close();

    // Re-opening applies no migration twice and finds the row.
    const second = await createEmbeddedDatabase({ dataDir });
    const rows = await second.db.select().from(user).where(eq(user.id, 'p1'));
    await second.close();
    expect(rows).toHaveLength(1);
  });
});

import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chats, user } from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import { startTcpProxy } from '../../../test/reliability/services.ts';
import { createTestDatabase, services } from '../../../test/test-deps.ts';
import { createEmbeddedDatabase } from './embedded.ts';
import { createPostgresDatabase } from './index.ts';

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

describe.skipIf(!services.databaseUrl)('the PostgreSQL client', () => {
  // postgres.js 3.4.9 looks up array types as the first statement of every connection and
  // drops that lookup's promise: a connection lost during it was an unhandled rejection, which
  // ends a Node process (porsager/postgres#1192). Patched in patches/postgres@3.4.9.patch.
  test('a connection lost during its type lookup fails the waiting query, and nothing else', async () => {
    const target = new URL(services.databaseUrl ?? '');
    let dropped = 0;
    // The first lookup loses its connection, and the database then refuses the reconnection.
    const proxy = startTcpProxy(
      { hostname: target.hostname, port: Number(target.port || 5432) },
      {
        dropWhen: (chunk) => {
          if (dropped > 0 || !Buffer.from(chunk).includes('pg_catalog.pg_type')) return false;
          dropped += 1;
          proxy.cut();
          return true;
        },
      },
    );
    const proxied = new URL(target);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const unhandled: unknown[] = [];
    const onRejection = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onRejection);
    const database = await createPostgresDatabase({
      primary: { url: proxied.toString() },
      max: 1,
      prepare: false,
    });
    try {
      const first = await database.ping().then(
        () => 'answered',
        (error: { code?: string }) => error.code,
      );
      expect(dropped).toBe(1);
      expect(first).toBe('ECONNREFUSED');
      // Once the database is back, the next connection's lookup goes through, and the query.
      proxy.restore();
      await database.ping();
      await Bun.sleep(20);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      await database.close();
      proxy.cut();
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

import { describe, expect, test } from 'bun:test';
import { user } from '@backend/shared/schema';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { createTestDatabase, services } from '../../../test/test-deps.ts';
import { preparingClient } from './prepared.ts';
import { rowsOf } from './types.ts';

/** The statements prepared on the connection that runs this query. */
const preparedOn = async (run: (query: string) => Promise<unknown>) =>
  (await run('select statement from pg_prepared_statements')) as Array<{ statement: string }>;

/** Runs `check` on a fresh database through one postgres.js connection, then drops both. */
async function withConnection(
  check: (client: postgres.Sql) => Promise<void>,
  options: postgres.Options<Record<string, never>> = {},
) {
  const database = await createTestDatabase();
  const client = postgres(database.url ?? '', { max: 1, onnotice: () => {}, ...options });
  try {
    await check(client);
  } finally {
    await client.end({ timeout: 5 });
    await database.close();
  }
}

describe.skipIf(!services.databaseUrl)('named statements for Drizzle', () => {
  test('a Drizzle query is prepared once per connection and then runs as a named statement', async () => {
    await withConnection(async (client) => {
      const db = drizzle(preparingClient(client));
      await db.insert(user).values({ id: 'p1', name: 'Ada', email: 'ada@example.com' });
      for (let i = 0; i < 3; i++) {
        const [row] = await db.select({ name: user.name }).from(user).where(eq(user.id, 'p1'));
        expect(row?.name).toBe('Ada');
      }
      const statements = await preparedOn((query) => client.unsafe(query));
      const selects = statements.filter((s) => s.statement.startsWith('select "name" from "user"'));
      expect(selects).toHaveLength(1);
      expect(statements.some((s) => s.statement.startsWith('insert into "user"'))).toBe(true);
    });
  });

  test('inside a transaction and a savepoint too', async () => {
    await withConnection(async (client) => {
      const db = drizzle(preparingClient(client));
      const inside = await db.transaction(async (tx) => {
        await tx.execute(sql`select ${1}::int as in_transaction`);
        await tx.transaction(async (nested) => {
          await nested.execute(sql`select ${2}::int as in_savepoint`);
        });
        return preparedOn(async (query) => (await tx.execute(sql.raw(query))) as unknown);
      });
      const texts = inside.map((s) => s.statement);
      expect(texts.some((text) => text.includes('in_transaction'))).toBe(true);
      expect(texts.some((text) => text.includes('in_savepoint'))).toBe(true);
    });
  });

  test('past the limit of distinct statements a new text is sent unnamed', async () => {
    await withConnection(async (client) => {
      const db = drizzle(preparingClient(client, 2));
      for (let i = 0; i < 5; i++) {
        const [row] = rowsOf(await db.execute(sql`select ${i}::int as ${sql.raw(`n${i}`)}`));
        expect(row).toEqual({ [`n${i}`]: i });
      }
      // The first two texts are named; the others were never prepared, and a known one stays so.
      await db.execute(sql`select ${0}::int as n0`);
      const texts = (await preparedOn((query) => client.unsafe(query))).map((s) => s.statement);
      expect(texts.filter((text) => /^select \$1::int as n\d$/.test(text)).sort()).toEqual([
        'select $1::int as n0',
        'select $1::int as n1',
      ]);
    });
  });

  test('without it, Drizzle prepares nothing (as behind RDS Proxy with DATABASE_PREPARE=false)', async () => {
    await withConnection(
      async (client) => {
        const db = drizzle(preparingClient(client));
        await db.execute(sql`select ${1}::int as unnamed`);
        const texts = (await preparedOn((query) => client.unsafe(query))).map((s) => s.statement);
        expect(texts.some((text) => text.includes('unnamed'))).toBe(false);
      },
      { prepare: false },
    );
  });
});

/**
 * What a Drizzle query costs on postgres.js, sent as Drizzle sends it (an unnamed statement:
 * described, then bound — two round trips, parsed and planned every time) and as the app's
 * client sends it (`lib/db/prepared.ts`: a named statement, prepared once per connection).
 * One connection each, queries one after another, the two clients alternating by round; the
 * figures are medians of each query's wall time and of the process's CPU per query.
 *
 * Queries: a primary-key read, the latest-checkpoint read of the LangGraph runs (with its
 * blob and write subqueries), and an insert.
 *
 *   DATABASE_URL=… bun bench/db-statements.ts [rounds=5] [queries=2000]
 */
import { randomUUID } from 'node:crypto';
import { chats, user } from '@backend/shared/schema';
import * as schema from '@backend/shared/tables';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { DrizzleCheckpointSaver } from '../packages/api/src/ai/checkpointer/checkpointer.ts';
import { preparingClient } from '../packages/api/src/lib/db/prepared.ts';
import type { Database } from '../packages/api/src/lib/db/types.ts';
import { createTestDatabase } from '../packages/api/test/test-deps.ts';
import { median, saveResults, table } from './lib.ts';

const rounds = Number(process.argv[2] ?? 5);
const queries = Number(process.argv[3] ?? 2000);
if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL (a PostgreSQL server)');

const database = await createTestDatabase();
const clients = {
  'unnamed (as Drizzle sends it)': postgres(database.url ?? '', { max: 1, onnotice: () => {} }),
  'named (the app client)': postgres(database.url ?? '', { max: 1, onnotice: () => {} }),
};
const dbs = {
  'unnamed (as Drizzle sends it)': drizzle(clients['unnamed (as Drizzle sends it)'], { schema }),
  'named (the app client)': drizzle(preparingClient(clients['named (the app client)']), { schema }),
};
await database.db.insert(user).values({ id: 'bench', name: 'Bench', email: 'bench@example.com' });
const [chat] = await database.db.insert(chats).values({ userId: 'bench', title: 'x' }).returning();

const workloads: Record<string, (db: Database) => () => Promise<unknown>> = {
  'chat by id': (db) => () =>
    db
      .select()
      .from(chats)
      .where(eq(chats.id, chat?.id ?? '')),
  'latest checkpoint': (db) => {
    const saver = new DrizzleCheckpointSaver(db);
    return () => saver.getTuple({ configurable: { thread_id: randomUUID(), checkpoint_ns: '' } });
  },
  'insert a chat': (db) => () => db.insert(chats).values({ userId: 'bench', title: 'y' }),
};

type Sample = { wallUs: number[]; cpuUs: number[] };
const samples = new Map<string, Sample>();
try {
  for (let round = 0; round < rounds; round++) {
    const order = Object.entries(dbs);
    if (round % 2) order.reverse();
    for (const [workload, make] of Object.entries(workloads)) {
      for (const [client, db] of order) {
        const run = make(db as unknown as Database);
        for (let i = 0; i < 200; i++) await run();
        const wall: number[] = [];
        const cpuStart = process.cpuUsage();
        for (let i = 0; i < queries; i++) {
          const started = performance.now();
          await run();
          wall.push((performance.now() - started) * 1000);
        }
        const cpu = process.cpuUsage(cpuStart);
        const key = `${workload}\u0000${client}`;
        const sample = samples.get(key) ?? { wallUs: [], cpuUs: [] };
        sample.wallUs.push(median(wall));
        sample.cpuUs.push((cpu.user + cpu.system) / queries);
        samples.set(key, sample);
      }
    }
  }
  const rows = [...samples].map(([key, sample]) => {
    const [workload = '', client = ''] = key.split('\u0000');
    return {
      query: workload,
      client,
      'wall p50 µs': median(sample.wallUs).toFixed(0),
      'CPU µs': median(sample.cpuUs).toFixed(0),
    };
  });
  process.stdout.write(`${rounds} rounds of ${queries} queries, one connection each\n`);
  process.stdout.write(`${table(rows)}\n`);
  process.stdout.write(
    `written to ${await saveResults('db-statements', { date: new Date().toISOString(), rounds, queries, rows })}\n`,
  );
} finally {
  await Promise.all(Object.values(clients).map((client) => client.end({ timeout: 5 })));
  await database.close();
}

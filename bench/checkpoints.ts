/**
 * Checkpoint throughput (`just perf checkpoints`): the project's DrizzleCheckpointSaver next
 * to the official `@langchain/langgraph-checkpoint-postgres` PostgresSaver, against the same
 * PostgreSQL (DATABASE_URL; a scratch database is created and dropped), with pools of the same
 * size. The DrizzleCheckpointSaver on embedded PGlite is measured too, for reference.
 *
 * Workload, per saver and round (the savers alternate within a round; figures are medians):
 *  - write: WORKERS concurrent workers, each on its own thread, STEPS steps of `put` (a state of
 *    five channels, two of them changed per step: a counter and a growing message list) then
 *    `putWrites` (two writes); ops = puts + putWrites calls per second;
 *  - read: `getTuple` of the latest checkpoint of a random thread, WORKERS at a time;
 *  - list: `list` of a thread's 10 newest checkpoints, WORKERS at a time.
 *
 *   bun bench/checkpoints.ts [rounds=3] [steps=40]
 */
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  type BaseCheckpointSaver,
  type Checkpoint,
  emptyCheckpoint,
  uuid6,
} from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { DrizzleCheckpointSaver } from '../packages/api/src/ai/checkpointer/checkpointer.ts';
import { loadEnv } from '../packages/api/src/env.ts';
import { createEmbeddedDatabase } from '../packages/api/src/lib/db/embedded.ts';
import { createPostgresDatabase } from '../packages/api/src/lib/db/index.ts';
import { migratePostgres } from '../packages/api/src/lib/db/migrate.ts';
import { median, saveResults, table } from './lib.ts';

const rounds = Number(process.argv[2] ?? 3);
const steps = Number(process.argv[3] ?? 40);
const WORKERS = 8;
const POOL = 10;
const READS = 2_000;
const LISTS = 500;

const env = loadEnv();
if (!env.DATABASE_URL) {
  process.stderr.write(
    'DATABASE_URL is not set: the comparison runs both savers against the same PostgreSQL.\n',
  );
  process.exit(1);
}

interface Figures {
  writeOps: number;
  readOps: number;
  listOps: number;
}

const message = (i: number) => ({
  role: i % 2 ? 'assistant' : 'user',
  content: `Message ${i}: ${'lorem ipsum dolor sit amet '.repeat(8)}`,
});

/** Step `step` of a thread: five channels, `counter` and `messages` changed. */
function checkpointAt(step: number, previous: Checkpoint | null): Checkpoint {
  const base = emptyCheckpoint();
  return {
    ...base,
    channel_values: {
      counter: step,
      messages: Array.from({ length: Math.min(step + 1, 30) }, (_, i) => message(i)),
      goal: 'Benchmark the checkpoint savers',
      plan: ['draft', 'review', 'finalize'],
      settings: { model: 'local', temperature: 0 },
    },
    channel_versions: {
      counter: step + 1,
      messages: step + 1,
      goal: 1,
      plan: 1,
      settings: 1,
    },
    versions_seen: previous ? { agent: { counter: step } } : {},
  };
}

async function timed(work: () => Promise<number>): Promise<number> {
  const started = performance.now();
  const ops = await work();
  return ops / ((performance.now() - started) / 1000);
}

async function inParallel(workers: number, work: (worker: number) => Promise<void>) {
  await Promise.all(Array.from({ length: workers }, (_, worker) => work(worker)));
}

async function measure(saver: BaseCheckpointSaver): Promise<Figures> {
  const threads = Array.from({ length: WORKERS }, () => uuid6(-1));
  const writeOps = await timed(async () => {
    await inParallel(WORKERS, async (worker) => {
      let config: RunnableConfig = {
        configurable: { thread_id: threads[worker], checkpoint_ns: '' },
      };
      let previous: Checkpoint | null = null;
      for (let step = 0; step < steps; step += 1) {
        const checkpoint = checkpointAt(step, previous);
        const newVersions =
          step === 0 ? checkpoint.channel_versions : { counter: step + 1, messages: step + 1 };
        config = await saver.put(
          config,
          checkpoint,
          { source: 'loop', step, parents: {} },
          newVersions,
        );
        await saver.putWrites(
          config,
          [
            ['counter', step + 1],
            ['messages', [message(step)]],
          ],
          `task-${step}`,
        );
        previous = checkpoint;
      }
    });
    return WORKERS * steps * 2;
  });
  let next = 0;
  const readOps = await timed(async () => {
    await inParallel(WORKERS, async () => {
      while (next < READS) {
        next += 1;
        const thread = threads[next % threads.length];
        const tuple = await saver.getTuple({
          configurable: { thread_id: thread, checkpoint_ns: '' },
        });
        if (!tuple) throw new Error('a checkpoint went missing');
      }
    });
    return READS;
  });
  let listed = 0;
  const listOps = await timed(async () => {
    await inParallel(WORKERS, async () => {
      while (listed < LISTS) {
        listed += 1;
        const thread = threads[listed % threads.length];
        let count = 0;
        for await (const _ of saver.list({ configurable: { thread_id: thread } }, { limit: 10 })) {
          count += 1;
        }
        if (count !== Math.min(10, steps)) throw new Error(`listed ${count} checkpoints`);
      }
    });
    return LISTS;
  });
  return { writeOps, readOps, listOps };
}

// A scratch database on the configured server: both savers' tables, nothing else.
const { default: postgres } = await import('postgres');
const admin = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} });
const name = `bench_checkpoints_${Date.now().toString(36)}`;
await admin.unsafe(`create database "${name}"`);
const url = new URL(env.DATABASE_URL);
url.pathname = `/${name}`;
const scratch = url.toString();

try {
  await migratePostgres(scratch);
  const database = await createPostgresDatabase({
    primary: { url: scratch },
    max: POOL,
    prepare: true,
  });
  const drizzle = new DrizzleCheckpointSaver(database.db);
  const official = PostgresSaver.fromConnString(scratch);
  await official.setup();
  const embedded = await createEmbeddedDatabase({ dataDir: 'memory://' });
  const drizzlePglite = new DrizzleCheckpointSaver(embedded.db);

  const savers: Array<[string, BaseCheckpointSaver]> = [
    ['drizzle (PostgreSQL)', drizzle],
    ['official PostgresSaver (PostgreSQL)', official],
    ['drizzle (PGlite)', drizzlePglite],
  ];
  const runs = new Map<string, Figures[]>(savers.map(([label]) => [label, []]));
  // One warm-up round: connections opened, statements prepared, caches filled.
  for (const [, saver] of savers) await measure(saver);
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 ? [...savers].reverse() : savers;
    for (const [label, saver] of order) {
      runs.get(label)?.push(await measure(saver));
      process.stderr.write(`round ${round + 1}/${rounds}: ${label} done\n`);
    }
  }
  await Promise.all([database.close(), official.end(), embedded.close()]);

  const variants = Object.fromEntries(
    [...runs].map(([label, figures]) => [
      label,
      {
        writeOpsPerSec: median(figures.map((f) => f.writeOps)),
        readOpsPerSec: median(figures.map((f) => f.readOps)),
        listOpsPerSec: median(figures.map((f) => f.listOps)),
      },
    ]),
  ) as Record<string, { writeOpsPerSec: number; readOpsPerSec: number; listOpsPerSec: number }>;
  const ours = variants['drizzle (PostgreSQL)'];
  const theirs = variants['official PostgresSaver (PostgreSQL)'];
  if (!ours || !theirs) throw new Error('a variant did not run');
  const ratios = {
    'write: drizzle / official': ours.writeOpsPerSec / theirs.writeOpsPerSec,
    'read: drizzle / official': ours.readOpsPerSec / theirs.readOpsPerSec,
    'list: drizzle / official': ours.listOpsPerSec / theirs.listOpsPerSec,
  };
  const results = {
    date: new Date().toISOString(),
    rounds,
    steps,
    workers: WORKERS,
    pool: POOL,
    variants,
    ratios,
  };
  const path = await saveResults('checkpoints', results);
  process.stdout.write(
    `${table(
      Object.entries(variants).map(([variant, figures]) => ({
        variant,
        'write ops/s': Math.round(figures.writeOpsPerSec),
        'read ops/s': Math.round(figures.readOpsPerSec),
        'list ops/s': Math.round(figures.listOpsPerSec),
      })),
    )}\n\n${table(Object.entries(ratios).map(([ratio, value]) => ({ ratio, value: value.toFixed(2) })))}\n\nSaved ${path}\n`,
  );
} finally {
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end({ timeout: 5 });
}

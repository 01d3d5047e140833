import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  aiCheckpointBlobs,
  aiCheckpoints,
  aiCheckpointWrites,
  aiGraphs,
  user,
} from '@backend/shared/schema';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { emptyCheckpoint, uuid6 } from '@langchain/langgraph-checkpoint';
import { inArray } from 'drizzle-orm';
import { BUN, runChild } from '../../../test/child.ts';
import { createTestDatabase } from '../../../test/test-deps.ts';
import { createEmbeddedDatabase } from '../../lib/db/embedded.ts';
import type { Database } from '../../lib/db/index.ts';
import {
  DrizzleCheckpointSaver,
  deleteGraphInstances,
  pruneGraphInstances,
} from './checkpointer.ts';

const DAY_MS = 86_400_000;
const PRUNE_SCRIPT = fileURLToPath(new URL('../../../scripts/ai-prune.ts', import.meta.url));

/** A user with one instance per age (in days), each with a checkpoint, a blob and a write. */
async function seed(db: Database, ages: number[]) {
  const userId = `user-${uuid6(1)}`;
  await db.insert(user).values({ id: userId, name: 'Prune', email: `${userId}@example.com` });
  const saver = new DrizzleCheckpointSaver(db);
  const ids: string[] = [];
  for (const age of ages) {
    const [row] = await db
      .insert(aiGraphs)
      .values({ userId, graph: 'approval', updatedAt: new Date(Date.now() - age * DAY_MS) })
      .returning();
    const id = row?.id ?? '';
    ids.push(id);
    const checkpoint = {
      ...emptyCheckpoint(),
      channel_values: { topic: 'x' },
      channel_versions: { topic: 1 },
    };
    const config = await saver.put(
      { configurable: { thread_id: id, checkpoint_ns: '' } },
      checkpoint,
      { source: 'input', step: -1, parents: {} },
      { topic: 1 },
    );
    await saver.putWrites(config, [['topic', 'y']], 'task-1');
  }
  return ids;
}

async function rowsOf(db: Database, ids: string[]) {
  const [graphs, checkpoints, blobs, writes] = await Promise.all([
    db.select({ id: aiGraphs.id }).from(aiGraphs).where(inArray(aiGraphs.id, ids)),
    db
      .select({ id: aiCheckpoints.threadId })
      .from(aiCheckpoints)
      .where(inArray(aiCheckpoints.threadId, ids)),
    db
      .select({ id: aiCheckpointBlobs.threadId })
      .from(aiCheckpointBlobs)
      .where(inArray(aiCheckpointBlobs.threadId, ids)),
    db
      .select({ id: aiCheckpointWrites.threadId })
      .from(aiCheckpointWrites)
      .where(inArray(aiCheckpointWrites.threadId, ids)),
  ]);
  const ofEach = (rows: Array<{ id: string }>) => [...new Set(rows.map((row) => row.id))].sort();
  return {
    graphs: ofEach(graphs),
    checkpoints: ofEach(checkpoints),
    blobs: ofEach(blobs),
    writes: ofEach(writes),
  };
}

describe('DrizzleCheckpointSaver storage', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.close();
  });

  test('stores each channel value once per version and reads the checkpoint back whole', async () => {
    const saver = new DrizzleCheckpointSaver(database.db);
    const thread = uuid6(2);
    const first = {
      ...emptyCheckpoint(),
      channel_values: { a: 'one', b: { nested: [1, 2] } },
      channel_versions: { a: 1, b: 1 },
    };
    const config1 = await saver.put(
      { configurable: { thread_id: thread, checkpoint_ns: '' } },
      first,
      { source: 'loop', step: 0, parents: {} },
      { a: 1, b: 1 },
    );
    const second = {
      ...emptyCheckpoint(),
      channel_values: { a: 'two', b: { nested: [1, 2] } },
      channel_versions: { a: 2, b: 1 },
    };
    const config2 = await saver.put(
      config1,
      second,
      { source: 'loop', step: 1, parents: {} },
      { a: 2 },
    );
    const blobs = await database.db
      .select()
      .from(aiCheckpointBlobs)
      .where(inArray(aiCheckpointBlobs.threadId, [thread]));
    expect(blobs.map((blob) => `${blob.channel}@${blob.version}`).sort()).toEqual([
      'a@1',
      'a@2',
      'b@1',
    ]);
    const latest = await saver.getTuple({ configurable: { thread_id: thread, checkpoint_ns: '' } });
    expect(latest?.checkpoint.channel_values).toEqual({ a: 'two', b: { nested: [1, 2] } });
    expect(latest?.parentConfig?.configurable?.checkpoint_id).toBe(first.id);
    expect(latest?.config).toEqual(config2);
    const older = await saver.getTuple(config1);
    expect(older?.checkpoint.channel_values).toEqual({ a: 'one', b: { nested: [1, 2] } });
  });

  test('runs forked from earlier checkpoints keep their own values; the first branch keeps its', async () => {
    const graph = new StateGraph(MessagesAnnotation)
      .addNode('echo', (state) => ({
        messages: [new AIMessage(`echo ${state.messages.at(-1)?.content}`)],
      }))
      .addEdge(START, 'echo')
      .compile({ checkpointer: new DrizzleCheckpointSaver(database.db) });
    const thread = { configurable: { thread_id: uuid6(3) } };
    type Values = { messages: Array<{ id?: string; content: unknown }> };
    const contents = (values: Values) => values.messages.map((message) => message.content);
    await graph.invoke({ messages: [new HumanMessage('one')] }, thread);
    const firstTurn = await graph.getState(thread);
    const first = await graph.invoke({ messages: [new HumanMessage('two')] }, thread);
    const secondInput = (await graph.getState(thread)).parentConfig;

    // Edit the second message: a new branch from the end of the first turn, whose steps give
    // the same channels the same next versions as the first branch's did.
    const edited = await graph.invoke({ messages: [new HumanMessage('edited')] }, firstTurn.config);
    expect(contents(edited)).toEqual(['one', 'echo one', 'edited', 'echo edited']);
    expect(contents((await graph.getState(thread)).values)).toEqual(contents(edited));

    // Regenerate the reply: the step after the second input, run again.
    const regenerated = (await graph.invoke(null, secondInput ?? thread)) as Values;
    expect(contents(regenerated)).toEqual(['one', 'echo one', 'two', 'echo two']);
    expect(regenerated.messages.at(-1)?.id).not.toBe(first.messages.at(-1)?.id);

    // The first branch is as it was.
    const history = [];
    for await (const snapshot of graph.getStateHistory(thread)) history.push(snapshot);
    const firstEnd = history.find(
      (snapshot) => (snapshot.values as Values).messages.at(-1)?.id === first.messages.at(-1)?.id,
    );
    expect(contents((firstEnd?.values ?? { messages: [] }) as Values)).toEqual(contents(first));
  });

  test('deleting an instance of another user deletes nothing', async () => {
    const [id = ''] = await seed(database.db, [0]);
    expect(await deleteGraphInstances(database.db, [id], 'someone-else')).toBe(0);
    expect((await rowsOf(database.db, [id])).graphs).toEqual([id]);
    expect(await deleteGraphInstances(database.db, [id])).toBe(1);
    expect(await rowsOf(database.db, [id])).toEqual({
      graphs: [],
      checkpoints: [],
      blobs: [],
      writes: [],
    });
  });

  test('prune removes expired instances and everything they stored, and keeps the others', async () => {
    const [old1 = '', old2 = '', fresh = '', recent = ''] = await seed(
      database.db,
      [40, 31, 0, 29],
    );
    const deleted = await pruneGraphInstances(database.db, new Date(Date.now() - 30 * DAY_MS), 1);
    expect(deleted).toBe(2);
    const kept = [fresh, recent].sort();
    expect(await rowsOf(database.db, [old1, old2, fresh, recent])).toEqual({
      graphs: kept,
      checkpoints: kept,
      blobs: kept,
      writes: kept,
    });
  });
});

describe('just ai prune', () => {
  test('deletes expired instances from the configured database, with the TTL given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ai-prune-'));
    const dataDir = join(dir, 'pglite');
    try {
      const seeded = await createEmbeddedDatabase({ dataDir });
      const [old = '', fresh = ''] = await seed(seeded.db, [10, 1]);
      await seeded.close();

      const { stdout, stderr, code } = await runChild([BUN, PRUNE_SCRIPT, '5'], {
        DATABASE_URL: '',
        PGLITE_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
      });
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toStartWith('Deleted 1 workflow instance unused since');

      const reopened = await createEmbeddedDatabase({ dataDir });
      try {
        expect(await rowsOf(reopened.db, [old, fresh])).toEqual({
          graphs: [fresh],
          checkpoints: [fresh],
          blobs: [fresh],
          writes: [fresh],
        });
      } finally {
        await reopened.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('refuses a malformed number of days', async () => {
    const { stderr, code } = await runChild([BUN, PRUNE_SCRIPT, 'soon'], {
      DATABASE_URL: '',
      PGLITE_DATA_DIR: 'memory://',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('usage: ai-prune.ts [days]');
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { aiUsage } from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import { addUser, countingEmbedder, seedPassages } from '../../test/documents.ts';
import {
  LABELLED_DOCUMENTS,
  type RetrievalScore,
  scoreRetrieval,
} from '../../test/retrieval-set.ts';
import { createTestDatabase } from '../../test/test-deps.ts';
import { createUsageService } from '../ai/usage/usage.service.ts';
import { parseEnv } from '../env.ts';
import type { DatabaseClient } from '../lib/db/index.ts';
import { createEmbedder, LOCAL_EMBEDDING_MODEL } from './embeddings.ts';
import {
  createRetrieval,
  DEFAULT_SEARCH_MODE,
  fuseByRank,
  type Retrieval,
  SEARCH_MODES,
  type SearchMode,
} from './retrieval.ts';

const env = parseEnv({});
const embedder = createEmbedder({ env });

describe('fuseByRank', () => {
  test('ranks first what both lists rank high, and counts an item once', () => {
    const item = (fileId: string, position: number) => ({
      id: `${fileId}-${position}`,
      fileId,
      position,
      content: '',
      score: 0,
    });
    const fused = fuseByRank(
      [
        [item('a', 0), item('b', 0), item('c', 0)],
        [item('b', 0), item('d', 0), item('a', 0)],
      ],
      3,
    );
    expect(fused.map((hit) => hit.fileId)).toEqual(['b', 'a', 'd']);
    expect(fused[0]?.score).toBeCloseTo(1 / 62 + 1 / 61, 10);
  });
});

describe('document search (with pgvector)', () => {
  let database: DatabaseClient;
  let alice: Map<string, string>;
  let mallory: Map<string, string>;
  const retrievalFor = (mode: SearchMode): Retrieval =>
    createRetrieval({ db: database.db, embedder, mode, efSearch: 100 });

  beforeAll(async () => {
    database = await createTestDatabase({ vector: true });
    await addUser(database.db, 'search-alice');
    await addUser(database.db, 'search-mallory');
    alice = await seedPassages(database.db, 'search-alice', LABELLED_DOCUMENTS, embedder);
    // Mallory holds the very same passages, and one that matches every query better.
    mallory = await seedPassages(
      database.db,
      'search-mallory',
      [
        ...LABELLED_DOCUMENTS,
        { name: 'bait.txt', passages: ['revenue growth last quarter revenue growth quarter'] },
      ],
      embedder,
    );
  });
  afterAll(() => database.close());

  test.each(SEARCH_MODES)(
    '%s: the best chunk comes first, with its file, position and score',
    async (mode) => {
      const { hits, mode: used } = await retrievalFor(mode).search({
        userId: 'search-alice',
        query: 'revenue growth last quarter',
        limit: 3,
      });
      expect(used).toBe(mode);
      expect(hits.length).toBeGreaterThan(0);
      expect(hits.length).toBeLessThanOrEqual(3);
      expect(hits[0]).toMatchObject({
        fileId: alice.get('quarterly-report.pdf'),
        fileName: 'quarterly-report.pdf',
        position: 0,
      });
      expect(hits[0]?.content).toContain('Revenue grew by twelve percent');
      expect(hits[0]?.score).toBeGreaterThan(0);
      const scores = hits.map((hit) => hit.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    },
  );

  test.each(SEARCH_MODES)("%s: another user's chunks never come back", async (mode) => {
    const malloryIds = new Set(mallory.values());
    for (const query of ['revenue growth last quarter', 'hotel', 'bait']) {
      const { hits } = await retrievalFor(mode).search({
        userId: 'search-alice',
        query,
        limit: 10,
      });
      for (const hit of hits) expect(malloryIds.has(hit.fileId)).toBe(false);
    }
  });

  test("through the HNSW index, vector search answers as the exact sort does, and another user's chunks never come back", async () => {
    const exact = retrievalFor('vector');
    const indexed = createRetrieval({
      db: database.db,
      embedder,
      mode: 'vector',
      efSearch: 40,
      exactSearchMaxRows: 0,
    });
    const malloryIds = new Set(mallory.values());
    for (const query of ['revenue growth last quarter', 'hotel booking', 'bait']) {
      const request = { userId: 'search-alice', query, limit: 5 };
      const byIndex = (await indexed.search(request)).hits;
      expect(byIndex).toHaveLength(5);
      for (const hit of byIndex) expect(malloryIds.has(hit.fileId)).toBe(false);
      const key = (hit: { fileId: string; position: number }) => `${hit.fileId}:${hit.position}`;
      expect(byIndex.map(key)).toEqual((await exact.search(request)).hits.map(key));
    }
  });

  test("naming files narrows the search to them; another user's file ids match nothing", async () => {
    const retrieval = retrievalFor(DEFAULT_SEARCH_MODE);
    const onlyBenefits = await retrieval.search({
      userId: 'search-alice',
      query: 'revenue growth',
      fileIds: [alice.get('benefits.txt') ?? ''],
      limit: 5,
    });
    expect(new Set(onlyBenefits.hits.map((hit) => hit.fileName))).toEqual(
      new Set(['benefits.txt']),
    );
    const stolen = await retrieval.search({
      userId: 'search-alice',
      query: 'revenue growth',
      fileIds: [mallory.get('bait.txt') ?? '', mallory.get('quarterly-report.pdf') ?? ''],
      limit: 5,
    });
    expect(stolen.hits).toEqual([]);
  });

  test('the query embedding is charged to the caller', async () => {
    const usage = createUsageService({ db: database.db, env });
    const retrieval = createRetrieval({
      db: database.db,
      embedder,
      mode: 'vector',
      efSearch: 100,
      usage,
    });
    const { embeddingTokens } = await retrieval.search({
      userId: 'search-alice',
      query: 'parental leave length',
      limit: 1,
    });
    const rows = await database.db.select().from(aiUsage).where(eq(aiUsage.userId, 'search-alice'));
    expect(embeddingTokens).toBe(3);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ model: LOCAL_EMBEDDING_MODEL, promptTokens: 3 });
  });

  test('the default mode scores at least as well as each single mode on the labelled set', async () => {
    const scores = {} as Record<SearchMode, RetrievalScore>;
    for (const mode of SEARCH_MODES) {
      scores[mode] = await scoreRetrieval(retrievalFor(mode), 'search-alice', alice);
    }
    const best = scores[DEFAULT_SEARCH_MODE];
    for (const mode of SEARCH_MODES) {
      expect(best.mrr).toBeGreaterThanOrEqual(scores[mode].mrr);
    }
  });
});

describe('vector search through the HNSW index, on chunks nearly equidistant from a query', () => {
  let database: DatabaseClient;
  let queries: string[];
  const CHUNKS = 600;

  beforeAll(async () => {
    database = await createTestDatabase({ vector: true });
    await addUser(database.db, 'scan-alice');
    // Random words of one vocabulary: no chunk is much nearer a query than the next, the
    // case where the graph's first candidates miss most of the nearest.
    let state = 7;
    const next = () => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) & 0x7fffffff;
      return state / 0x80000000;
    };
    const vocabulary = Array.from({ length: 3_000 }, (_, i) => `w${i.toString(36)}`);
    const passages = Array.from({ length: CHUNKS }, () =>
      Array.from({ length: 40 }, () => vocabulary[Math.floor(next() * 3_000)]).join(' '),
    );
    await seedPassages(database.db, 'scan-alice', [{ name: 'random.txt', passages }], embedder);
    queries = passages.slice(0, 20).map((passage) => passage.split(' ').slice(0, 8).join(' '));
  });
  afterAll(() => database.close());

  /** The share of the exact ten nearest (or chunks as near) that the search returns. */
  async function recallAt10(options: { efSearch: number; scanRows: number }) {
    const exact = createRetrieval({ db: database.db, embedder, mode: 'vector', efSearch: 10 });
    const indexed = createRetrieval({
      db: database.db,
      embedder,
      mode: 'vector',
      exactSearchMaxRows: 0,
      ...options,
    });
    let found = 0;
    for (const query of queries) {
      const request = { userId: 'scan-alice', query, limit: 10 };
      const tenth = (await exact.search(request)).hits.at(-1)?.score ?? 1;
      const { hits } = await indexed.search(request);
      found += hits.filter((hit) => hit.score >= tenth - 1e-6).length;
    }
    return found / (queries.length * 10);
  }

  test('asking the iterative scan for more rows than the first pass keeps finds the nearest', async () => {
    const firstPassOnly = await recallAt10({ efSearch: 10, scanRows: 10 });
    const scanned = await recallAt10({ efSearch: 10, scanRows: 1_000 });
    expect(scanned).toBeGreaterThanOrEqual(0.95);
    expect(scanned).toBeGreaterThan(firstPassOnly + 0.05);
  });
});

describe('document search (database without pgvector)', () => {
  let database: DatabaseClient;

  beforeAll(async () => {
    database = await createTestDatabase({ vector: false });
    await addUser(database.db, 'text-alice');
    await seedPassages(database.db, 'text-alice', LABELLED_DOCUMENTS, null);
  });
  afterAll(() => database.close());

  test('answers from full-text search, embedding nothing', async () => {
    const counting = countingEmbedder(embedder);
    const retrieval = createRetrieval({
      db: database.db,
      embedder: counting,
      mode: 'hybrid',
      efSearch: 100,
    });
    const { hits, mode } = await retrieval.search({
      userId: 'text-alice',
      query: 'parental leave',
      limit: 2,
    });
    expect(mode).toBe('text');
    expect(counting.calls).toBe(0);
    expect(hits[0]).toMatchObject({ fileName: 'benefits.txt', position: 1 });
  });
});

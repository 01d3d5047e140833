/**
 * Files and retrieval (`just perf files`), on PostgreSQL when DATABASE_URL names one with
 * pgvector available, otherwise on the embedded database (PGlite with pgvector):
 *
 *  1. Ingestion throughput: chunks per second through `ingestStoredFile` (read, extract,
 *     split, embed, write), with the local embedding and with `@langchain/openai` against the
 *     scripted OpenAI-compatible server (test/openai-server.ts) on loopback.
 *  2. Search latency p50/p99 at CHUNKS chunks (default 100,000: half the measured user's, the
 *     rest four other users', so the owner filter skips rows in the index as in production):
 *     the retrieval service as the route calls it, vector and hybrid, the query embedded
 *     locally.
 *  3. Recall@10 of the route's vector search (owner-filtered) against exact owner-filtered
 *     search (every row sorted), for several `hnsw.ef_search` values and rows asked of the
 *     iterative scan (FILES_HNSW_EF_SEARCH and FILES_HNSW_SCAN_ROWS are the ones chosen); a
 *     result as near as the exact 10th counts as a hit (ties).
 *  4. Retrieval quality of each mode on the labelled set (test/retrieval-set.ts).
 *
 * Seeding loads the rows first (one transaction per 1,000) and builds the HNSW index of the
 * migrations after, with maintenance_work_mem at BENCH_FILES_BUILD_MEMORY (default 1GB, so
 * the graph is built in memory). BENCH_FILES_CORPUS picks the text: `zipf` (default) or
 * `topical` (see CORPUS). The seeded database is kept (PostgreSQL: the database DATABASE_URL
 * names, created when missing; PGlite: BENCH_FILES_DIR, default .data/bench-files) and reused
 * by the next run with the same CHUNKS and corpus; BENCH_FILES_SEED_ONLY=1 seeds and stops.
 *
 *   [DATABASE_URL=postgres://…/bench_files] [BENCH_FILES_CORPUS=topical] \
 *     bun bench/files.ts [chunks=100000] [queries=200] [recallQueries=50]
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { fileChunks, files, user } from '@backend/shared/schema';
import { count, eq, inArray, sql } from 'drizzle-orm';
import { createUsageService } from '../packages/api/src/ai/usage/usage.service.ts';
import { loadEnv, parseEnv } from '../packages/api/src/env.ts';
import {
  createEmbedder,
  type Embedder,
  localEmbedding,
} from '../packages/api/src/files/embeddings.ts';
import { ingestStoredFile, insertChunks } from '../packages/api/src/files/ingestion.ts';
import {
  createRetrieval,
  DEFAULT_SEARCH_MODE,
  SEARCH_MODES,
  type SearchMode,
} from '../packages/api/src/files/retrieval.ts';
import { createEmbeddedDatabase } from '../packages/api/src/lib/db/embedded.ts';
import {
  createPostgresDatabase,
  type Database,
  type DatabaseClient,
} from '../packages/api/src/lib/db/index.ts';
import { migratePostgres } from '../packages/api/src/lib/db/migrate.ts';
import { addFile, addUser, memoryObjects, seedPassages } from '../packages/api/test/documents.ts';
import { startOpenAiServer } from '../packages/api/test/openai-server.ts';
import { LABELLED_DOCUMENTS, scoreRetrieval } from '../packages/api/test/retrieval-set.ts';
import { createTestDatabase } from '../packages/api/test/test-deps.ts';
import { median, saveResults, table } from './lib.ts';

const CHUNKS = Number(process.argv[2] ?? 100_000);
/**
 * The seeded text. `zipf` (the default, the worst case for an HNSW graph): words drawn from
 * one Zipf-skewed vocabulary, so every chunk's local embedding is nearly as far from a query
 * as every other's. `topical`: each file about one of TOPICS topics, each chunk mostly about
 * its file's, so the embeddings cluster by subject as a semantic model's do.
 */
const CORPUS = process.env.BENCH_FILES_CORPUS === 'topical' ? 'topical' : 'zipf';
const TOPICS = 100;
const QUERIES = Number(process.argv[3] ?? 200);
const RECALL_QUERIES = Number(process.argv[4] ?? 50);
/**
 * The index settings of the recall table: `hnsw.ef_search` alone (as many rows asked as it
 * keeps), then with more rows asked of the iterative scan than the first pass keeps.
 */
const SCAN_SETTINGS: Scan[] = [
  ...[40, 100, 200, 400, 800, 1_000].map((efSearch) => ({ efSearch, scanRows: efSearch })),
  { efSearch: 100, scanRows: 1_000 },
  { efSearch: 200, scanRows: 1_000 },
  { efSearch: 200, scanRows: 2_000 },
  { efSearch: 400, scanRows: 2_000 },
];
const SEED_USER = 'bench-files';
const INGEST_FILES = 20;
const MAINTENANCE_WORK_MEM = process.env.BENCH_FILES_BUILD_MEMORY ?? '1GB';
const env = parseEnv({});
interface Scan {
  efSearch: number;
  scanRows: number;
}
/** What the app uses (FILES_HNSW_EF_SEARCH, FILES_HNSW_SCAN_ROWS). */
const APP_SCAN: Scan = { efSearch: env.FILES_HNSW_EF_SEARCH, scanRows: env.FILES_HNSW_SCAN_ROWS };
const localEmbedder = createEmbedder({ env });

const log = (line: string) => process.stdout.write(`${line}\n`);
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

/** A deterministic pseudo-random stream (mulberry32). */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Synthetic prose: words of a 20,000-word vocabulary drawn with a Zipf-like skew. */
function corpus(seed: number) {
  const next = random(seed);
  const vocabulary = Array.from({ length: 20_000 }, (_, i) =>
    (Math.imul(i + 1, 2_654_435_761) >>> 0).toString(36),
  );
  const word = () => vocabulary[Math.floor(next() ** 3 * vocabulary.length)] ?? 'x';
  // Topics: 100 of 200 words each, drawn from the whole vocabulary, each word of a topic
  // itself Zipf-skewed within it.
  // (A stream of their own: the Zipf passages stay those of earlier runs.)
  const topicNext = random(seed + 1);
  const topics = Array.from({ length: TOPICS }, () =>
    Array.from(
      { length: 200 },
      () => vocabulary[Math.floor(topicNext() * vocabulary.length)] ?? 'x',
    ),
  );
  const topicWord = (topic: number) => topics[topic]?.[Math.floor(next() ** 2 * 200)] ?? 'x';
  return {
    passage: (words: number) => Array.from({ length: words }, word).join(' '),
    /**
     * A passage about `topic`: half its words the topic's, half the common vocabulary's, as a
     * paragraph of a document mixes its subject's terms with ordinary words.
     */
    topical: (words: number, topic: number) =>
      Array.from({ length: words }, () => (next() < 0.5 ? topicWord(topic) : word())).join(' '),
    pick: (n: number) => Math.floor(next() * n),
  };
}

// 1. Ingestion throughput.
async function ingestionThroughput(label: string, embedder: Embedder) {
  const database = await createTestDatabase({ vector: true });
  const store = memoryObjects();
  await addUser(database.db, SEED_USER);
  const text = corpus(7);
  const documents = Array.from({ length: INGEST_FILES }, () =>
    Array.from({ length: 60 }, () => text.passage(25)).join('\n\n'),
  );
  const fileRows = [];
  for (const [i, bytes] of documents.entries()) {
    fileRows.push(
      await addFile(database.db, store, {
        userId: SEED_USER,
        name: `doc-${i}.txt`,
        contentType: 'text/plain',
        bytes,
      }),
    );
  }
  const deps = {
    db: database.db,
    embedder,
    usage: createUsageService({ db: database.db, env }),
    readObject: store.readObject,
    chunking: { chunkSize: env.FILES_CHUNK_SIZE, chunkOverlap: env.FILES_CHUNK_OVERLAP },
  };
  const started = performance.now();
  let chunks = 0;
  for (const file of fileRows) chunks += (await ingestStoredFile(deps, file.id)).chunkCount;
  const seconds = (performance.now() - started) / 1000;
  await database.close();
  return {
    embedding: label,
    files: INGEST_FILES,
    chunks,
    seconds: round(seconds, 2),
    chunksPerSecond: round(chunks / seconds),
  };
}

// 2-3. The seeded database.
/**
 * The owners of the seeded chunks: the measured user holds half of them, four others the
 * rest, so every search is filtered by owner as the route's is and the index holds rows the
 * filter must skip.
 */
const OTHER_USERS = ['bench-files-2', 'bench-files-3', 'bench-files-4', 'bench-files-5'];
const ownerOf = (fileIndex: number) =>
  fileIndex % 2 === 0
    ? SEED_USER
    : (OTHER_USERS[(fileIndex >> 1) % OTHER_USERS.length] ?? SEED_USER);
/** Six significant digits: the vector's text is a third of the full float's, same neighbours. */
const compact = (values: readonly number[]) =>
  values.map((value) => (value === 0 ? 0 : Number(value.toPrecision(6))));

/** The HNSW index as the migrations left it, to build again after loading the rows. */
async function embeddingIndexDefinition(db: Database): Promise<string> {
  const rows = rowsOf<{ definition: string }>(
    await db.execute(
      sql`select pg_get_indexdef(indexrelid) as definition from pg_index
          where indexrelid = 'file_chunks_embedding_idx'::regclass`,
    ),
  );
  const definition = rows[0]?.definition;
  if (!definition) throw new Error('the migrations left no file_chunks_embedding_idx');
  return definition;
}

/** postgres.js answers an array of rows; PGlite an object with `rows`. */
function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}

/** The database measured: PostgreSQL when DATABASE_URL has pgvector, PGlite otherwise. */
interface BenchDatabase {
  kind: 'postgresql' | 'pglite';
  database: DatabaseClient;
  /** Whether it already holds CHUNKS seeded chunks. */
  seeded: boolean;
  /** Notes that it holds CHUNKS seeded chunks, for the next run. */
  markSeeded(): Promise<void>;
}

/** The same server's `postgres` database. */
function maintenanceUrl(url: string): string {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  return admin.toString();
}

async function openPostgres(url: string): Promise<BenchDatabase> {
  const { default: postgres } = await import('postgres');
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const client = postgres(maintenanceUrl(url), { max: 1, onnotice: () => {} });
  const exists = await client`select 1 from pg_database where datname = ${name}`;
  if (exists.length === 0) await client.unsafe(`create database "${name.replaceAll('"', '""')}"`);
  await client.end({ timeout: 5 });
  await migratePostgres(url);
  const database = await createPostgresDatabase({ primary: { url }, max: 2, prepare: true });
  const [row] = rowsOf<{ chunks: string }>(
    await database.db.execute(
      sql`select coalesce(obj_description('file_chunks'::regclass, 'pg_class'), '') as chunks`,
    ),
  );
  return {
    kind: 'postgresql',
    database,
    seeded: row?.chunks === `bench-files ${CORPUS} ${CHUNKS}`,
    async markSeeded() {
      await database.db.execute(
        sql.raw(`comment on table file_chunks is 'bench-files ${CORPUS} ${CHUNKS}'`),
      );
    },
  };
}

async function openPglite(dataDir: string): Promise<BenchDatabase> {
  const marker = `${dataDir}/.seeded-${CORPUS === 'zipf' ? '' : `${CORPUS}-`}${CHUNKS}`;
  const seeded = existsSync(marker);
  if (!seeded) await rm(dataDir, { recursive: true, force: true });
  return {
    kind: 'pglite',
    database: await createEmbeddedDatabase({ dataDir }),
    seeded,
    async markSeeded() {
      await Bun.write(marker, `${new Date().toISOString()}\n`);
    },
  };
}

async function seededDatabase(target: BenchDatabase) {
  const { database, kind } = target;
  const { db } = database;
  const text = corpus(42);
  if (target.seeded) {
    log(`reusing the ${CHUNKS} seeded chunks of the ${CORPUS} corpus (${kind})`);
    return { database, seed: null };
  }
  log(`seeding ${CHUNKS} chunks of the ${CORPUS} corpus (${kind}, kept for the next run)…`);
  // A run stopped half-way, or with another count: its users' rows go with them.
  await db.delete(user).where(inArray(user.id, [SEED_USER, ...OTHER_USERS]));
  for (const id of [SEED_USER, ...OTHER_USERS]) await addUser(db, id);
  // Loading first and indexing after is much faster than keeping the graph up per row.
  const indexDefinition = await embeddingIndexDefinition(db);
  await db.execute(sql`drop index if exists file_chunks_embedding_idx`);
  const started = performance.now();
  const perFile = 1_000;
  for (let offset = 0; offset < CHUNKS; offset += perFile) {
    const fileIndex = offset / perFile;
    const userId = ownerOf(fileIndex);
    const fileTopic = (fileIndex * 37) % TOPICS;
    // One transaction per file: one WAL flush per 1,000 rows, not per statement.
    await db.transaction(async (tx) => {
      const [file] = await tx
        .insert(files)
        .values({
          userId,
          name: `synthetic-${fileIndex}.txt`,
          contentType: 'text/plain',
          size: 1,
          storageKey: `users/${userId}/synthetic-${offset}`,
          status: 'ready',
          chunkCount: perFile,
        })
        .returning();
      if (!file) throw new Error('no file');
      for (let i = 0; i < perFile; i += 250) {
        const rows = Array.from({ length: 250 }, (_, j) => {
          // A file keeps to its topic for four chunks in five.
          const content =
            CORPUS === 'zipf'
              ? text.passage(60)
              : text.topical(60, text.pick(5) === 0 ? text.pick(TOPICS) : fileTopic);
          return {
            position: i + j,
            content,
            tokenCount: 60,
            embedding: compact(localEmbedding(content)),
          };
        });
        await tx.execute(insertChunks(file, rows));
      }
    });
    if (fileIndex % 10 === 9) {
      log(`  ${offset + perFile} chunks, ${round((performance.now() - started) / 1000)} s`);
    }
  }
  const loadSeconds = (performance.now() - started) / 1000;
  const indexStarted = performance.now();
  // The index of the migrations, built once over the loaded rows. pgvector builds the graph
  // in memory while it fits in maintenance_work_mem and much more slowly on pages after
  // (100,000 × 1536 dimensions is about 0.7 GB).
  const built = await db.transaction(async (tx) => {
    await tx.execute(sql`set local maintenance_work_mem = '${sql.raw(MAINTENANCE_WORK_MEM)}'`);
    await tx.execute(sql.raw(indexDefinition));
    return indexDefinition;
  });
  const indexSeconds = (performance.now() - indexStarted) / 1000;
  await db.execute(sql`analyze file_chunks`);
  await target.markSeeded();
  log(`seeded in ${round(loadSeconds)} s, HNSW index built in ${round(indexSeconds)} s`);
  log(`  ${built}`);
  const seed = { loadSeconds: round(loadSeconds), indexSeconds: round(indexSeconds) };
  return { database, seed: { ...seed, maintenanceWorkMem: MAINTENANCE_WORK_MEM, index: built } };
}

/**
 * Queries: the first twelve words of `n` stored chunks picked at random, so each query has
 * a near neighbour, as a question about a document does (random words would have none, and
 * no index finds the "nearest" of nearly equidistant vectors reliably).
 */
async function queries(db: Database, n: number) {
  const rows = await db
    .select({ content: fileChunks.content })
    .from(fileChunks)
    .orderBy(sql`random()`)
    .limit(n);
  return rows.map((row) => row.content.split(' ').slice(0, 12).join(' '));
}

async function searchLatency(db: Database, mode: SearchMode, scan: Scan, qs: string[]) {
  const retrieval = createRetrieval({ db, embedder: localEmbedder, mode, ...scan });
  const times: number[] = [];
  for (const query of qs) {
    const started = performance.now();
    await retrieval.search({ userId: SEED_USER, query, limit: 10 });
    times.push(performance.now() - started);
  }
  return {
    mode,
    ...scan,
    queries: qs.length,
    p50Ms: round(median(times), 2),
    p99Ms: round(percentile(times, 99), 2),
  };
}

/** The exact distances of the owner's 10 nearest chunks: every row sorted, no index. */
async function exactDistances(db: Database, embedding: number[]) {
  const vector = `[${embedding.join(',')}]`;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('enable_indexscan', 'off', true)`);
    const rows = await tx
      .select({
        distance: sql<number>`${fileChunks.embedding} <=> ${vector}::vector`.mapWith(Number),
      })
      .from(fileChunks)
      .where(eq(fileChunks.userId, SEED_USER))
      .orderBy(sql`${fileChunks.embedding} <=> ${vector}::vector`)
      .limit(10);
    return rows.map((row) => row.distance);
  });
}

/** Distances equal to the float8 precision of a vector's text count as ties. */
const TIE = 1e-6;

/**
 * Recall@10 of the route's vector search (owner-filtered, through the index as the planner
 * picks it) against exact owner-filtered search. A hit is a result no farther than the exact
 * 10th nearest: among equidistant chunks any is as right as another, so ids alone would
 * count a tie as a miss.
 */
async function recallAt10(db: Database, qs: string[]) {
  const exact: Array<{ tenth: number; ms: number }> = [];
  for (const query of qs) {
    const started = performance.now();
    const distances = await exactDistances(db, localEmbedding(query));
    exact.push({ tenth: distances.at(-1) ?? 2, ms: performance.now() - started });
  }
  const rows = [];
  for (const scan of SCAN_SETTINGS) {
    const retrieval = createRetrieval({ db, embedder: localEmbedder, mode: 'vector', ...scan });
    let found = 0;
    const times: number[] = [];
    for (const [i, query] of qs.entries()) {
      const started = performance.now();
      const { hits } = await retrieval.search({ userId: SEED_USER, query, limit: 10 });
      times.push(performance.now() - started);
      const tenth = exact[i]?.tenth ?? 2;
      found += hits.filter((hit) => 1 - hit.score <= tenth + TIE).length;
    }
    rows.push({
      ...scan,
      recallAt10: round(found / (qs.length * 10), 3),
      p50Ms: round(median(times), 2),
      p99Ms: round(percentile(times, 99), 2),
    });
  }
  return { exactP50Ms: round(median(exact.map((e) => e.ms)), 1), byEfSearch: rows };
}

async function labelledQuality() {
  const database = await createTestDatabase({ vector: true });
  await addUser(database.db, SEED_USER);
  const ids = await seedPassages(database.db, SEED_USER, LABELLED_DOCUMENTS, localEmbedder);
  const rows = [];
  for (const mode of SEARCH_MODES) {
    const retrieval = createRetrieval({
      db: database.db,
      embedder: localEmbedder,
      mode,
      ...APP_SCAN,
    });
    const score = await scoreRetrieval(retrieval, SEED_USER, ids);
    rows.push({
      mode,
      hitAt1: round(score.hitAt1, 3),
      recallAt3: round(score.recallAt3, 3),
      mrr: round(score.mrr, 3),
    });
  }
  await database.close();
  return rows;
}

/**
 * PostgreSQL when DATABASE_URL names one with pgvector available, PGlite otherwise (and why,
 * when a DATABASE_URL was given).
 */
async function benchTarget(): Promise<{ target: BenchDatabase; postgres: string }> {
  const dataDir = process.env.BENCH_FILES_DIR ?? '.data/bench-files';
  const { DATABASE_URL } = loadEnv();
  if (!DATABASE_URL) {
    return { target: await openPglite(dataDir), postgres: 'skipped: DATABASE_URL is not set' };
  }
  const { default: postgres } = await import('postgres');
  // Asked of the server's own database: the bench's is created when missing.
  const client = postgres(maintenanceUrl(DATABASE_URL), { max: 1, onnotice: () => {} });
  const [found] = await client`select current_setting('server_version') as server,
    (select default_version from pg_available_extensions where name = 'vector') as pgvector`;
  await client.end({ timeout: 5 });
  if (!found?.pgvector) {
    return {
      target: await openPglite(dataDir),
      postgres:
        'skipped: this PostgreSQL has no pgvector extension (search there is full-text only)',
    };
  }
  return {
    target: await openPostgres(DATABASE_URL),
    postgres: `measured: PostgreSQL ${found.server}, pgvector ${found.pgvector}`,
  };
}

// Run.
const { target, postgres } = await benchTarget();
log(`PostgreSQL: ${postgres}`);
if (process.env.BENCH_FILES_SEED_ONLY) {
  // Seeds (or finds) the database and stops: the long step on its own.
  await (await seededDatabase(target)).database.close();
  process.exit(0);
}
log('1. ingestion throughput');
const server = await startOpenAiServer();
const ingestion = [
  await ingestionThroughput(`local (${localEmbedder.model})`, localEmbedder),
  await ingestionThroughput(
    'scripted OpenAI-compatible server',
    createEmbedder({
      env: parseEnv({ OPENAI_BASE_URL: server.url, OPENAI_MAX_RETRIES: '0' }),
      openaiApiKey: server.apiKey,
    }),
  ),
];
await server.close();
log(table(ingestion));

log(`\n2-3. search at ${CHUNKS} chunks (${target.kind})`);
const { database, seed } = await seededDatabase(target);
const [{ n } = { n: 0 }] = await database.db.select({ n: count() }).from(fileChunks);
const searchQueries = await queries(database.db, QUERIES);
// Warm the index's pages once, as a serving process would have them.
await searchLatency(database.db, 'vector', APP_SCAN, searchQueries.slice(0, 10));
const latency = [
  await searchLatency(database.db, 'vector', { efSearch: 40, scanRows: 40 }, searchQueries),
  await searchLatency(database.db, 'vector', APP_SCAN, searchQueries),
  await searchLatency(database.db, 'hybrid', APP_SCAN, searchQueries),
];
log(table(latency));
const recall = await recallAt10(database.db, await queries(database.db, RECALL_QUERIES));
log(`exact search p50 ${recall.exactP50Ms} ms`);
log(table(recall.byEfSearch));
await database.close();

log('\n4. retrieval quality on the labelled set (local embedding)');
const quality = await labelledQuality();
log(table(quality));

// One file per database, so a PostgreSQL run does not overwrite the PGlite figures.
const path = await saveResults(target.kind === 'pglite' ? 'files' : 'files-postgresql', {
  date: new Date().toISOString(),
  chunks: n,
  ingestion,
  seed,
  search: { database: target.kind, chunks: n, latency },
  corpus: CORPUS,
  recall: { ...recall, chosen: APP_SCAN },
  quality: { defaultMode: DEFAULT_SEARCH_MODE, modes: quality },
  postgres,
});
log(`\n${path}`);

/**
 * Retrieval: the caller's chunks that best answer a query, for POST /api/files/search and the
 * `search_documents` tool.
 *
 * Every query is scoped to the caller in SQL (`file_chunks.user_id` and `files.user_id`), and
 * to the files named when the request names some, so another user's rows cannot come back
 * whatever the query says.
 *
 * - `vector`: the query's embedding against the chunks' by cosine distance. The plan is chosen
 *   here, not by the planner (whose price of the HNSW index swings with `hnsw.ef_search`: it
 *   took an exact sort at one value and the index at the next, 0.87 against 1 in recall): up
 *   to EXACT_SEARCH_MAX_ROWS rows in scope (a small library, or the files named) are sorted
 *   exactly; more go through the HNSW index with pgvector's iterative scan (0.8 or later), so
 *   that the owner filter cannot starve the result, asking it for `scanRows` rows (not only
 *   the ones wanted) and keeping the nearest: the scan goes on past its first candidate list
 *   of `hnsw.ef_search` when asked for more (docs/performance.md: on PostgreSQL, on the
 *   default graph, recall@10 at ef_search 200 rose from 0.89 with 200 rows asked to 0.94
 *   with 1,000; on the graph of migration 0011, 0.97–0.98 either way).
 * - `text`: PostgreSQL full-text search over the generated tsvector, matching any of the
 *   query's stemmed words, ranked by `ts_rank_cd`: what a database without pgvector answers.
 * - `hybrid`: the vector candidates (four per result asked for) ranked again by full text,
 *   both orders fused by reciprocal rank (RRF, k = 60). The default: on the labelled set
 *   (test/retrieval-set.ts) it puts the answer first more often than either alone;
 *   docs/performance.md has the figures.
 */
import { CHUNK_SEARCH_CONFIG, fileChunks, files } from '@backend/shared/schema';
import { and, cosineDistance, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { UsageService } from '../ai/usage/usage.service.ts';
import type { Database } from '../lib/db/index.ts';
import { hasVectorSupport } from '../lib/db/vector.ts';
import type { Embedder } from './embeddings.ts';

export const SEARCH_MODES = ['vector', 'text', 'hybrid'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];
/** The mode with pgvector: see docs/performance.md for the measurement behind it. */
export const DEFAULT_SEARCH_MODE: SearchMode = 'hybrid';

/** The `k` of reciprocal rank fusion: how much a top rank outweighs the next ones. */
const RRF_K = 60;
/** Candidates each list contributes to a fused result, per result asked for. */
const CANDIDATES_PER_RESULT = 4;
/**
 * Rows in scope up to which vector search sorts them all (recall 1): about 40 ms for 2,000
 * chunks of 1536 dimensions on the embedded database, what the index takes at 100,000.
 */
export const EXACT_SEARCH_MAX_ROWS = 2_000;

export interface ChunkHit {
  fileId: string;
  fileName: string;
  /** The chunk's place in its file, 0-based. */
  position: number;
  content: string;
  /**
   * Higher is better: the cosine similarity (vector), `ts_rank_cd` (text) or the fused
   * reciprocal-rank score (hybrid).
   */
  score: number;
}

export interface SearchRequest {
  userId: string;
  query: string;
  /** Only chunks of these files (the caller's; others match nothing). */
  fileIds?: readonly string[];
  limit: number;
  signal?: AbortSignal;
}

export interface SearchResult {
  hits: ChunkHit[];
  mode: SearchMode;
  /** Tokens the query's embedding cost (0 in text mode). */
  embeddingTokens: number;
}

export interface RetrievalOptions {
  db: Database;
  embedder: Embedder;
  /** The mode when pgvector is there; without it, always `text`. */
  mode: SearchMode;
  /** `hnsw.ef_search`: candidates the index keeps in its first pass (recall against speed). */
  efSearch: number;
  /**
   * Rows asked of the index's iterative scan, of which the nearest are kept: past `efSearch`,
   * the scan goes on through the graph (recall against speed). @default efSearch
   */
  scanRows?: number;
  /** Rows in scope up to which vector search sorts them all. @default EXACT_SEARCH_MAX_ROWS */
  exactSearchMaxRows?: number;
  /**
   * Charges the query's embedding to the caller: refused (429) over the daily token budget,
   * recorded after. @default not charged (benchmarks)
   */
  usage?: Pick<UsageService, 'assertWithinBudget' | 'record'>;
}

export interface Retrieval {
  search(request: SearchRequest): Promise<SearchResult>;
}

interface Candidate {
  id: string;
  fileId: string;
  position: number;
  content: string;
  score: number;
}

const toVector = (values: readonly number[]) => `[${values.join(',')}]`;

function scope(request: SearchRequest): SQL | undefined {
  return and(
    eq(fileChunks.userId, request.userId),
    request.fileIds?.length ? inArray(fileChunks.fileId, [...request.fileIds]) : undefined,
  );
}

/** Whether the rows in scope are few enough to sort them all, counted no further than that. */
async function fewInScope(db: Database, request: SearchRequest, maxRows: number): Promise<boolean> {
  const [row] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(
    db
      .select({ id: fileChunks.id })
      .from(fileChunks)
      .where(scope(request))
      .limit(maxRows + 1)
      .as('in_scope'),
  );
  return (row?.n ?? 0) <= maxRows;
}

/** The nearest chunks by cosine distance, best first. */
async function vectorCandidates(
  db: Database,
  request: SearchRequest,
  embedding: readonly number[],
  limit: number,
  { efSearch, scanRows = efSearch, exactSearchMaxRows = EXACT_SEARCH_MAX_ROWS }: RetrievalOptions,
): Promise<Candidate[]> {
  const distance = cosineDistance(fileChunks.embedding, toVector(embedding));
  const exact = await fewInScope(db, request, exactSearchMaxRows);
  return db.transaction(async (tx) => {
    // Transaction-local: a pooled connection goes back with its defaults.
    if (exact) {
      await tx.execute(sql`select set_config('enable_indexscan', 'off', true)`);
    } else {
      await tx.execute(sql`select set_config('hnsw.ef_search', ${String(efSearch)}, true)`);
      await tx.execute(sql`select set_config('hnsw.iterative_scan', 'relaxed_order', true)`);
      await tx.execute(sql`select set_config('enable_sort', 'off', true)`);
    }
    const rows = await tx
      .select({
        id: fileChunks.id,
        fileId: fileChunks.fileId,
        position: fileChunks.position,
        content: fileChunks.content,
        distance: sql<number>`${distance}`.mapWith(Number),
      })
      .from(fileChunks)
      .where(scope(request))
      .orderBy(distance)
      .limit(exact ? limit : Math.max(limit, efSearch, scanRows));
    // An iterative scan may return neighbours slightly out of order.
    return rows
      .map(({ distance: d, ...row }) => ({ ...row, score: 1 - d }))
      .sort((a, b) => b.score - a.score)
      .slice(0, limit);
  });
}

/** The chunks matching the query's words (among `among` when given), best ranked first. */
async function textCandidates(
  db: Database,
  request: SearchRequest,
  limit: number,
  among?: readonly string[],
): Promise<Candidate[]> {
  // Any of the query's words (stemmed, stop words dropped), not all: questions carry words
  // their answer does not. Chunks with more of them, closer together, rank higher.
  const all = sql`plainto_tsquery(${CHUNK_SEARCH_CONFIG}::regconfig, ${request.query})`;
  const query = sql`to_tsquery(${CHUNK_SEARCH_CONFIG}::regconfig, replace(${all}::text, ' & ', ' | '))`;
  const rank = sql<number>`ts_rank_cd(${fileChunks.search}, ${query})`.mapWith(Number);
  return db
    .select({
      id: fileChunks.id,
      fileId: fileChunks.fileId,
      position: fileChunks.position,
      content: fileChunks.content,
      score: rank,
    })
    .from(fileChunks)
    .where(
      and(
        scope(request),
        among ? inArray(fileChunks.id, [...among]) : undefined,
        sql`${fileChunks.search} @@ ${query}`,
      ),
    )
    .orderBy(desc(rank), fileChunks.fileId, fileChunks.position)
    .limit(limit);
}

/** Reciprocal rank fusion of ranked lists: each item scores the sum of 1 / (k + rank). */
export function fuseByRank(lists: readonly Candidate[][], limit: number): Candidate[] {
  const fused = new Map<string, Candidate>();
  for (const list of lists) {
    for (const [index, candidate] of list.entries()) {
      const key = candidate.id;
      const score = 1 / (RRF_K + index + 1);
      const seen = fused.get(key);
      fused.set(key, { ...candidate, score: (seen?.score ?? 0) + score });
    }
  }
  return [...fused.values()].sort((a, b) => b.score - a.score).slice(0, limit);
}

/** File names of the hits' files, read with the owner in the filter too. */
async function withFileNames(
  db: Database,
  userId: string,
  candidates: Candidate[],
): Promise<ChunkHit[]> {
  if (candidates.length === 0) return [];
  const ids = [...new Set(candidates.map((candidate) => candidate.fileId))];
  const rows = await db
    .select({ id: files.id, name: files.name })
    .from(files)
    .where(and(eq(files.userId, userId), inArray(files.id, ids)));
  const names = new Map(rows.map((row) => [row.id, row.name]));
  return candidates.flatMap((candidate) => {
    const fileName = names.get(candidate.fileId);
    if (fileName === undefined) return [];
    const { fileId, position, content, score } = candidate;
    return [{ fileId, fileName, position, content, score }];
  });
}

export function createRetrieval(options: RetrievalOptions): Retrieval {
  const { db, embedder } = options;
  return {
    async search(request) {
      const mode: SearchMode = (await hasVectorSupport(db)) ? options.mode : 'text';
      let embeddingTokens = 0;
      let candidates: Candidate[];
      if (mode === 'text') {
        candidates = await textCandidates(db, request, request.limit);
      } else {
        await options.usage?.assertWithinBudget(request.userId);
        const { vectors, tokens } = await embedder.embed([request.query], request.signal);
        embeddingTokens = tokens;
        await options.usage?.record({
          userId: request.userId,
          model: embedder.model,
          provider: embedder.provider,
          promptTokens: tokens,
          completionTokens: 0,
        });
        const [embedding = []] = vectors;
        if (mode === 'vector') {
          candidates = await vectorCandidates(db, request, embedding, request.limit, options);
        } else {
          const pool = Math.max(request.limit * CANDIDATES_PER_RESULT, 20);
          // One after the other: the embedded database runs one query at a time anyway.
          const byVector = await vectorCandidates(db, request, embedding, pool, options);
          // Ranked by full text among the vector candidates only: ranking every chunk that
          // shares a word with the query costs seconds at 100,000 chunks, and on the
          // labelled set scores no better (docs/performance.md).
          const byText = await textCandidates(
            db,
            request,
            pool,
            byVector.map((candidate) => candidate.id),
          );
          candidates = fuseByRank([byVector, byText], request.limit);
        }
      }
      request.signal?.throwIfAborted();
      return { hits: await withFileNames(db, request.userId, candidates), mode, embeddingTokens };
    },
  };
}

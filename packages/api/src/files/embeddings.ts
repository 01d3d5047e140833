/**
 * Embeddings of document chunks and search queries, 1536 dimensions (the `vector` column).
 *
 * - With an OpenAI key, `@langchain/openai`'s OpenAIEmbeddings against the same endpoint as
 *   the chat models (OPENAI_API_KEY, OPENAI_BASE_URL), model FILES_EMBEDDING_MODEL. The
 *   tokens each request used are read from the response's `usage`.
 * - With no key, the local embedding: deterministic, offline, and named `local-embedding`
 *   with provider `local` wherever it shows (usage records, search responses), as the local
 *   chat model is. It hashes words and their character trigrams into the dimensions
 *   (feature hashing, L2-normalised): lexical similarity, no semantics, but real cosine
 *   distances for the index to work on.
 *
 * Requests carry the caller's AbortSignal; token counts come back with the vectors so that
 * the caller charges them to the user whose document or query it was.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { EMBEDDING_DIMENSIONS } from '@backend/shared/schema';
import { Embeddings } from '@langchain/core/embeddings';
import { OpenAIEmbeddings } from '@langchain/openai';
import { countTokens } from '../ai/runtime/tokens.ts';
import type { Env } from '../env.ts';

/** The local embedding's name in usage records and responses. */
export const LOCAL_EMBEDDING_MODEL = 'local-embedding';

export type EmbeddingProvider = 'openai' | 'local';

export interface EmbeddedTexts {
  /** One vector per text, in order, each of EMBEDDING_DIMENSIONS numbers. */
  vectors: number[][];
  /** Tokens the provider counted for the texts (the local embedding counts words). */
  tokens: number;
}

export interface Embedder {
  /** The model name usage records and responses show. */
  readonly model: string;
  readonly provider: EmbeddingProvider;
  /** The deterministic local embedding (no provider configured). */
  readonly local: boolean;
  /** Embeds `texts` in batches of FILES_EMBEDDING_BATCH_SIZE, one request after another. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<EmbeddedTexts>;
}

/** A provider's answer that cannot be stored: the wrong number of vectors or dimensions. */
export class EmbeddingShapeError extends Error {
  override readonly name = 'EmbeddingShapeError';
}

/** FNV-1a, 32 bits: a fast, stable hash for feature hashing. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const WORD = /[\p{L}\p{N}]+/gu;
const TRIGRAM_WEIGHT = 0.5;

/** The local embedding of `text`: hashed words and character trigrams, L2-normalised. */
export function localEmbedding(text: string, dimensions = EMBEDDING_DIMENSIONS): number[] {
  const vector = new Float64Array(dimensions);
  const add = (feature: string, weight: number) => {
    const hash = fnv1a(feature);
    const index = hash % dimensions;
    // One bit of the hash picks the sign, so unrelated features cancel out on average.
    vector[index] = (vector[index] ?? 0) + (hash & 0x80000000 ? -weight : weight);
  };
  for (const [word] of text.toLowerCase().matchAll(WORD)) {
    add(`w:${word}`, 1);
    const padded = ` ${word} `;
    for (let i = 0; i + 3 <= padded.length; i += 1)
      add(`t:${padded.slice(i, i + 3)}`, TRIGRAM_WEIGHT);
  }
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  // A text without words gets a fixed unit vector rather than zeros (cosine of zero is NaN).
  if (norm === 0) return Array.from(vector, (_, i) => (i === 0 ? 1 : 0));
  return Array.from(vector, (value) => value / norm);
}

/** The local embedding as a LangChain `Embeddings`, for code that takes one. */
export class LocalEmbeddings extends Embeddings {
  constructor(readonly dimensions = EMBEDDING_DIMENSIONS) {
    super({});
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((text) => localEmbedding(text, this.dimensions));
  }

  async embedQuery(text: string): Promise<number[]> {
    return localEmbedding(text, this.dimensions);
  }
}

interface Meter {
  tokens: number;
  signal?: AbortSignal;
}

const meters = new AsyncLocalStorage<Meter>();

/**
 * The client's fetch: passes the current call's signal and adds the `usage.prompt_tokens`
 * of each response to its meter (OpenAIEmbeddings returns vectors only).
 */
async function meteredFetch(input: string | URL | Request, init?: RequestInit) {
  const meter = meters.getStore();
  const signal =
    meter?.signal && init?.signal
      ? AbortSignal.any([meter.signal, init.signal])
      : (meter?.signal ?? init?.signal);
  const response = await globalThis.fetch(input, { ...init, ...(signal ? { signal } : {}) });
  if (meter && response.ok) {
    const body = (await response
      .clone()
      .json()
      .catch(() => null)) as { usage?: { prompt_tokens?: unknown } } | null;
    const tokens = body?.usage?.prompt_tokens;
    if (typeof tokens === 'number' && Number.isFinite(tokens)) meter.tokens += tokens;
  }
  return response;
}

export interface EmbedderOptions {
  env: Pick<
    Env,
    | 'OPENAI_BASE_URL'
    | 'OPENAI_TIMEOUT_MS'
    | 'OPENAI_MAX_RETRIES'
    | 'FILES_EMBEDDING_MODEL'
    | 'FILES_EMBEDDING_BATCH_SIZE'
  >;
  /** The key of the OpenAI-compatible endpoint; null or absent: the local embedding. */
  openaiApiKey?: string | null;
}

function checkShape(vectors: ArrayLike<number>[], count: number): number[][] {
  if (vectors.length !== count) {
    throw new EmbeddingShapeError(`The embedding endpoint answered ${vectors.length} of ${count}`);
  }
  return vectors.map((vector) => {
    if (vector.length !== EMBEDDING_DIMENSIONS) {
      throw new EmbeddingShapeError(
        `The embedding model gives ${vector.length} dimensions, not ${EMBEDDING_DIMENSIONS}`,
      );
    }
    // The client decodes base64 answers into Float32Arrays.
    return Array.from(vector);
  });
}

export function createEmbedder(options: EmbedderOptions): Embedder {
  const { env } = options;
  const batchSize = env.FILES_EMBEDDING_BATCH_SIZE;
  const batches = (texts: readonly string[]) => {
    const out: string[][] = [];
    for (let i = 0; i < texts.length; i += batchSize) out.push(texts.slice(i, i + batchSize));
    return out;
  };

  if (!options.openaiApiKey) {
    return {
      model: LOCAL_EMBEDDING_MODEL,
      provider: 'local',
      local: true,
      async embed(texts, signal) {
        const vectors: number[][] = [];
        let tokens = 0;
        for (const batch of batches(texts)) {
          signal?.throwIfAborted();
          for (const text of batch) {
            vectors.push(localEmbedding(text));
            tokens += countTokens(text);
          }
          // Yield between batches: a large document does not hold the event loop.
          await new Promise((resolve) => setImmediate(resolve));
        }
        return { vectors, tokens };
      },
    };
  }

  const model = env.FILES_EMBEDDING_MODEL;
  const client = new OpenAIEmbeddings({
    model,
    apiKey: options.openaiApiKey,
    batchSize,
    // OpenAI's text-embedding-3 models shorten to any width; others answer their own.
    ...(model.startsWith('text-embedding-3') ? { dimensions: EMBEDDING_DIMENSIONS } : {}),
    timeout: env.OPENAI_TIMEOUT_MS,
    maxRetries: env.OPENAI_MAX_RETRIES,
    configuration: {
      ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
      fetch: meteredFetch,
    },
  });
  return {
    model,
    provider: 'openai',
    local: false,
    async embed(texts, signal) {
      const meter: Meter = { tokens: 0, ...(signal ? { signal } : {}) };
      const vectors: number[][] = [];
      for (const batch of batches(texts)) {
        signal?.throwIfAborted();
        const answer = await meters.run(meter, () => client.embedDocuments(batch));
        vectors.push(...checkShape(answer, batch.length));
      }
      return { vectors, tokens: meter.tokens };
    },
  };
}

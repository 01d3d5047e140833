import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { EMBEDDING_DIMENSIONS } from '@backend/shared/schema';
import { type OpenAiTestServer, startOpenAiServer } from '../../test/openai-server.ts';
import { parseEnv } from '../env.ts';
import {
  createEmbedder,
  EmbeddingShapeError,
  LOCAL_EMBEDDING_MODEL,
  localEmbedding,
} from './embeddings.ts';

const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);
const norm = (v: number[]) => Math.sqrt(cosine(v, v));

describe('the local embedding', () => {
  test('is deterministic, unit length and 1536 wide', () => {
    const a = localEmbedding('The quarterly revenue grew');
    expect(a).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(norm(a)).toBeCloseTo(1, 10);
    expect(localEmbedding('The quarterly revenue grew')).toEqual(a);
    expect(norm(localEmbedding('   '))).toBeCloseTo(1, 10);
  });

  test('puts texts that share words closer than texts that do not', () => {
    const query = localEmbedding('revenue growth this quarter');
    const related = localEmbedding('Revenue grew by twelve percent in the third quarter.');
    const unrelated = localEmbedding('New engineers receive a laptop on their first day.');
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated) + 0.1);
  });

  test('is labelled local, counts words as tokens, and stops on an aborted signal', async () => {
    const embedder = createEmbedder({ env: parseEnv({ FILES_EMBEDDING_BATCH_SIZE: '2' }) });
    expect(embedder).toMatchObject({
      model: LOCAL_EMBEDDING_MODEL,
      provider: 'local',
      local: true,
    });
    const { vectors, tokens } = await embedder.embed(['one two', 'three', 'four five six']);
    expect(vectors).toHaveLength(3);
    expect(vectors[2]).toEqual(localEmbedding('four five six'));
    expect(tokens).toBe(6);
    await expect(embedder.embed(['x'], AbortSignal.abort())).rejects.toThrow();
  });
});

describe('OpenAI-compatible embeddings (@langchain/openai against the scripted server)', () => {
  let server: OpenAiTestServer;
  beforeAll(async () => {
    server = await startOpenAiServer();
  });
  afterAll(() => server.close());

  const embedderFor = (extra: Record<string, string> = {}) =>
    createEmbedder({
      env: parseEnv({ OPENAI_BASE_URL: server.url, OPENAI_MAX_RETRIES: '0', ...extra }),
      openaiApiKey: server.apiKey,
    });

  test('embeds in batches of FILES_EMBEDDING_BATCH_SIZE, in order, with the tokens the endpoint counted', async () => {
    server.reset();
    const embedder = embedderFor({ FILES_EMBEDDING_BATCH_SIZE: '2' });
    expect(embedder).toMatchObject({
      model: 'text-embedding-3-small',
      provider: 'openai',
      local: false,
    });
    const texts = ['alpha beta', 'gamma', 'delta epsilon zeta', 'eta'];
    const { vectors, tokens } = await embedder.embed(texts);
    const requests = server.requests.filter((r) => r.path === '/v1/embeddings');
    expect(requests.map((r) => r.body.input)).toEqual([texts.slice(0, 2), texts.slice(2)]);
    expect(requests[0]?.body).toMatchObject({
      model: 'text-embedding-3-small',
      dimensions: EMBEDDING_DIMENSIONS,
    });
    expect(requests[0]?.headers.authorization).toBe(`Bearer ${server.apiKey}`);
    expect(tokens).toBe(7);
    expect(vectors).toHaveLength(4);
    // The same text gives the same direction as the server's own embedding of it.
    const again = await embedder.embed(['gamma']);
    expect(cosine(vectors[1] ?? [], again.vectors[0] ?? [])).toBeCloseTo(1, 5);
    expect(Array.isArray(vectors[0])).toBe(true);
  });

  test('a model of another width is refused before anything is stored', async () => {
    server.reset();
    server.scriptEmbeddings({ dimensions: 768 });
    await expect(
      embedderFor({ FILES_EMBEDDING_MODEL: 'nomic-embed' }).embed(['x']),
    ).rejects.toThrow(EmbeddingShapeError);
  });

  test('an endpoint failure rejects, and an aborted signal cancels the request', async () => {
    server.reset();
    server.scriptEmbeddings({ status: 500 });
    await expect(embedderFor().embed(['x'])).rejects.toThrow();
    server.scriptEmbeddings({ delayMs: 2_000 });
    const controller = new AbortController();
    const pending = embedderFor().embed(['slow'], controller.signal);
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    await expect(pending).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});

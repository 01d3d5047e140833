import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { FileResponse } from '@backend/shared/schema';
import { jsonRequest, signUp, type TestUser } from '../../test/accounts.ts';
import { fixtureDocument } from '../../test/documents.ts';
import { type OpenAiTestServer, startOpenAiServer } from '../../test/openai-server.ts';
import { useTestApp } from '../../test/test-app.ts';
import { ERROR_CODES, type ErrorBody } from '../lib/errors.ts';
import type { UploadTarget } from '../lib/storage/types.ts';
import { LOCAL_EMBEDDING_MODEL } from './embeddings.ts';
import { DOCX } from './extract.ts';

interface SearchResults {
  items: Array<{
    fileId: string;
    fileName: string;
    position: number;
    content: string;
    score: number;
  }>;
  mode: string;
  embedding: { model: string; local: boolean };
}

describe('POST /api/files/search', () => {
  const t = useTestApp({ vector: true, env: { AI_LOCAL_TOKEN_DELAY_MS: '0' } });
  let alice: TestUser;
  let bob: TestUser;
  let handbookId: string;

  const search = (user: TestUser | null, body: unknown) =>
    t.app.request('/api/files/search', jsonRequest('POST', body, user?.headers ?? {}));

  /** Uploads `data` through the API as `user`, confirms it and waits for it to be ready. */
  async function ingested(
    user: TestUser,
    name: string,
    data: Uint8Array<ArrayBuffer>,
    contentType: string,
  ) {
    const started = await t.app.request(
      '/api/files',
      jsonRequest('POST', { name, contentType, size: data.byteLength }, user.headers),
    );
    expect(started.status).toBe(201);
    const { file, upload } = (await started.json()) as { file: FileResponse; upload: UploadTarget };
    const put = await t.app.request(upload.url, {
      method: upload.method,
      headers: upload.headers ?? {},
      body: data,
    });
    expect(put.status).toBe(204);
    const completed = await t.app.request(`/api/files/${file.id}/complete`, {
      method: 'POST',
      headers: user.headers,
    });
    expect(completed.status).toBe(200);
    for (let i = 0; i < 500; i++) {
      const current = (await (
        await t.app.request(`/api/files/${file.id}`, { headers: user.headers })
      ).json()) as FileResponse;
      if (current.status !== 'processing') {
        expect(current).toMatchObject({ status: 'ready' });
        return current;
      }
      await Bun.sleep(20);
    }
    throw new Error(`${name} was not ingested in time`);
  }

  beforeAll(async () => {
    [alice, bob] = (await Promise.all([signUp(t.app, t.deps), signUp(t.app, t.deps)])) as [
      TestUser,
      TestUser,
    ];
    handbookId = (await ingested(alice, 'handbook.docx', fixtureDocument('handbook.docx'), DOCX))
      .id;
    await ingested(
      alice,
      'notes.md',
      new TextEncoder().encode('# Release\n\nThe release train leaves every Tuesday.'),
      'text/markdown',
    );
  });

  test("answers the caller's best chunks with file, position and score, labelled local", async () => {
    const response = await search(alice, { query: 'security key on the first day', limit: 2 });
    expect(response.status).toBe(200);
    const body = (await response.json()) as SearchResults;
    expect(body.mode).toBe('hybrid');
    expect(body.embedding).toEqual({ model: LOCAL_EMBEDDING_MODEL, local: true });
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items[0]).toMatchObject({
      fileId: handbookId,
      fileName: 'handbook.docx',
      position: 0,
    });
    expect(body.items[0]?.content).toContain('security key');
  });

  test('fileIds narrows the search to those files', async () => {
    const response = await search(alice, { query: 'security key release', fileIds: [handbookId] });
    const body = (await response.json()) as SearchResults;
    expect(new Set(body.items.map((item) => item.fileName))).toEqual(new Set(['handbook.docx']));
  });

  test("another user's search finds none of the caller's chunks, even naming the file", async () => {
    for (const body of [
      { query: 'security key laptop first day' },
      { query: 'security key', fileIds: [handbookId] },
    ]) {
      const response = await search(bob, body);
      expect(response.status).toBe(200);
      expect(((await response.json()) as SearchResults).items).toEqual([]);
    }
  });

  test('the embeddings of ingestion and search show in GET /api/ai/usage', async () => {
    const response = await t.app.request('/api/ai/usage', { headers: alice.headers });
    expect(response.status).toBe(200);
    const { rows } = (await response.json()) as {
      rows: Array<{ model: string; calls: number; promptTokens: number }>;
    };
    const embedding = rows.find((row) => row.model === LOCAL_EMBEDDING_MODEL);
    expect(embedding?.calls).toBeGreaterThanOrEqual(3);
    expect(embedding?.promptTokens).toBeGreaterThan(20);
  });

  test('bad input answers 422 in the error shape; no session 401', async () => {
    for (const body of [
      {},
      { query: '' },
      { query: '   ' },
      { query: 'x', limit: 0 },
      { query: 'x', limit: 51 },
      { query: 'x', fileIds: ['not-a-uuid'] },
      { query: 'x', fileIds: [] },
      { query: 'x', userId: bob?.id ?? 'bob' },
      { query: 'x'.repeat(1_001) },
    ]) {
      const response = await search(alice, body);
      expect({ body, status: response.status }).toEqual({ body, status: 422 });
      expect(((await response.json()) as ErrorBody).error.code).toBe(ERROR_CODES.VALIDATION_FAILED);
    }
    expect((await search(null, { query: 'x' })).status).toBe(401);
  });
});

describe('POST /api/files/search against an OpenAI-compatible embedding endpoint', () => {
  let server: OpenAiTestServer;
  beforeAll(async () => {
    server = await startOpenAiServer();
  });
  afterAll(() => server.close());
  const t = useTestApp({
    vector: true,
    env: {
      get OPENAI_API_KEY() {
        return server.apiKey;
      },
      get OPENAI_BASE_URL() {
        return server.url;
      },
      OPENAI_MAX_RETRIES: '0',
      AI_MODELS: 'gpt-test',
    },
  });

  test('embeds the query with the configured model, and a failing endpoint answers 502', async () => {
    const user = await signUp(t.app, t.deps);
    server.reset();
    const ok = await t.app.request(
      '/api/files/search',
      jsonRequest('POST', { query: 'anything' }, user.headers),
    );
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as SearchResults).embedding).toEqual({
      model: 'text-embedding-3-small',
      local: false,
    });
    expect(server.requests.some((request) => request.path === '/v1/embeddings')).toBe(true);

    server.scriptEmbeddings({ status: 500 });
    const failed = await t.app.request(
      '/api/files/search',
      jsonRequest('POST', { query: 'anything' }, user.headers),
    );
    expect(failed.status).toBe(502);
    expect(((await failed.json()) as ErrorBody).error.code).toBe(ERROR_CODES.BAD_GATEWAY);
  });
});

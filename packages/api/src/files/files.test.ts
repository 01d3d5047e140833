import { describe, expect, test } from 'bun:test';
import { type FileResponse, fileChunks, files } from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import { jsonRequest, signUp, type TestUser } from '../../test/accounts.ts';
import { useTestApp } from '../../test/test-app.ts';
import { ERROR_CODES, type ErrorBody } from '../lib/errors.ts';
import { signToken, storageTokenKey } from '../lib/storage/tokens.ts';
import type { UploadTarget } from '../lib/storage/types.ts';
import { FILES_OBJECT_CREATED_JOB } from './jobs.ts';

const errorOf = async (response: Response) => ((await response.json()) as ErrorBody).error;
const bytes = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);
const UNKNOWN_ID = '0192f0c4-8b1e-7c3a-9b5e-1f2a3b4c5d6e';
/** The start of a Windows executable: what file-type knows as application/x-msdownload. */
const EXECUTABLE: Uint8Array<ArrayBuffer> = new Uint8Array([
  0x4d,
  0x5a,
  0x90,
  0x00,
  ...new Array(300).fill(0),
]);

interface NewUpload {
  file: FileResponse;
  upload: UploadTarget;
}

function filesApi(t: ReturnType<typeof useTestApp>) {
  const start = (user: TestUser, body: { name: string; contentType: string; size: number }) =>
    t.app.request('/api/files', jsonRequest('POST', body, user.headers));
  const put = (
    target: UploadTarget,
    body: BodyInit,
    headers: Record<string, string> = target.headers ?? {},
  ) => t.app.request(target.url, { method: target.method, headers, body });
  const complete = (user: TestUser, fileId: string) =>
    t.app.request(`/api/files/${fileId}/complete`, { method: 'POST', headers: user.headers });
  const get = (user: TestUser, fileId: string) =>
    t.app.request(`/api/files/${fileId}`, { headers: user.headers });
  /** Starts an upload of `data` and sends it; the new upload. */
  async function uploaded(
    user: TestUser,
    data: Uint8Array<ArrayBuffer>,
    contentType: string,
    name = 'f',
  ) {
    const started = await start(user, { name, contentType, size: data.byteLength });
    expect(started.status).toBe(201);
    const created = (await started.json()) as NewUpload;
    expect((await put(created.upload, data)).status).toBe(204);
    return created;
  }
  const keyOf = async (fileId: string) => {
    const [row] = await t.deps.database.db
      .select({ key: files.storageKey })
      .from(files)
      .where(eq(files.id, fileId));
    return row?.key ?? '';
  };
  return { start, put, complete, get, uploaded, keyOf };
}

describe('files', () => {
  const t = useTestApp({ vector: true });
  const api = filesApi(t);

  test('a text file goes from upload to processing, and its owner lists, reads and downloads it', async () => {
    const user = await signUp(t.app, t.deps);
    const data = bytes('# Notes\n\nSome words.\n');
    const started = await api.start(user, {
      name: 'notes.md',
      contentType: 'text/markdown',
      size: data.byteLength,
    });
    expect(started.status).toBe(201);
    const { file, upload } = (await started.json()) as NewUpload;
    expect(file).toMatchObject({ name: 'notes.md', status: 'pending', chunkCount: 0 });
    expect(file).not.toHaveProperty('storageKey');
    expect(upload.method).toBe('PUT');
    expect(Date.parse(upload.expiresAt)).toBeGreaterThan(Date.now());
    expect((await api.put(upload, data)).status).toBe(204);

    const completed = await api.complete(user, file.id);
    expect(completed.status).toBe(200);
    expect(await completed.json()).toMatchObject({
      status: 'processing',
      detectedContentType: 'text/markdown',
    });
    // Confirming again changes nothing.
    expect((await api.complete(user, file.id)).status).toBe(200);

    const listed = await t.app.request('/api/files', { headers: user.headers });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { items: FileResponse[] }).items.map((f) => f.id)).toEqual([
      file.id,
    ]);

    const link = await t.app.request(`/api/files/${file.id}/download`, { headers: user.headers });
    expect(link.status).toBe(200);
    const { url } = (await link.json()) as { url: string };
    const downloaded = await t.app.request(url);
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers.get('content-disposition')).toBe(
      "attachment; filename*=UTF-8''notes.md",
    );
    // A stored HTML file never runs as a page of the app's origin.
    expect(downloaded.headers.get('content-security-policy')).toContain('sandbox');
    expect(new Uint8Array(await downloaded.arrayBuffer())).toEqual(data);

    // The queued ingestion ran (in process) and made the file searchable.
    let current: FileResponse | undefined;
    for (let i = 0; i < 500; i++) {
      current = (await (await api.get(user, file.id)).json()) as FileResponse;
      if (current.status !== 'processing') break;
      await Bun.sleep(20);
    }
    expect(current).toMatchObject({ status: 'ready', chunkCount: 1, failureReason: null });
  });

  test('GET /api/files pages through my files, newest first', async () => {
    const user = await signUp(t.app, t.deps);
    for (const name of ['a', 'b', 'c'])
      await api.start(user, { name, contentType: 'text/plain', size: 1 });
    const first = await t.app.request('/api/files?limit=2', { headers: user.headers });
    const page = (await first.json()) as { items: FileResponse[]; nextCursor: string };
    expect(page.items.map((f) => f.name)).toEqual(['c', 'b']);
    const second = await t.app.request(`/api/files?limit=2&cursor=${page.nextCursor}`, {
      headers: user.headers,
    });
    const rest = (await second.json()) as { items: FileResponse[]; nextCursor: string | null };
    expect(rest.items.map((f) => f.name)).toEqual(['a']);
    expect(rest.nextCursor).toBeNull();
  });

  test('POST /api/files refuses a type not allowed with 415 and the allowed types', async () => {
    const user = await signUp(t.app, t.deps);
    const response = await api.start(user, {
      name: 'tool.exe',
      contentType: 'application/x-msdownload',
      size: 10,
    });
    expect(response.status).toBe(415);
    const error = await errorOf(response);
    expect(error.code).toBe(ERROR_CODES.FILE_TYPE_NOT_ALLOWED);
    expect((error.details as { allowedTypes: string[] }).allowedTypes).toContain('application/pdf');
  });

  test('POST /api/files refuses a file over the size limit with 413', async () => {
    const user = await signUp(t.app, t.deps);
    const response = await api.start(user, {
      name: 'big.pdf',
      contentType: 'application/pdf',
      size: t.deps.env.FILES_MAX_BYTES + 1,
    });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe(ERROR_CODES.FILE_TOO_LARGE);
  });

  test('an upload larger than declared is refused with 413, streamed or not, and nothing is stored', async () => {
    const user = await signUp(t.app, t.deps);
    const started = await api.start(user, { name: 'a.txt', contentType: 'text/plain', size: 4 });
    const { file, upload } = (await started.json()) as NewUpload;
    const declaredTooLong = await api.put(upload, bytes('more than four'));
    expect(declaredTooLong.status).toBe(413);
    expect((await errorOf(declaredTooLong)).code).toBe(ERROR_CODES.FILE_TOO_LARGE);
    // Without a Content-Length the body is counted as it streams.
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes('abc'));
        controller.enqueue(bytes('defgh'));
        controller.close();
      },
    });
    const streamedTooLong = await t.app.request(upload.url, {
      method: 'PUT',
      headers: upload.headers,
      body: streamed,
      duplex: 'half',
    } as RequestInit);
    expect(streamedTooLong.status).toBe(413);
    expect(await t.deps.storage?.head(await api.keyOf(file.id))).toBeNull();
    const shorter = await api.put(upload, bytes('ab'));
    expect(shorter.status).toBe(400);
    expect((await errorOf(shorter)).code).toBe(ERROR_CODES.FILE_SIZE_MISMATCH);
    expect(await t.deps.storage?.head(await api.keyOf(file.id))).toBeNull();
  });

  test('a forged, expired or misused upload token is refused with 403', async () => {
    const user = await signUp(t.app, t.deps);
    const started = await api.start(user, { name: 'a.txt', contentType: 'text/plain', size: 2 });
    const { file, upload } = (await started.json()) as NewUpload;
    const url = new URL(upload.url);
    const token = url.searchParams.get('token') ?? '';
    const claims = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString());
    const withToken = (value: string) => {
      const changed = new URL(url);
      changed.searchParams.set('token', value);
      return { ...upload, url: changed.toString() };
    };
    const forged = `${Buffer.from(JSON.stringify({ ...claims, size: 2_000 })).toString('base64url')}.${token.split('.')[1]}`;
    const key = storageTokenKey(t.deps.env.BETTER_AUTH_SECRET ?? '');
    const expired = signToken(key, { ...claims, expires: Math.floor(Date.now() / 1000) - 1 });
    const forDownload = signToken(key, { ...claims, purpose: 'download' });
    const otherSecret = signToken(storageTokenKey('z'.repeat(32)), claims);
    for (const bad of [forged, expired, forDownload, otherSecret, 'not-a-token']) {
      const response = await api.put(withToken(bad), bytes('hi'));
      expect(response.status).toBe(403);
      expect((await errorOf(response)).code).toBe(ERROR_CODES.UPLOAD_TOKEN_INVALID);
    }
    expect(await t.deps.storage?.head(await api.keyOf(file.id))).toBeNull();
  });

  test('completing a file that was never uploaded is 409, and the file stays pending', async () => {
    const user = await signUp(t.app, t.deps);
    const started = await api.start(user, { name: 'a.txt', contentType: 'text/plain', size: 2 });
    const { file } = (await started.json()) as NewUpload;
    const response = await api.complete(user, file.id);
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe(ERROR_CODES.FILE_NOT_UPLOADED);
    expect(((await (await api.get(user, file.id)).json()) as FileResponse).status).toBe('pending');
    const link = await t.app.request(`/api/files/${file.id}/download`, { headers: user.headers });
    expect(link.status).toBe(409);
  });

  test('an executable uploaded as a PDF is refused with 415 at completion, deleted, and the file failed', async () => {
    const user = await signUp(t.app, t.deps);
    const { file } = await api.uploaded(user, EXECUTABLE, 'application/pdf', 'report.pdf');
    const key = await api.keyOf(file.id);
    expect(await t.deps.storage?.head(key)).not.toBeNull();
    const response = await api.complete(user, file.id);
    expect(response.status).toBe(415);
    const error = await errorOf(response);
    expect(error.code).toBe(ERROR_CODES.FILE_TYPE_MISMATCH);
    expect(error.details).toEqual({
      declared: 'application/pdf',
      detected: 'application/x-msdownload',
    });
    expect(await t.deps.storage?.head(key)).toBeNull();
    const current = (await (await api.get(user, file.id)).json()) as FileResponse;
    expect(current.status).toBe('failed');
    expect(current.failureReason).toContain('application/x-msdownload');
  });

  test('a JSON file uploads as it is: its body is stored, never parsed', async () => {
    const user = await signUp(t.app, t.deps);
    const nested = bytes(`${'['.repeat(100)}${']'.repeat(100)}`);
    const { file } = await api.uploaded(user, nested, 'application/json', 'deep.json');
    expect((await api.complete(user, file.id)).status).toBe(200);
    expect(await t.deps.storage?.read(await api.keyOf(file.id))).toEqual(nested);
  });

  test('a real PDF passes the check', async () => {
    const user = await signUp(t.app, t.deps);
    const pdf = bytes('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n');
    const { file } = await api.uploaded(user, pdf, 'application/pdf', 'a.pdf');
    const response = await api.complete(user, file.id);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ detectedContentType: 'application/pdf' });
  });

  test("another user's file is 404 on every route, and stays untouched", async () => {
    const [owner, other] = [await signUp(t.app, t.deps), await signUp(t.app, t.deps)];
    const { file } = await api.uploaded(owner, bytes('mine'), 'text/plain');
    for (const [method, path] of [
      ['GET', `/api/files/${file.id}`],
      ['POST', `/api/files/${file.id}/complete`],
      ['GET', `/api/files/${file.id}/download`],
      ['DELETE', `/api/files/${file.id}`],
      ['GET', `/api/files/${UNKNOWN_ID}`],
    ] as const) {
      const response = await t.app.request(path, { method, headers: other.headers });
      expect(`${method} ${path} ${response.status}`).toBe(`${method} ${path} 404`);
      expect((await errorOf(response)).code).toBe(ERROR_CODES.NOT_FOUND);
    }
    expect(((await (await api.get(owner, file.id)).json()) as FileResponse).status).toBe('pending');
  });

  test('DELETE removes the stored object, the chunks and their embeddings together', async () => {
    const user = await signUp(t.app, t.deps);
    const { file } = await api.uploaded(user, bytes('hello'), 'text/plain');
    const key = await api.keyOf(file.id);
    await t.deps.database.db.insert(fileChunks).values({
      fileId: file.id,
      userId: user.id,
      position: 0,
      content: 'hello',
      tokenCount: 1,
      embedding: new Array(1536).fill(0.01),
    });
    const response = await t.app.request(`/api/files/${file.id}`, {
      method: 'DELETE',
      headers: user.headers,
    });
    expect(response.status).toBe(204);
    expect(await t.deps.storage?.head(key)).toBeNull();
    const left = await t.deps.database.db
      .select({ id: fileChunks.id })
      .from(fileChunks)
      .where(eq(fileChunks.fileId, file.id));
    expect(left).toEqual([]);
    expect((await api.get(user, file.id)).status).toBe(404);
  });

  test('the storage notification confirms an upload the client never confirmed', async () => {
    const user = await signUp(t.app, t.deps);
    const { file } = await api.uploaded(user, bytes('hello'), 'text/plain');
    const storage = t.deps.storage;
    if (!storage) throw new Error('no storage');
    await t.deps.jobs.handlers.run(
      {
        id: 'n1',
        type: FILES_OBJECT_CREATED_JOB,
        payload: { bucket: storage.location, key: await api.keyOf(file.id), size: 5 },
        enqueuedAt: new Date().toISOString(),
      },
      { attempt: 1, signal: new AbortController().signal },
    );
    const current = (await (await api.get(user, file.id)).json()) as FileResponse;
    expect(current.status).not.toBe('pending');
    expect(current.completedAt).not.toBeNull();
  });
});

describe('file quotas', () => {
  const t = useTestApp({
    vector: true,
    env: { FILES_MAX_PER_USER: '2', FILES_MAX_BYTES_PER_USER: '100' },
  });
  const api = filesApi(t);

  test('past the file count quota is 409, past the byte quota 413, each with the quota', async () => {
    const user = await signUp(t.app, t.deps);
    expect((await api.start(user, { name: 'a', contentType: 'text/plain', size: 60 })).status).toBe(
      201,
    );
    const tooManyBytes = await api.start(user, { name: 'b', contentType: 'text/plain', size: 41 });
    expect(tooManyBytes.status).toBe(413);
    const bytesError = await errorOf(tooManyBytes);
    expect(bytesError.code).toBe(ERROR_CODES.FILE_QUOTA_EXCEEDED);
    expect(bytesError.details).toEqual({
      quota: { maxBytes: 100, usedBytes: 60, requestedBytes: 41 },
    });
    expect((await api.start(user, { name: 'c', contentType: 'text/plain', size: 40 })).status).toBe(
      201,
    );
    const tooMany = await api.start(user, { name: 'd', contentType: 'text/plain', size: 1 });
    expect(tooMany.status).toBe(409);
    const countError = await errorOf(tooMany);
    expect(countError.code).toBe(ERROR_CODES.FILE_QUOTA_EXCEEDED);
    expect(countError.details).toEqual({ quota: { maxFiles: 2, files: 2 } });
  });
});

describe('files on a database without pgvector', () => {
  const t = useTestApp({ vector: false });

  test('the app starts, lists files, and answers uploads with 503 VECTOR_SEARCH_UNAVAILABLE', async () => {
    const user = await signUp(t.app, t.deps);
    expect((await t.app.request('/api/files', { headers: user.headers })).status).toBe(200);
    const response = await t.app.request(
      '/api/files',
      jsonRequest('POST', { name: 'a.txt', contentType: 'text/plain', size: 1 }, user.headers),
    );
    expect(response.status).toBe(503);
    expect((await errorOf(response)).code).toBe(ERROR_CODES.VECTOR_SEARCH_UNAVAILABLE);
  });
});

describe('files without storage (a deployed stage with no bucket)', () => {
  const t = useTestApp({ storage: null });

  test('every file route answers 503 FILE_STORAGE_UNAVAILABLE', async () => {
    const user = await signUp(t.app, t.deps);
    const response = await t.app.request('/api/files', { headers: user.headers });
    expect(response.status).toBe(503);
    expect((await errorOf(response)).code).toBe(ERROR_CODES.FILE_STORAGE_UNAVAILABLE);
  });
});

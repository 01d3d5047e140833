import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { signUp, type TestUser } from '../../test/accounts.ts';
import { createTestDeps } from '../../test/test-deps.ts';
import { AI_PATH, createApp } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { ERROR_CODES, type ErrorBody, notFound, onError } from '../lib/errors.ts';
import type { AppBindings } from '../lib/types.ts';
import { bodyLimit, requestTimeout } from './limits.ts';

const LIMIT = 2048;

let deps: AppDeps;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  deps = await createTestDeps({ env: { BODY_LIMIT_BYTES: String(LIMIT) } });
  app = createApp(deps);
});
afterAll(() => deps.close());

const errorOf = async (response: Response) => ((await response.json()) as ErrorBody).error;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A valid create-chat body of exactly `bytes` bytes (JSON allows trailing whitespace). */
function chatBodyOf(bytes: number) {
  const json = JSON.stringify({ title: 'Sized body' });
  return json + ' '.repeat(bytes - Buffer.byteLength(json));
}

/** A request body that arrives in `chunkSize` pieces, with no Content-Length. */
function streamOf(text: string, chunkSize = 512): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

/** A POST of `text` to /api/chats as a stream (no Content-Length); Bun needs `duplex`. */
/** A chat creation with its Content-Length declared. */
const declaredChatPost = (user: TestUser, body: string): RequestInit => ({
  method: 'POST',
  headers: {
    ...user.headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  },
  body,
});

function streamedChatPost(user: TestUser, text: string) {
  const init: RequestInit & { duplex: 'half' } = {
    method: 'POST',
    headers: { ...user.headers, 'content-type': 'application/json' },
    body: streamOf(text),
    duplex: 'half',
  };
  return new Request('http://localhost/api/chats', init);
}

async function chatCountOf(user: TestUser) {
  const response = await app.request('/api/chats', { headers: user.headers });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: unknown[] }).items.length;
}

describe('body limit through createApp (BODY_LIMIT_BYTES)', () => {
  test('POST /api/chats over the limit with a Content-Length answers 413 and stores nothing', async () => {
    const user = await signUp(app, deps);
    const body = chatBodyOf(LIMIT + 1);
    const response = await app.request('/api/chats', declaredChatPost(user, body));
    expect(response.status).toBe(413);
    const error = await errorOf(response);
    expect(error.code).toBe(ERROR_CODES.PAYLOAD_TOO_LARGE);
    expect(error.details).toEqual({ maxBytes: LIMIT });
    expect(error.requestId).toBe(response.headers.get('x-request-id') ?? '');
    expect(await chatCountOf(user)).toBe(0);
  });

  test('POST /api/chats over the limit as a stream without Content-Length answers 413 and stores nothing', async () => {
    const user = await signUp(app, deps);
    const request = streamedChatPost(user, chatBodyOf(LIMIT * 2));
    expect(request.headers.has('content-length')).toBe(false);
    const response = await app.request(request);
    expect(response.status).toBe(413);
    const error = await errorOf(response);
    expect(error.code).toBe(ERROR_CODES.PAYLOAD_TOO_LARGE);
    expect(error.details).toEqual({ maxBytes: LIMIT });
    expect(await chatCountOf(user)).toBe(0);
  });

  test('POST /api/chats with a body of exactly the limit is accepted, declared or streamed', async () => {
    const user = await signUp(app, deps);
    const body = chatBodyOf(LIMIT);
    const declared = await app.request('/api/chats', declaredChatPost(user, body));
    expect(declared.status).toBe(201);
    const streamed = await app.request(streamedChatPost(user, body));
    expect(streamed.status).toBe(201);
    expect(await chatCountOf(user)).toBe(2);
  });
});

describe('bodyLimit', () => {
  const limited = new Hono<AppBindings>();
  limited.use(requestId());
  limited.use(bodyLimit({ defaultBytes: 1024, rules: [{ prefix: '/big', value: 10_000 }] }));
  limited.post('/*', async (c) => c.json({ received: (await c.req.text()).length }));
  limited.notFound(notFound);
  limited.onError(onError);

  const post = (path: string, bytes: number) =>
    limited.request(path, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'content-length': String(bytes) },
      body: 'x'.repeat(bytes),
    });

  test('a route rule raises the limit for its prefix only', async () => {
    const big = await post('/big/upload', 5000);
    expect(big.status).toBe(200);
    expect(await big.json()).toEqual({ received: 5000 });

    const other = await post('/small/upload', 5000);
    expect(other.status).toBe(413);
    expect((await errorOf(other)).details).toEqual({ maxBytes: 1024 });
  });

  test('a route rule still answers 413 over its own limit', async () => {
    const response = await post('/big/upload', 10_001);
    expect(response.status).toBe(413);
    const error = await errorOf(response);
    expect(error.code).toBe(ERROR_CODES.PAYLOAD_TOO_LARGE);
    expect(error.details).toEqual({ maxBytes: 10_000 });
  });
});

describe('requestTimeout', () => {
  const slow = new Hono<AppBindings>();
  slow.use(requestId());
  slow.use(requestTimeout({ defaultMs: 50, rules: [{ prefix: AI_PATH, value: 2000 }] }));
  slow.get('/*', async (c) => {
    await sleep(200);
    return c.json({ done: true });
  });
  slow.notFound(notFound);
  slow.onError(onError);

  test('answers 504 in the error shape when a handler runs past the time', async () => {
    const response = await slow.request('/api/chats');
    expect(response.status).toBe(504);
    const error = await errorOf(response);
    expect(error.code).toBe(ERROR_CODES.TIMEOUT);
    expect(error.message).toContain('50 ms');
    expect(error.requestId).toBe(response.headers.get('x-request-id') ?? '');
    expect(error.requestId).not.toBe('unknown');
  });

  test('gives /api/ai/ paths their longer time', async () => {
    const response = await slow.request(`${AI_PATH}complete`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
  });

  test('on Lambda, ends the request before the invocation runs out (remaining time minus the margin)', async () => {
    const remaining = 3_000 + 60;
    const lambda = { context: { getRemainingTimeInMillis: () => remaining } };
    const response = await slow.request(`${AI_PATH}complete`, {}, lambda);
    expect(response.status).toBe(504);
    const error = await errorOf(response);
    expect(error.code).toBe(ERROR_CODES.TIMEOUT);
    expect(error.message).toContain('60 ms');
  });

  test('the deadline aborts with a TimeoutError when the time is up, also after the response', async () => {
    const streaming = new Hono<AppBindings>();
    streaming.use(requestTimeout({ defaultMs: 50 }));
    let during: AbortSignal | undefined;
    let after: (() => AbortSignal) | undefined;
    streaming.get('/stream', (c) => {
      during = c.get('deadline')();
      after = c.get('deadline');
      return c.json({ started: true });
    });
    const response = await streaming.request('/stream');
    expect(response.status).toBe(200);
    expect(during?.aborted).toBe(false);
    expect(after?.()).toBe(during as AbortSignal);
    await sleep(120);
    expect(during?.aborted).toBe(true);
    expect((during?.reason as DOMException | undefined)?.name).toBe('TimeoutError');
  });

  test('a deadline first asked for after the response still aborts when the time is up', async () => {
    const streaming = new Hono<AppBindings>();
    streaming.use(requestTimeout({ defaultMs: 50 }));
    let deadline: (() => AbortSignal) | undefined;
    streaming.get('/later', (c) => {
      deadline = c.get('deadline');
      return c.json({ started: true });
    });
    expect((await streaming.request('/later')).status).toBe(200);
    const signal = deadline?.();
    expect(signal?.aborted).toBe(false);
    await sleep(120);
    expect(signal?.aborted).toBe(true);
    expect((signal?.reason as DOMException | undefined)?.name).toBe('TimeoutError');
    expect(deadline?.()).toBe(signal as AbortSignal);
  });

  test('on Lambda with time to spare, the route’s own time still applies', async () => {
    const lambda = { context: { getRemainingTimeInMillis: () => 900_000 } };
    const response = await slow.request(`${AI_PATH}complete`, {}, lambda);
    expect(response.status).toBe(200);
  });
});

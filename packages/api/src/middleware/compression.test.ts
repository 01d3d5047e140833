import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { createTestDeps } from '../../test/test-deps.ts';
import { createApp } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import type { AppBindings } from '../lib/types.ts';
import { compression, negotiateEncoding } from './compression.ts';

let deps: AppDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(() => deps.close());

/** A JSON document of exactly `bytes` bytes. */
function jsonOf(bytes: number) {
  const empty = JSON.stringify({ data: '' });
  return JSON.stringify({ data: 'x'.repeat(bytes - empty.length) });
}

const LARGE = jsonOf(100 * 1024);
const SMALL = jsonOf(900);
const AT_THRESHOLD = jsonOf(1024);
const JSON_TYPE = { 'content-type': 'application/json' };
const SSE_GAP_MS = 200;

const events = { secondWritten: false };

const small = new Hono<AppBindings>();
small.use(compression());
small.get('/large', (c) => c.body(LARGE, 200, JSON_TYPE));
small.get('/small', (c) => c.body(SMALL, 200, JSON_TYPE));
small.get('/threshold', (c) => c.body(AT_THRESHOLD, 200, JSON_TYPE));
small.get('/declared', (c) =>
  c.body(LARGE, 200, { ...JSON_TYPE, 'content-length': String(LARGE.length) }),
);
small.get('/encoded', (c) =>
  c.body(new Uint8Array(gzipSync(LARGE)), 200, { ...JSON_TYPE, 'content-encoding': 'gzip' }),
);
small.get('/empty', (c) => c.body(null, 204));
small.get('/unchanged', () => new Response(null, { status: 304, headers: { etag: 'W/"1"' } }));
small.get('/events', () => {
  events.secondWritten = false;
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(`data: ${'first '.repeat(400)}\n\n`));
      await new Promise((resolve) => setTimeout(resolve, SSE_GAP_MS));
      events.secondWritten = true;
      controller.enqueue(encoder.encode(`data: ${'second '.repeat(400)}\n\n`));
      controller.close();
    },
  });
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
  });
});

const get = (path: string, acceptEncoding?: string) =>
  small.request(path, acceptEncoding ? { headers: { 'accept-encoding': acceptEncoding } } : {});

const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer());
const varyOf = (response: Response) =>
  (response.headers.get('vary') ?? '').split(',').map((field) => field.trim().toLowerCase());

describe('negotiateEncoding', () => {
  const cases: Array<[string | undefined, 'br' | 'gzip' | null]> = [
    ['gzip, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=0.5, br;q=0.4', 'gzip'],
    ['identity', null],
    ['*', 'br'],
    ['*;q=0, gzip', 'gzip'],
    ['', null],
    [undefined, null],
    ['br;q=0,gzip;q=0', null],
  ];
  for (const [header, expected] of cases) {
    test(`picks ${expected} for ${JSON.stringify(header)}`, () => {
      expect(negotiateEncoding(header)).toBe(expected);
    });
  }
});

describe('compression', () => {
  test('brotli-encodes a large JSON body for Accept-Encoding: br, decoding to the same bytes', async () => {
    const response = await get('/large', 'br');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('br');
    expect(varyOf(response)).toContain('accept-encoding');
    const body = await bytesOf(response);
    expect(response.headers.get('content-length')).toBe(String(body.byteLength));
    expect(body.byteLength).toBeLessThan(LARGE.length);
    expect(brotliDecompressSync(body).toString('utf8')).toBe(LARGE);
  });

  test('gzip-encodes a large JSON body for Accept-Encoding: gzip, decoding to the same bytes', async () => {
    const response = await get('/large', 'gzip');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(varyOf(response)).toContain('accept-encoding');
    const body = await bytesOf(response);
    expect(response.headers.get('content-length')).toBe(String(body.byteLength));
    expect(gunzipSync(body).toString('utf8')).toBe(LARGE);
  });

  test('replaces a declared Content-Length with the encoded length', async () => {
    const response = await get('/declared', 'gzip');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    const body = await bytesOf(response);
    expect(response.headers.get('content-length')).toBe(String(body.byteLength));
    expect(gunzipSync(body).toString('utf8')).toBe(LARGE);
  });

  test('sends the body as it is without Accept-Encoding, still varying on it', async () => {
    const response = await get('/large');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(varyOf(response)).toContain('accept-encoding');
    expect(await response.text()).toBe(LARGE);
  });

  test('does not encode a body under 1024 bytes, and does encode one of exactly 1024', async () => {
    const under = await get('/small', 'br');
    expect(under.status).toBe(200);
    expect(under.headers.get('content-encoding')).toBeNull();
    expect(await under.text()).toBe(SMALL);

    const at = await get('/threshold', 'br');
    expect(at.status).toBe(200);
    expect(at.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(await bytesOf(at)).toString('utf8')).toBe(AT_THRESHOLD);
  });

  test('leaves a body that already has a Content-Encoding alone', async () => {
    const response = await get('/encoded', 'br');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(await bytesOf(response)).toString('utf8')).toBe(LARGE);
  });

  test('leaves 204 and 304 responses alone', async () => {
    const empty = await get('/empty', 'br');
    expect(empty.status).toBe(204);
    expect(empty.headers.get('content-encoding')).toBeNull();
    expect(await empty.text()).toBe('');

    const unchanged = await get('/unchanged', 'br');
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('content-encoding')).toBeNull();
    expect(unchanged.headers.get('etag')).toBe('W/"1"');
  });

  test('never encodes text/event-stream, and its first event arrives before the next is written', async () => {
    const response = await get('/events', 'br, gzip');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body?.getReader();
    if (!reader) throw new Error('the event stream has no body');
    const first = await reader.read();
    expect(events.secondWritten).toBe(false);
    expect(new TextDecoder().decode(first.value)).toStartWith('data: first ');
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += new TextDecoder().decode(chunk.value);
    }
    expect(events.secondWritten).toBe(true);
    expect(rest).toContain('data: second ');
  });
});

describe('compression through createApp', () => {
  test('GET /openapi.json with Accept-Encoding: br is brotli-encoded', async () => {
    const app = createApp(deps);
    const plain = await app.request('/openapi.json');
    expect(plain.status).toBe(200);
    const document = await plain.text();
    expect(Buffer.byteLength(document)).toBeGreaterThan(1024);

    const response = await app.request('/openapi.json', { headers: { 'accept-encoding': 'br' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('br');
    expect(varyOf(response)).toContain('accept-encoding');
    const body = await bytesOf(response);
    expect(response.headers.get('content-length')).toBe(String(body.byteLength));
    expect(brotliDecompressSync(body).toString('utf8')).toBe(document);
  });
});

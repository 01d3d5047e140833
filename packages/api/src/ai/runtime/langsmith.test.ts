import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { jsonRequest, signUp } from '../../../test/accounts.ts';
import { parseSse } from '../../../test/sse.ts';
import { createTestDeps } from '../../../test/test-deps.ts';
import { type App, createApp } from '../../app.ts';
import type { AppDeps } from '../../deps.ts';
import { createTracing } from './langsmith.ts';

/** A stand-in for the LangSmith API on 127.0.0.1 that keeps what it is sent. */
async function startLangSmith() {
  const bodies: string[] = [];
  const keys: string[] = [];
  const server = createServer(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    let body = Buffer.concat(parts);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    if (req.method === 'POST') {
      bodies.push(body.toString('utf8'));
      keys.push(String(req.headers['x-api-key']));
    }
    res.writeHead(req.method === 'GET' ? 200 : 202, { 'content-type': 'application/json' });
    res.end(req.method === 'GET' ? '{}' : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    keys,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('LangSmith tracing', () => {
  let langsmith: Awaited<ReturnType<typeof startLangSmith>>;
  let deps: AppDeps;
  let app: App;

  beforeAll(async () => {
    langsmith = await startLangSmith();
    deps = await createTestDeps({
      env: { LANGSMITH_API_KEY: 'lsv2_test_key', LANGSMITH_ENDPOINT: langsmith.url },
    });
    app = createApp(deps);
  });
  afterAll(async () => {
    await deps.close();
    await langsmith.close();
  });

  test('a chat run is traced to the stage’s project, tagged with stage, user and request, before the response completes', async () => {
    const user = await signUp(app, deps);
    const response = await app.request(
      '/api/ai/chat',
      jsonRequest(
        'POST',
        { message: 'trace me' },
        { ...user.headers, 'x-request-id': 'req-trace-1' },
      ),
    );
    expect(response.status).toBe(200);
    // No waiting here: the handler flushed before answering.
    const sent = langsmith.bodies.join('\n');
    expect(sent).toContain('hono-ai-backend-local');
    expect(sent).toContain('stage:local');
    expect(sent).toContain(`user:${user.id}`);
    expect(sent).toContain('request:req-trace-1');
    expect(sent).toContain('trace me');
    expect(langsmith.keys.every((key) => key === 'lsv2_test_key')).toBe(true);
  });

  test('a streamed run is delivered before the stream ends', async () => {
    const user = await signUp(app, deps);
    const response = await app.request(
      '/api/ai/chat/stream',
      jsonRequest(
        'POST',
        { message: 'trace my stream' },
        { ...user.headers, 'x-request-id': 'req-trace-2' },
      ),
    );
    const events = parseSse(await response.text());
    expect(events.at(-1)?.event).toBe('end');
    expect(langsmith.bodies.join('\n')).toContain('request:req-trace-2');
  });
});

describe('without LANGSMITH_API_KEY', () => {
  test('nothing is traced and flush does not wait', async () => {
    const tracing = createTracing({ apiKey: null, project: 'p', stage: 'local' });
    expect(tracing.enabled).toBe(false);
    expect(tracing.callbacks({ userId: 'u' })).toEqual([]);
    const started = performance.now();
    await tracing.flush();
    expect(performance.now() - started).toBeLessThan(5);
  });
});

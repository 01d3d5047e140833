/**
 * Every AI stream behaves the same (lib/sse.ts): while the model is silent longer than
 * SSE_HEARTBEAT_MS the client receives `: keep-alive` comments and the stream still
 * completes; a failure is an `error` event followed by the final `end` event.
 */
import { describe, expect, test } from 'bun:test';
import { jsonRequest, signUp } from '../../test/accounts.ts';
import { openAiTestEnv } from '../../test/openai-server.ts';
import { parseSse } from '../../test/sse.ts';
import { useOpenAiTestApp } from '../../test/test-app.ts';
import { createTestDeps } from '../../test/test-deps.ts';
import { createApp } from '../app.ts';
import { ERROR_CODES, type ErrorBody } from '../lib/errors.ts';
import { HEARTBEAT_COMMENT } from '../lib/sse.ts';

const HEARTBEAT_MS = 40;
/** The model's silence: several heartbeat intervals. */
const PAUSE_MS = 300;

const t = useOpenAiTestApp({ SSE_HEARTBEAT_MS: String(HEARTBEAT_MS) });

const post = (path: string, body: unknown) =>
  t.app.request(path, jsonRequest('POST', body, t.user.headers));

/** The raw text of a stream, and its events. */
async function read(response: Response) {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const text = await response.text();
  return { text, events: parseSse(text), names: parseSse(text).map((e) => e.event) };
}

const heartbeats = (text: string) => text.split(HEARTBEAT_COMMENT).length - 1;

async function startApproval(): Promise<string> {
  const response = await post('/api/ai/graphs', {
    graph: 'approval',
    input: { topic: 'Heartbeats', model: 'gpt-test' },
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { graphId: string }).graphId;
}

describe('a model that pauses longer than SSE_HEARTBEAT_MS', () => {
  test('POST /api/ai/chat/stream sends keep-alive comments and completes', async () => {
    t.server.reset();
    t.server.script({ chunks: ['Slow', ' but', ' sure'], tokenDelayMs: PAUSE_MS });
    const { text, events, names } = await read(
      await post('/api/ai/chat/stream', { message: 'take your time' }),
    );
    expect(heartbeats(text)).toBeGreaterThanOrEqual(2);
    expect(names).toEqual(['start', 'token', 'token', 'token', 'end']);
    expect(events.at(-1)?.data).toMatchObject({ status: 'complete' });
  });

  test('POST /api/ai/agents/{agentId}/runs with stream sends keep-alive comments and completes', async () => {
    t.server.reset();
    t.server.script({ content: 'Done thinking.', delayMs: PAUSE_MS });
    const { text, events } = await read(
      await post('/api/ai/agents/calculator/runs', { input: 'Say something', stream: true }),
    );
    expect(heartbeats(text)).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)?.event).toBe('end');
    expect(events.at(-1)?.data).toMatchObject({ output: 'Done thinking.' });
  });

  test('POST /api/ai/graphs/{graphId}/stream sends keep-alive comments and completes', async () => {
    const graphId = await startApproval();
    t.server.reset();
    t.server.script({ content: 'A patient draft.', delayMs: PAUSE_MS });
    const { text, events } = await read(await post(`/api/ai/graphs/${graphId}/stream`, {}));
    expect(heartbeats(text)).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)?.event).toBe('end');
    expect(events.at(-1)?.data).toMatchObject({ graphId, status: 'interrupted' });
  });

  test('a stream that is never silent for SSE_HEARTBEAT_MS sends no keep-alive comment', async () => {
    // A whole stream takes far less than this interval, even on a loaded machine.
    const quick = await createTestDeps({
      env: openAiTestEnv(t.server, { SSE_HEARTBEAT_MS: '5000' }),
    });
    try {
      const quickApp = createApp(quick);
      const quickUser = await signUp(quickApp, quick);
      t.server.reset();
      t.server.script({ chunks: ['Quick', ' reply'] });
      const { text, names } = await read(
        await quickApp.request(
          '/api/ai/chat/stream',
          jsonRequest('POST', { message: 'quick' }, quickUser.headers),
        ),
      );
      expect(heartbeats(text)).toBe(0);
      expect(names).toEqual(['start', 'token', 'token', 'end']);
    } finally {
      await quick.close();
    }
  });
});

describe('a stream that fails ends with error, then end', () => {
  const errorThenEnd = (
    events: Array<{ event: string; data: unknown }>,
    code: (typeof ERROR_CODES)[keyof typeof ERROR_CODES],
  ) => {
    expect(events.at(-2)?.event).toBe('error');
    expect((events.at(-2)?.data as ErrorBody | undefined)?.error.code).toBe(code);
    expect(events.at(-1)?.event).toBe('end');
  };

  test('POST /api/ai/chat/stream: the provider drops the stream mid-way', async () => {
    t.server.reset();
    t.server.script({ chunks: ['one', ' two', ' three'], failAfterChunks: 2, tokenDelayMs: 50 });
    const { events } = await read(await post('/api/ai/chat/stream', { message: 'fail me' }));
    errorThenEnd(events, ERROR_CODES.BAD_GATEWAY);
    expect(events.at(-1)?.data).toMatchObject({ status: 'incomplete' });
  });

  test('POST /api/ai/agents/{agentId}/runs with stream: the provider fails', async () => {
    t.server.reset();
    t.server.script({ status: 500 });
    const { events } = await read(
      await post('/api/ai/agents/calculator/runs', { input: 'fail me', stream: true }),
    );
    errorThenEnd(events, ERROR_CODES.BAD_GATEWAY);
    expect(events.at(-1)?.data).toEqual({ status: 'failed' });
  });

  test('POST /api/ai/graphs/{graphId}/stream: the provider fails', async () => {
    const graphId = await startApproval();
    t.server.reset();
    t.server.script({ status: 503 });
    const { events } = await read(await post(`/api/ai/graphs/${graphId}/stream`, {}));
    errorThenEnd(events, ERROR_CODES.BAD_GATEWAY);
    expect(events.at(-1)?.data).toEqual({ status: 'failed' });
  });
});

import { describe, expect, test } from 'bun:test';
import { ERROR_CODES } from '../../api/src/lib/errors.ts';
import { signUp } from '../../api/test/accounts.ts';
import { useTestApp } from '../../api/test/test-app.ts';
import { createBrowserClient } from '../src/index.ts';
import { readEvents, readFrames, type StreamEvent, StreamResponseError } from '../src/sse.ts';
import { browserFetch } from './in-process.ts';

/** A body that delivers `chunks` one read at a time, as a network would split it. */
const bodyOf = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });

const collect = async <T>(items: AsyncIterable<T>) => {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
};

describe('readFrames', () => {
  test('parses event, multi-line data and id; skips comments; any line ending', async () => {
    const frames = await collect(
      readFrames(
        bodyOf(
          ': keep-alive\n\n',
          'event: token\r\ndata: {"text":"a"}\r\n\r\n',
          'event: note\rdata: one\rdata: two\r\r',
          'id: 7\nevent: end\ndata: {}\n\n',
        ),
      ),
    );
    expect(frames).toEqual([
      { event: 'token', data: '{"text":"a"}' },
      { event: 'note', data: 'one\ntwo' },
      { event: 'end', data: '{}', id: '7' },
    ]);
  });

  test('a frame split anywhere across reads, even inside a CRLF, comes out whole', async () => {
    const text = 'event: token\r\ndata: {"text":"héllo"}\r\n\r\n';
    const bytes = new TextEncoder().encode(text);
    for (let at = 1; at < bytes.length; at++) {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.slice(0, at));
          controller.enqueue(bytes.slice(at));
          controller.close();
        },
      });
      expect(await collect(readFrames(body))).toEqual([
        { event: 'token', data: '{"text":"héllo"}' },
      ]);
    }
  });

  test('a last frame without its blank line still counts; data without event is a message', async () => {
    expect(await collect(readFrames(bodyOf('data: x')))).toEqual([{ event: 'message', data: 'x' }]);
  });
});

describe('readEvents against the API', () => {
  const t = useTestApp();

  test('the chat stream arrives as typed events: start, tokens, end', async () => {
    const user = await signUp(t.app, t.deps);
    const origin = new URL(t.deps.env.PUBLIC_URL).origin;
    const api = createBrowserClient('http://api.test', {
      fetch: browserFetch(t.app, origin),
      headers: { cookie: user.cookie },
    });
    const { response } = await api.POST('/api/ai/chat/stream', {
      body: { message: 'Say something short' },
      parseAs: 'stream',
    });
    let text = '';
    const names: string[] = [];
    let last: StreamEvent<'AiChatStreamEvent'> | undefined;
    for await (const event of readEvents<'AiChatStreamEvent'>(response)) {
      names.push(event.event);
      if (event.event === 'token') text += event.data.text;
      last = event;
    }
    expect(names[0]).toBe('start');
    expect(names.at(-1)).toBe('end');
    expect(names.filter((name) => name === 'token').length).toBeGreaterThan(0);
    expect(text.length).toBeGreaterThan(0);
    expect(last?.event === 'end' && 'messageId' in last.data).toBe(true);
  });

  test('an error answer is a StreamResponseError with the error body, not an empty stream', async () => {
    const response = await t.app.request('/api/ai/chat/stream', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hi' }),
    });
    const failure = await collect(readEvents<'AiChatStreamEvent'>(response)).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StreamResponseError);
    expect((failure as StreamResponseError).status).toBe(401);
    expect((failure as StreamResponseError).body).toMatchObject({
      error: { code: ERROR_CODES.UNAUTHORIZED },
    });
  });
});

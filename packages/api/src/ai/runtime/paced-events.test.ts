import { describe, expect, test } from 'bun:test';
import { pacedEvents } from './paced-events.ts';

const encoder = new TextEncoder();

/** A response whose body arrives as `chunks`, each one network read. */
function streamed(chunks: Array<string | Uint8Array>, type = 'text/event-stream') {
  return new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) {
          controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
        }
        controller.close();
      },
    }),
    { headers: { 'content-type': type } },
  );
}

/** Every read of `response`'s body, as text. */
async function reads(response: Response, between?: () => void) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const seen: string[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return seen;
    seen.push(decoder.decode(value));
    between?.();
  }
}

describe('pacedEvents', () => {
  test('a burst of events in one read is read one event at a time, the event loop turning between them', async () => {
    const burst = 'data: {"a":1}\n\ndata: {"a":2}\n\ndata: [DONE]\n\n';
    const order: string[] = [];
    const seen = await reads(pacedEvents(streamed([burst])), () => {
      order.push('event');
      // A task queued now runs before the next event is handed over.
      setImmediate(() => order.push('task'));
    });
    expect(seen).toEqual(['data: {"a":1}\n\n', 'data: {"a":2}\n\n', 'data: [DONE]\n\n']);
    expect(order.slice(0, 4)).toEqual(['event', 'task', 'event', 'task']);
  });

  test('events split across reads, CRLF line ends and a multi-byte character split between reads arrive whole', async () => {
    const bytes = encoder.encode('data: "é"\r\n\r\n');
    const split = bytes.indexOf(0xc3) + 1; // inside the two bytes of é
    const seen = await reads(
      pacedEvents(
        streamed(['data: {"a"', ':1}\n', '\n', bytes.slice(0, split), bytes.slice(split), 'tail']),
      ),
    );
    expect(seen).toEqual(['data: {"a":1}\n\n', 'data: "é"\r\n\r\n', 'tail']);
  });

  test('a response that is not an event stream, or failed, is returned as it is', async () => {
    const json = streamed(['{"ok":true}'], 'application/json');
    expect(pacedEvents(json)).toBe(json);
    const failed = new Response('data: x\n\n', {
      status: 500,
      headers: { 'content-type': 'text/event-stream' },
    });
    expect(pacedEvents(failed)).toBe(failed);
  });

  test('keeps the status and headers, and cancelling it cancels the provider stream', async () => {
    let cancelled: unknown = null;
    const source = new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(encoder.encode('data: 1\n\n'));
        },
        cancel(reason) {
          cancelled = reason;
        },
      }),
      { status: 200, headers: { 'content-type': 'text/event-stream', 'x-request-id': 'r1' } },
    );
    const paced = pacedEvents(source);
    expect(paced.status).toBe(200);
    expect(paced.headers.get('x-request-id')).toBe('r1');
    const reader = (paced.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: 1\n\n');
    await reader.cancel('client gone');
    expect(cancelled).toBe('client gone');
  });
});

/**
 * A typed reader for the API's Server-Sent Events. Each stream operation declares the union
 * of its events in the document (`AiChatStreamEvent`, `AiAgentRunEvent`, `AiGraphStreamEvent`:
 * `{ event, data }` pairs), so `readEvents<'AiChatStreamEvent'>(response)` yields values a
 * `switch (e.event)` narrows: `e.data` is a token's `{ text }` under `case 'token'`.
 *
 * Frames are parsed as the HTML standard's event-stream rules say: `event:`, `data:` (lines
 * joined with a newline), `id:`, comment lines (`: keep-alive`) skipped, CR, LF or CRLF line ends.
 */
import type { components } from './schema';

type Schemas = components['schemas'];

/** The document's stream event unions, by schema name. */
export type StreamEventSchema = 'AiChatStreamEvent' | 'AiAgentRunEvent' | 'AiGraphStreamEvent';
/** One event of a stream, as the document declares it. */
export type StreamEvent<S extends StreamEventSchema> = Schemas[S];

/** One frame of an event stream, before its data is parsed. */
export interface SseFrame {
  /** The `event:` field; `message` when the frame has none. */
  event: string;
  /** The `data:` lines, joined with `\n`. */
  data: string;
  /** The `id:` field, on resumable streams. */
  id?: string;
}

/** A stream answered with something other than an event stream (an error body, usually). */
export class StreamResponseError extends Error {
  override readonly name = 'StreamResponseError';
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`Expected an event stream, got HTTP ${status}`);
  }
}

/** The frames of an event stream, as they arrive. */
export async function* readFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<SseFrame> {
  const decoder = new TextDecoder();
  let buffer = '';
  let frame: { event?: string; data: string[]; id?: string } = { data: [] };
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      // A CR at the very end may be the first half of a CRLF: keep it until more arrives.
      const lines = buffer.split(/\r\n|\r(?!$)|\n/);
      buffer = done ? '' : (lines.pop() ?? '');
      for (const line of done ? [...lines, ''] : lines) {
        if (line === '') {
          if (frame.data.length > 0 || frame.event !== undefined) {
            yield {
              event: frame.event ?? 'message',
              data: frame.data.join('\n'),
              ...(frame.id !== undefined ? { id: frame.id } : {}),
            };
          }
          frame = { data: [] };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') frame.event = value;
        else if (field === 'data') frame.data.push(value);
        else if (field === 'id' && !value.includes('\0')) frame.id = value;
      }
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * The events of a stream response, typed by the document's union for that stream; it ends
 * after the `end` event (which every stream sends last, after an `error` too). A response that
 * is not an event stream throws a `StreamResponseError` carrying its parsed body.
 */
export async function* readEvents<S extends StreamEventSchema>(
  response: Response,
): AsyncGenerator<StreamEvent<S>> {
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !type.startsWith('text/event-stream') || !response.body) {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    throw new StreamResponseError(response.status, body);
  }
  for await (const frame of readFrames(response.body)) {
    yield { event: frame.event, data: JSON.parse(frame.data) } as StreamEvent<S>;
    if (frame.event === 'end') return;
  }
}

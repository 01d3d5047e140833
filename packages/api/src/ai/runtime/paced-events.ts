/**
 * A provider's server-sent event stream read one event at a time, with a turn of the event
 * loop before each. A model's tokens often arrive in one burst (one network read holds many
 * events); read whole, every token of it is processed — through the model client, LangGraph
 * and each stream's writer — in one task, and the HTTP server sends nothing until that task
 * ends, so the client sees the first token only with the last. Paced, each token's event is
 * processed in its own task, and what it wrote goes out before the next is read.
 */

/** The blank line that ends an event (searched from `lastIndex`, so shared by every stream). */
const EVENT_BOUNDARY = /\r\n\r\n|\n\n|\r\r/g;

/** Where an event ends in `text` from `from` (after its blank line), or -1. */
function eventEnd(text: string, from: number): number {
  const boundary = EVENT_BOUNDARY;
  boundary.lastIndex = from;
  const found = boundary.exec(text);
  return found ? found.index + found[0].length : -1;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `response` with its event stream paced (see the module comment); any other response as is. */
export function pacedEvents(response: Response): Response {
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !response.body || !type.includes('text/event-stream')) return response;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let text = '';
  let at = 0;
  let done = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const end = eventEnd(text, at);
        if (end >= 0) {
          const event = text.slice(at, end);
          at = end;
          await nextTurn();
          controller.enqueue(encoder.encode(event));
          return;
        }
        if (done) {
          const rest = text.slice(at) + decoder.decode();
          if (rest) controller.enqueue(encoder.encode(rest));
          controller.close();
          return;
        }
        const read = await reader.read();
        if (read.done) {
          done = true;
          continue;
        }
        // What was consumed is dropped; only a partial event stays buffered.
        text = text.slice(at) + decoder.decode(read.value, { stream: true });
        at = 0;
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** Reading Server-Sent Events in tests. */

export interface SseEvent {
  event: string;
  data: unknown;
}

/** The events in `text` (`event:` and `data:` lines, blank-line separated; data as JSON). */
export function parseSse(text: string): SseEvent[] {
  return (
    text
      .split(/\n\n/)
      .map((block) => block.trim())
      .filter(Boolean)
      // Comments (`: keep-alive`) are not events.
      .filter((block) => !block.split('\n').every((line) => line.startsWith(':')))
      .map((block) => {
        const lines = block.split('\n');
        const event =
          lines
            .find((line) => line.startsWith('event:'))
            ?.slice(6)
            .trim() ?? 'message';
        const data = lines
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).replace(/^ /, ''))
          .join('\n');
        let parsed: unknown = data;
        try {
          parsed = JSON.parse(data);
        } catch {
          // Not JSON: kept as text.
        }
        return { event, data: parsed };
      })
  );
}

/**
 * Reads `response`'s body as text until it ends or `stop(text so far)` says so, then
 * cancels it (a client that disconnects).
 */
export async function readTextUntil(
  response: Response,
  stop: (text: string) => boolean,
): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (stop(text)) {
      await reader.cancel();
      break;
    }
  }
  return text;
}

/**
 * Reads `response`'s body until `stop(events so far)` says so, then cancels it (a client
 * that disconnects); returns the events read.
 */
export async function readSseUntil(
  response: Response,
  stop: (events: SseEvent[]) => boolean,
): Promise<SseEvent[]> {
  const complete = (text: string) => text.slice(0, text.lastIndexOf('\n\n') + 2);
  let stopped = false;
  const text = await readTextUntil(response, (sofar) => {
    stopped = stop(parseSse(complete(sofar)));
    return stopped;
  });
  return parseSse(stopped ? complete(text) : text);
}

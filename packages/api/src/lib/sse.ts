/**
 * The one writer of Server-Sent Events: every stream the API serves (AI chat, agents,
 * workflows) goes through `streamEvents`, so each behaves the same way:
 *  - headers: `text/event-stream`, never stored by a cache (`no-store`), never buffered by a
 *    proxy (`X-Accel-Buffering: no`);
 *  - a comment heartbeat (`: keep-alive`) after `heartbeatMs` of silence, so that an idle
 *    stream outlives CloudFront's origin read timeout (60 s) while the model thinks;
 *  - failures after the headers are an `error` event in the one error shape;
 *  - every stream ends with an `end` event, also after an `error` (then `{ "status": "failed" }`).
 *
 * One other wire format shares all of that: the AI SDK's UI message stream protocol (v1,
 * `format: 'ui-message-stream'`), for `useChat`: each event is an unnamed `data:` line holding
 * one chunk (`{ "type": … }`), a failure is `{ "type": "error", "errorText" }`, and the stream
 * ends with `data: [DONE]`; the response carries `x-vercel-ai-ui-message-stream: v1`.
 */
import type { Context } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import { ApiError, ERROR_CODES, errorBody } from './errors.ts';
import type { AppBindings } from './types.ts';

/** The comment a stream sends while it has nothing else to send. */
export const HEARTBEAT_COMMENT = ': keep-alive\n\n';

/** The `end` event's data after a failure. */
export const FAILED_END = { status: 'failed' } as const;

/**
 * Gives the event loop a turn, so that what was written so far goes out to the client now.
 * The HTTP server sends what a response wrote once the running task yields; when the model's
 * tokens arrive in a burst, reading the whole burst would otherwise hold back the headers and
 * the first event until it is processed.
 */
export const flushWrites = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The header that marks the AI SDK's UI message stream protocol, and its version. */
export const UI_MESSAGE_STREAM_HEADER = ['x-vercel-ai-ui-message-stream', 'v1'] as const;

/** The UI message stream's last line. */
export const UI_MESSAGE_STREAM_DONE = 'data: [DONE]\n\n';

export interface SseWriter {
  /**
   * Sends one event, its data as JSON, with an SSE `id:` when given (a resumable stream). An
   * `end` event ends the stream's events. In the UI message stream format the name is not sent
   * (the chunk's `type` names it).
   */
  event(name: string, data: unknown, id?: string): Promise<void>;
  /**
   * Sends a failure as an `error` event in the one error shape. `mapped` is the error as a
   * client should see it; anything but an ApiError is logged and sent as a bare internal
   * error. The stream then ends with `end`.
   */
  error(mapped: unknown): Promise<void>;
  /** Lets what was written so far go out now (see `flushWrites`). */
  flush(): Promise<void>;
}

export interface StreamEventsOptions {
  /**
   * Milliseconds of silence before a heartbeat comment; 0 sends none.
   * @default 15000 (SSE_HEARTBEAT_MS)
   */
  heartbeatMs?: number;
  /** Called when the client goes away. */
  onAbort?: () => void;
  /** Runs once the stream has ended, whatever happened (release leases, flush traces). */
  onClose?: () => Promise<void>;
  /**
   * `events` (the API's own: named events, `end` last) or `ui-message-stream` (the AI SDK's UI
   * message stream protocol, v1).
   * @default 'events'
   */
  format?: 'events' | 'ui-message-stream';
}

const STREAM_HEADERS = [
  ['Cache-Control', 'no-store'],
  ['X-Accel-Buffering', 'no'],
] as const;

/**
 * Streams the events `run` writes. An exception from `run` is sent as an `error` event; the
 * stream always ends with an `end` event (the one `run` sent, else `{ "status": "failed" }`
 * after an error).
 */
export function streamEvents(
  c: Context<AppBindings>,
  run: (sse: SseWriter) => Promise<void>,
  options: StreamEventsOptions = {},
): Response {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const ui = options.format === 'ui-message-stream';
  const response = streamSSE(c, async function writeEvents(stream: SSEStreamingApi) {
    let ended = false;
    let failed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gone = () => stream.aborted || stream.closed;
    const arm = () => {
      clearTimeout(timer);
      if (heartbeatMs > 0 && !ended) timer = setTimeout(beat, heartbeatMs);
    };
    function beat() {
      if (ended || gone()) return;
      stream.write(HEARTBEAT_COMMENT).then(arm, () => {});
    }
    const write = async (name: string, data: unknown, id?: string) => {
      if (ended) return;
      if (name === 'error') failed = true;
      if (name === 'end' && !ui) ended = true;
      clearTimeout(timer);
      await stream.writeSSE({
        ...(ui ? {} : { event: name }),
        data: JSON.stringify(data),
        ...(id !== undefined ? { id } : {}),
      });
      arm();
    };
    const fail = (body: ReturnType<typeof errorBody>) =>
      write('error', ui ? { type: 'error', errorText: body.error.message } : body);
    const writer: SseWriter = {
      event: write,
      async error(mapped) {
        if (mapped instanceof ApiError) {
          if (mapped.status >= 500)
            c.var.logger.warn('stream failed', { err: mapped.cause ?? mapped });
          await fail(errorBody(c, mapped.code, mapped.message, mapped.details));
          return;
        }
        c.var.logger.error('stream failed', { err: mapped });
        await fail(errorBody(c, ERROR_CODES.INTERNAL_ERROR, 'Internal server error'));
      },
      flush: flushWrites,
    };
    if (options.onAbort) stream.onAbort(options.onAbort);
    arm();
    try {
      await run(writer);
    } catch (error) {
      await writer.error(error);
    } finally {
      try {
        if (ui) {
          if (!ended && !gone()) await stream.write(UI_MESSAGE_STREAM_DONE);
        } else if (!ended && failed) await write('end', FAILED_END);
      } finally {
        ended = true;
        clearTimeout(timer);
        await options.onClose?.();
      }
    }
  });
  // Set on the response and on the context: Hono merges the context's headers into the
  // returned response when it has any.
  for (const [name, value] of ui ? [...STREAM_HEADERS, UI_MESSAGE_STREAM_HEADER] : STREAM_HEADERS) {
    response.headers.set(name, value);
    c.header(name, value);
  }
  return response;
}

/** Server-Sent Events for the agent and graph routes: failures mid-stream in the error shape. */
import type { Context } from 'hono';
import type { SSEStreamingApi } from 'hono/streaming';
import { ApiError, ERROR_CODES, errorBody } from './errors.ts';
import type { AppBindings } from './types.ts';

/**
 * Gives the event loop a turn, so that what was written so far goes out to the client now.
 * The HTTP server sends what a response wrote once the running task yields; when the model's
 * tokens arrive in a burst, reading the whole burst would otherwise hold back the headers and
 * the first event until it is processed.
 */
export const flushWrites = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function writeEvent(stream: SSEStreamingApi, event: string, data: unknown) {
  await stream.writeSSE({ event, data: JSON.stringify(data) });
}

/**
 * Ends a stream that failed after it started: an `error` event in the one error shape.
 * `mapped` is the error as a client should see it; anything but an ApiError is logged and
 * sent as a bare internal error.
 */
export async function writeError(
  c: Context<AppBindings>,
  stream: SSEStreamingApi,
  mapped: unknown,
) {
  if (mapped instanceof ApiError) {
    if (mapped.status >= 500) c.var.logger.warn('stream failed', { err: mapped.cause ?? mapped });
    await writeEvent(stream, 'error', errorBody(c, mapped.code, mapped.message, mapped.details));
    return;
  }
  c.var.logger.error('stream failed', { err: mapped });
  await writeEvent(
    stream,
    'error',
    errorBody(c, ERROR_CODES.INTERNAL_ERROR, 'Internal server error'),
  );
}

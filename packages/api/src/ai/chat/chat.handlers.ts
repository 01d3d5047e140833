import { streamSSE } from 'hono/streaming';
import { ERROR_CODES } from '../../lib/errors.ts';
import { flushWrites, writeEvent } from '../../lib/sse.ts';
import type { AppRouteHandler } from '../../lib/types.ts';
import { callerOf } from '../../middleware/auth.ts';
import { loadAiRuntime } from '../runtime/load.ts';
import type { ChatRoute, ChatStreamRoute, ModelsRoute } from './chat.routes.ts';

export const models: AppRouteHandler<ModelsRoute> = async (c) => {
  const runtime = await loadAiRuntime(c.var.deps);
  return c.json({ items: runtime.models.list() }, 200);
};

export const chat: AppRouteHandler<ChatRoute> = async (c) => {
  const body = c.req.valid('json');
  const { user } = callerOf(c);
  const runtime = await loadAiRuntime(c.var.deps);
  try {
    const reply = await runtime.chat.reply({
      ...body,
      userId: user.id,
      requestId: c.get('requestId'),
      signal: c.req.raw.signal,
    });
    return c.json(reply, 200);
  } finally {
    await runtime.flush();
  }
};

export const chatStream: AppRouteHandler<ChatStreamRoute> = async (c) => {
  const body = c.req.valid('json');
  const { user } = callerOf(c);
  const runtime = await loadAiRuntime(c.var.deps);
  // Failures before the model's first chunk throw here and answer JSON errors.
  const turn = await runtime.chat
    .stream({ ...body, userId: user.id, requestId: c.get('requestId'), signal: c.req.raw.signal })
    .catch(async (error: unknown) => {
      await runtime.flush();
      throw error;
    });
  const response = streamSSE(c, async (stream) => {
    stream.onAbort(() => turn.abort());
    // Read every event even once the client is gone (writes then do nothing): the turn is
    // stored at the end of the events.
    try {
      let flushed = false;
      for await (const { event, data } of turn.events) {
        await writeEvent(stream, event, data);
        // The headers, the opening event and the first token go out before a burst of
        // further tokens is read.
        if (!flushed && event !== 'start') {
          flushed = true;
          await flushWrites();
        }
      }
    } catch (error) {
      // Past the headers, a failure (storing the turn, say) can only be told as an event.
      c.get('logger')?.error('ai stream failed', { err: error });
      const requestId = c.get('requestId');
      const failure = {
        code: ERROR_CODES.INTERNAL_ERROR,
        message: 'Internal server error',
        requestId,
      };
      await stream.writeSSE({ event: 'error', data: JSON.stringify({ error: failure }) });
    }
    // Traces are delivered before the response ends (a Lambda freezes after it).
    await runtime.flush();
  });
  // Never stored by a cache, never buffered by a proxy. Set on the response and on the
  // context: Hono merges the context's headers into the returned response when it has any.
  for (const [name, value] of [
    ['Cache-Control', 'no-store'],
    ['X-Accel-Buffering', 'no'],
  ] as const) {
    response.headers.set(name, value);
    c.header(name, value);
  }
  return response;
};

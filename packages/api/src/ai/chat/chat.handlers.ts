import { streamEvents } from '../../lib/sse.ts';
import type { AppRouteHandler } from '../../lib/types.ts';
import { lastUserText } from '../../lib/ui-message-chunks.ts';
import { callerOf } from '../../middleware/auth.ts';
import { requestSignal } from '../../middleware/limits.ts';
import { loadAiRuntime } from '../runtime/load.ts';
import type { AiRuntime } from '../runtime/runtime.ts';
import {
  type ChatRoute,
  type ChatStreamRoute,
  type ChatUiRoute,
  chatRequestSchema,
  type ModelsRoute,
} from './chat.routes.ts';
import type { ChatInput } from './chat.types.ts';
import { uiMessageChunks } from './ui-message-stream.ts';

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
      signal: requestSignal(c),
    });
    return c.json(reply, 200);
  } finally {
    await runtime.flush();
  }
};

/**
 * A chat turn on one of the user's stream slots (429 when all are taken). A failure before the
 * model's first chunk releases the slot and throws, to answer as a JSON error; otherwise the
 * hooks end the turn and release the slot with the stream.
 */
async function startStreamedTurn(runtime: AiRuntime, input: ChatInput) {
  const slot = await runtime.streamSlots.acquire(input.userId);
  const turn = await runtime.chat.stream(input).catch(async (error: unknown) => {
    await slot.release();
    await runtime.flush();
    throw error;
  });
  const hooks = {
    onAbort: () => {
      turn.abort();
      void slot.release();
    },
    async onClose() {
      await slot.release();
      // Traces are delivered before the response ends (a Lambda freezes after it).
      await runtime.flush();
    },
  };
  return { turn, hooks };
}

export const chatStream: AppRouteHandler<ChatStreamRoute> = async (c) => {
  const body = c.req.valid('json');
  const { user } = callerOf(c);
  const runtime = await loadAiRuntime(c.var.deps);
  const { turn, hooks } = await startStreamedTurn(runtime, {
    ...body,
    userId: user.id,
    requestId: c.get('requestId'),
    signal: requestSignal(c),
  });
  return streamEvents(
    c,
    async (sse) => {
      // Read every event even once the client is gone (writes then do nothing): the turn is
      // stored at the end of the events.
      let flushed = false;
      for await (const { event, data } of turn.events) {
        await sse.event(event, data);
        // The headers, the opening event and the first token go out before a burst of
        // further tokens is read.
        if (!flushed && event !== 'start') {
          flushed = true;
          await sse.flush();
        }
      }
    },
    { heartbeatMs: c.var.deps.env.SSE_HEARTBEAT_MS, ...hooks },
  );
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The chat stream in the AI SDK's UI message stream protocol (for `useChat`). */
export const chatUi: AppRouteHandler<ChatUiRoute> = async (c) => {
  const body = c.req.valid('json');
  const message = lastUserText(body, chatRequestSchema.shape.message);
  const { user } = callerOf(c);
  const runtime = await loadAiRuntime(c.var.deps);
  const { turn, hooks } = await startStreamedTurn(runtime, {
    message,
    chatId: UUID.test(body.id) ? body.id.toLowerCase() : undefined,
    model: body.model,
    cache: body.cache,
    userId: user.id,
    requestId: c.get('requestId'),
    signal: requestSignal(c),
  });
  return streamEvents(
    c,
    async (sse) => {
      let flushed = false;
      for await (const chunk of uiMessageChunks(turn.events)) {
        await sse.event(chunk.type, chunk);
        if (!flushed && chunk.type === 'text-delta') {
          flushed = true;
          await sse.flush();
        }
      }
    },
    { format: 'ui-message-stream', heartbeatMs: c.var.deps.env.SSE_HEARTBEAT_MS, ...hooks },
  );
};

import type { Context } from 'hono';
import { type StreamEventsOptions, streamEvents } from '../../lib/sse.ts';
import type { AppBindings, AppRouteHandler } from '../../lib/types.ts';
import { lastUserText } from '../../lib/ui-message-chunks.ts';
import { callerOf } from '../../middleware/auth.ts';
import { requestSignal } from '../../middleware/limits.ts';
import { loadAiRuntime } from '../runtime/load.ts';
import {
  type ChatRoute,
  type ChatStreamRoute,
  type ChatUiRoute,
  chatRequestSchema,
  type ModelsRoute,
} from './chat.routes.ts';
import type { ChatInput, ChatStream } from './chat.types.ts';
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

/** What a streamed turn's response sends: its events in one of the two stream formats. */
interface TurnStream {
  /** The events to write, made from the turn's own events. */
  events: (turn: ChatStream) => AsyncIterable<{ name: string; data: unknown }>;
  /** The event after which what was written so far goes out at once. */
  flushAfter: (name: string) => boolean;
  format?: StreamEventsOptions['format'];
}

/**
 * Streams a chat turn of the caller on one of their stream slots (429 when all are taken). A
 * failure before the model's first chunk releases the slot and throws, to answer as a JSON
 * error; otherwise the stream's end hooks end the turn and release the slot.
 */
async function streamTurn(
  c: Context<AppBindings>,
  input: Omit<ChatInput, 'userId' | 'requestId' | 'signal'>,
  { events, flushAfter, format }: TurnStream,
): Promise<Response> {
  const { user } = callerOf(c);
  const runtime = await loadAiRuntime(c.var.deps);
  const slot = await runtime.streamSlots.acquire(user.id);
  const turn = await runtime.chat
    .stream({ ...input, userId: user.id, requestId: c.get('requestId'), signal: requestSignal(c) })
    .catch(async (error: unknown) => {
      await slot.release();
      await runtime.flush();
      throw error;
    });
  return streamEvents(
    c,
    async (sse) => {
      // Read every event even once the client is gone (writes then do nothing): the turn is
      // stored at the end of the events.
      let flushed = false;
      for await (const { name, data } of events(turn)) {
        await sse.event(name, data);
        // The headers, the opening event and the first token go out before a burst of
        // further tokens is read.
        if (!flushed && flushAfter(name)) {
          flushed = true;
          await sse.flush();
        }
      }
    },
    {
      format,
      heartbeatMs: c.var.deps.env.SSE_HEARTBEAT_MS,
      onAbort: () => {
        turn.abort();
        void slot.release();
      },
      async onClose() {
        await slot.release();
        // Traces are delivered before the response ends (a Lambda freezes after it).
        await runtime.flush();
      },
    },
  );
}

export const chatStream: AppRouteHandler<ChatStreamRoute> = async (c) =>
  streamTurn(c, c.req.valid('json'), {
    events: async function* (turn) {
      for await (const { event, data } of turn.events) yield { name: event, data };
    },
    flushAfter: (name) => name !== 'start',
  });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The chat stream in the AI SDK's UI message stream protocol (for `useChat`). */
export const chatUi: AppRouteHandler<ChatUiRoute> = async (c) => {
  const body = c.req.valid('json');
  const message = lastUserText(body, chatRequestSchema.shape.message);
  return streamTurn(
    c,
    {
      message,
      chatId: UUID.test(body.id) ? body.id.toLowerCase() : undefined,
      model: body.model,
      cache: body.cache,
    },
    {
      events: async function* (turn) {
        for await (const chunk of uiMessageChunks(turn.events))
          yield { name: chunk.type, data: chunk };
      },
      flushAfter: (name) => name === 'text-delta',
      format: 'ui-message-stream',
    },
  );
};

/**
 * A streamed chat turn in the AI SDK's UI message stream protocol (v1), the one `useChat`
 * reads: the turn's events (chat.types.ts) become UI message chunks.
 *
 *   start       → `start` (messageMetadata: chatId, model, provider), `start-step`, `text-start`
 *   token       → `text-delta`
 *   withheld    → `reset-step` (the client drops what it showed), then the withheld text
 *   error       → `text-end`, `error` (errorText: the error's message)
 *   end         → `text-end`, `finish-step`, `finish` (finishReason; messageMetadata: the
 *                 stored ids, status, usage, cached, filtered)
 *
 * The chunk schemas (`uiMessageChunkSchema`) also describe the response in the document.
 */
import { z } from '@hono/zod-openapi';
import type { ChatStreamEvent } from './chat.types.ts';

/** The one text part of the reply. */
const TEXT_ID = 'text-0';

const startMetadata = z
  .object({ chatId: z.uuid(), model: z.string(), provider: z.enum(['openai', 'local']) })
  .openapi('AiUiStartMetadata');

const finishMetadata = z
  .object({
    chatId: z.uuid(),
    messageId: z.uuid().openapi({ description: 'The stored reply.' }),
    userMessageId: z.uuid(),
    model: z.string(),
    status: z.enum(['complete', 'incomplete']),
    usage: z
      .object({
        promptTokens: z.number().int(),
        completionTokens: z.number().int(),
        totalTokens: z.number().int(),
        costUsd: z.number(),
      })
      .openapi({ description: 'Tokens of this call; zero when cached.' }),
    cached: z.boolean(),
    filtered: z.boolean(),
  })
  .openapi('AiUiFinishMetadata');

/** The chunks this API sends (a subset of the AI SDK's `UIMessageChunk`). */
export const uiMessageChunkSchema = z
  .union([
    z.object({ type: z.literal('start'), messageMetadata: startMetadata }),
    z.object({ type: z.literal('start-step') }),
    z.object({ type: z.literal('text-start'), id: z.string() }),
    z.object({ type: z.literal('text-delta'), id: z.string(), delta: z.string() }),
    z.object({ type: z.literal('text-end'), id: z.string() }),
    z.object({ type: z.literal('reset-step') }),
    z.object({ type: z.literal('error'), errorText: z.string() }),
    z.object({ type: z.literal('finish-step') }),
    z.object({
      type: z.literal('finish'),
      finishReason: z.enum(['stop', 'content-filter', 'error', 'other']),
      messageMetadata: finishMetadata,
    }),
  ])
  .openapi('AiUiMessageChunk', {
    description:
      'One chunk of the AI SDK UI message stream protocol (v1): each `data:` line holds one; the stream ends with `data: [DONE]`.',
  });

export type UiMessageChunk = z.infer<typeof uiMessageChunkSchema>;

/** The UI message chunks of a streamed chat turn. */
export async function* uiMessageChunks(
  events: AsyncIterable<ChatStreamEvent>,
): AsyncGenerator<UiMessageChunk> {
  let open = false;
  for await (const { event, data } of events) {
    switch (event) {
      case 'start':
        yield { type: 'start', messageMetadata: data };
        yield { type: 'start-step' };
        yield { type: 'text-start', id: TEXT_ID };
        open = true;
        break;
      case 'token':
        yield { type: 'text-delta', id: TEXT_ID, delta: data.text };
        break;
      case 'withheld':
        // The reply so far is dropped on the client; the withheld notice replaces it.
        yield { type: 'reset-step' };
        yield { type: 'start-step' };
        yield { type: 'text-start', id: TEXT_ID };
        yield { type: 'text-delta', id: TEXT_ID, delta: data.content };
        break;
      case 'error':
        if (open) yield { type: 'text-end', id: TEXT_ID };
        open = false;
        yield { type: 'error', errorText: data.error.message };
        break;
      case 'end':
        if (open) yield { type: 'text-end', id: TEXT_ID };
        open = false;
        yield { type: 'finish-step' };
        yield {
          type: 'finish',
          finishReason: data.filtered
            ? 'content-filter'
            : data.status === 'complete'
              ? 'stop'
              : 'other',
          messageMetadata: data,
        };
        break;
    }
  }
}

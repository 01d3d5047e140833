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
import {
  UI_TEXT_ID as TEXT_ID,
  uiMessageChunkSchema as uiMessageChunkSchema_,
} from '../../lib/ui-message-chunks.ts';
import { withOpenApi } from '../../lib/zod-openapi.ts';
import type { ChatStreamEvent } from './chat.types.ts';

withOpenApi(); // before any `.openapi()` below: see lib/zod-openapi.ts

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

/** The chunks of a chat turn. */
export const uiMessageChunkSchema = uiMessageChunkSchema_(
  'AiUiMessageChunk',
  startMetadata,
  finishMetadata,
  {
    tools: false,
  },
);

/** A chunk of a chat turn. */
export type UiMessageChunk =
  | { type: 'start'; messageMetadata: z.infer<typeof startMetadata> }
  | { type: 'start-step' | 'reset-step' | 'finish-step' }
  | { type: 'text-start' | 'text-end'; id: string }
  | { type: 'text-delta'; id: string; delta: string }
  | { type: 'error'; errorText: string }
  | {
      type: 'finish';
      finishReason: 'stop' | 'content-filter' | 'error' | 'other';
      messageMetadata: z.infer<typeof finishMetadata>;
    };

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

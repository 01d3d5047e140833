/**
 * Chat with a model. The conversation is a chat of the chats feature: both messages are
 * stored there, and earlier messages are the model's memory. Definitions only: nothing here
 * loads LangChain (the handlers reach it through `loadAiRuntime`).
 */

import { freeText } from '@backend/shared';
import { MESSAGE_CONTENT_MAX } from '@backend/shared/schema';
import { createRoute, z } from '@hono/zod-openapi';
import { SECURITY } from '../../lib/openapi.ts';
import { errorResponses, jsonBody, jsonContent } from '../../lib/responses.ts';
import { endEvent, errorEvent, eventStreamContent, sseEvent } from '../../lib/sse-document.ts';
import {
  UI_MESSAGE_STREAM_RESPONSE_HEADERS,
  uiChatRequestFields,
} from '../../lib/ui-message-chunks.ts';
import { requirePermission } from '../../middleware/auth.ts';
import { uiMessageChunkSchema } from './ui-message-stream.ts';

const tags = ['AI'];

export const chatRequestSchema = z
  .strictObject({
    message: freeText(MESSAGE_CONTENT_MAX).openapi({
      description:
        'What the user says. At most AI_MESSAGE_MAX_CHARS characters (default 8000); no control characters but newline and tab.',
      example: 'What is 12 * (3 + 4)?',
    }),
    chatId: z.uuid().optional().openapi({
      description: 'Continue this chat (its earlier messages are the memory); omitted: a new chat.',
    }),
    model: z.string().min(1).max(64).optional().openapi({
      description: 'A name from `GET /api/ai/models`; omitted: the default model.',
      example: 'local',
    }),
    cache: z.boolean().default(false).openapi({
      description:
        'Opt in to an answer from cache for an identical request (same model, same whole prompt).',
    }),
  })
  .openapi('AiChatRequest');

export const tokenUsageSchema = z
  .object({
    promptTokens: z.number().int(),
    completionTokens: z.number().int(),
    totalTokens: z.number().int(),
    costUsd: z.number().openapi({ description: 'Estimated from the configured price table.' }),
  })
  .openapi('AiTokenUsage');

export const aiMessageSchema = z
  .object({
    id: z.uuid(),
    chatId: z.uuid(),
    role: z.enum(['user', 'assistant']),
    content: z.string(),
    status: z.enum(['complete', 'incomplete']),
    model: z.string().nullable(),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .openapi('AiMessage');

export const chatResponseSchema = z
  .object({
    chatId: z.uuid(),
    model: z.string().openapi({
      description: 'The model that answered (`local`: the local model).',
      example: 'local',
    }),
    provider: z.enum(['openai', 'local']),
    message: aiMessageSchema.openapi({ description: 'The stored reply.' }),
    userMessageId: z.uuid(),
    usage: tokenUsageSchema.openapi({ description: 'Tokens of this call; zero when cached.' }),
    cached: z.boolean(),
    filtered: z.boolean().openapi({ description: 'The output filter withheld the reply.' }),
  })
  .openapi('AiChatResponse');

const modelSchema = z
  .object({
    name: z.string(),
    provider: z.enum(['openai', 'local']),
    local: z.boolean(),
    default: z.boolean(),
  })
  .openapi('AiModel');

const CHAT_ERRORS = [400, 401, 403, 404, 413, 415, 422, 429, 502, 504] as const;

export const models = createRoute({
  method: 'get',
  path: '/api/ai/models',
  tags,
  summary: 'The models a request may name',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  responses: {
    200: jsonContent(z.object({ items: z.array(modelSchema) }), 'The allowlist, default first.'),
    ...errorResponses(401, 403),
  },
});

export const chat = createRoute({
  method: 'post',
  path: '/api/ai/chat',
  tags,
  summary: 'Send a message and get the reply',
  description:
    'Stores the message and the reply in the chat (a new one without `chatId`), with the token usage. Over the daily token budget: 429 with the budget and the reset time. The provider failing or timing out: 502 / 504, and nothing is stored.',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['create', 'update'] })] as const,
  request: { body: jsonBody(chatRequestSchema) },
  responses: {
    200: jsonContent(chatResponseSchema, 'The stored reply and its usage.'),
    ...errorResponses(...CHAT_ERRORS),
  },
});

export const chatStream = createRoute({
  method: 'post',
  path: '/api/ai/chat/stream',
  tags,
  summary: 'Send a message and stream the reply (Server-Sent Events)',
  description: [
    'The reply as Server-Sent Events, once the model has started answering:',
    '- `start` `{ chatId, model, provider }`',
    '- `token` `{ text }`, one per token',
    '- `withheld` `{ content }`: the output filter stopped the reply; discard what was shown and show `content`',
    '- `error` `{ error }`: the model failed mid-way; what streamed is stored, marked incomplete',
    '- `end` `{ chatId, messageId, userMessageId, model, status, usage, cached, filtered }`, last.',
    'A client that disconnects stops the generation; what was generated is stored once, marked incomplete.',
    'Failures before the first token answer JSON errors like `POST /api/ai/chat`.',
    'A user may hold at most AI_MAX_CONCURRENT_STREAMS (default 4) AI streams open at once; one more answers 429 `TOO_MANY_STREAMS`.',
  ].join('\n'),
  security: SECURITY,
  middleware: [requirePermission({ chat: ['create', 'update'] })] as const,
  request: { body: jsonBody(chatRequestSchema) },
  responses: {
    200: {
      description: 'An event stream (`text/event-stream`) of `AiChatStreamEvent`s.',
      content: eventStreamContent('AiChatStreamEvent', 'The events of a streamed chat reply.', [
        sseEvent(
          'start',
          z
            .object({ chatId: z.uuid(), model: z.string(), provider: z.enum(['openai', 'local']) })
            .openapi('AiChatStreamStart'),
        ),
        sseEvent('token', z.object({ text: z.string() }).openapi('AiStreamToken')),
        sseEvent('withheld', z.object({ content: z.string() }).openapi('AiStreamWithheld')),
        errorEvent,
        endEvent(
          z
            .object({
              chatId: z.uuid(),
              messageId: z.uuid(),
              userMessageId: z.uuid(),
              model: z.string(),
              status: z.enum(['complete', 'incomplete']),
              usage: tokenUsageSchema,
              cached: z.boolean(),
              filtered: z.boolean(),
            })
            .openapi('AiChatStreamEnd'),
        ),
      ]),
    },
    ...errorResponses(...CHAT_ERRORS),
  },
});

export const chatUiRequestSchema = z
  .strictObject({
    ...uiChatRequestFields,
    id: uiChatRequestFields.id.openapi({
      description:
        "useChat's chat id: a chat's `id` (a UUID) continues that chat; any other id starts a new chat (its id comes back in the `start` chunk's `messageMetadata.chatId`).",
    }),
    model: z.string().min(1).max(64).optional().openapi({
      description:
        'A name from `GET /api/ai/models` (sent in useChat’s `body`); omitted: the default model.',
    }),
    cache: z.boolean().default(false).openapi({
      description: 'Opt in to an answer from cache for an identical request.',
    }),
  })
  .openapi('AiChatUiRequest');

export const chatUi = createRoute({
  method: 'post',
  path: '/api/ai/chat/ui',
  tags,
  summary: 'Send a message and stream the reply (AI SDK useChat)',
  description: [
    "**AI SDK compatible**: the Vercel AI SDK's UI message stream protocol (v1, `x-vercel-ai-ui-message-stream: v1`), the one `useChat` from `@ai-sdk/react` and `DefaultChatTransport` read. Point the transport's `api` here.",
    'The turn is stored in the same chats as `POST /api/ai/chat/stream` (same limits, budget, cache and output filter). Chunks: `start` (messageMetadata: `chatId`, `model`, `provider`), `start-step`, `text-start`, `text-delta`…, `text-end`, `finish-step`, `finish` (finishReason; messageMetadata: the stored `messageId`, `userMessageId`, `status`, `usage`, `cached`, `filtered`), then `data: [DONE]`.',
    'The output filter withholding the reply: `reset-step`, then the notice. The model failing mid-way: `error` (errorText), and what streamed is stored, marked incomplete. Failures before the first token answer JSON errors like `POST /api/ai/chat`.',
  ].join('\n'),
  security: SECURITY,
  middleware: [requirePermission({ chat: ['create', 'update'] })] as const,
  request: { body: jsonBody(chatUiRequestSchema) },
  responses: {
    200: {
      description:
        'A UI message stream (`text/event-stream`, `x-vercel-ai-ui-message-stream: v1`).',
      headers: UI_MESSAGE_STREAM_RESPONSE_HEADERS,
      content: { 'text/event-stream': { schema: uiMessageChunkSchema } },
    },
    ...errorResponses(...CHAT_ERRORS),
  },
});

export type ModelsRoute = typeof models;
export type ChatUiRoute = typeof chatUi;
export type ChatRoute = typeof chat;
export type ChatStreamRoute = typeof chatStream;

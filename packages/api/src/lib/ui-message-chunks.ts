/**
 * The chunks of the AI SDK's UI message stream protocol (v1) this API sends (a subset of the
 * `ai` package's `UIMessageChunk`), as Zod schemas for the document. Written by the one SSE
 * writer (`streamEvents` with `format: 'ui-message-stream'`).
 */

import { z } from '@hono/zod-openapi';
import { ApiError, ERROR_CODES } from './errors.ts';
import { withOpenApi } from './zod-openapi.ts';

withOpenApi(); // before any `.openapi()` below: see lib/zod-openapi.ts

/** The one text part of a reply. */
export const UI_TEXT_ID = 'text-0';

export const FINISH_REASONS = ['stop', 'content-filter', 'error', 'other'] as const;

/** The chunk union, with the `start` and `finish` chunks' `messageMetadata` of the operation. */
export function uiMessageChunkSchema(
  name: string,
  startMetadata: z.ZodType,
  finishMetadata: z.ZodType,
  options: { tools: boolean },
) {
  const tools = options.tools
    ? [
        z.object({
          type: z.literal('tool-input-available'),
          toolCallId: z.string(),
          toolName: z.string(),
          input: z.record(z.string(), z.unknown()),
        }),
        z.object({
          type: z.literal('tool-output-available'),
          toolCallId: z.string(),
          output: z.string(),
        }),
      ]
    : [];
  return z
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
        finishReason: z.enum(FINISH_REASONS),
        messageMetadata: finishMetadata,
      }),
      ...tools,
    ])
    .openapi(name, {
      description:
        'One chunk of the AI SDK UI message stream protocol (v1): each `data:` line holds one; the stream ends with `data: [DONE]`.',
    });
}

/** A UI message as the AI SDK's `DefaultChatTransport` sends it. */
export const uiMessageSchema = z
  .looseObject({
    id: z.string().max(200),
    role: z.enum(['system', 'user', 'assistant']),
    parts: z
      .array(z.looseObject({ type: z.string().max(100), text: z.string().optional() }))
      .max(1000),
  })
  .openapi('AiUiMessage');

/** The fields `DefaultChatTransport` sends with every request. */
export const uiChatRequestFields = {
  id: z.string().min(1).max(200),
  messages: z.array(uiMessageSchema).min(1).max(1000).openapi({
    description:
      'The conversation as the client holds it. Only the last message is read (a user message: its text parts).',
  }),
  trigger: z.enum(['submit-message', 'regenerate-message']).default('submit-message').openapi({
    description: '`regenerate-message` is not supported (422): send the message again.',
  }),
  messageId: z.string().max(200).optional(),
  metadata: z.unknown().optional(),
};

/** The response header of the protocol, for the document. */
export const UI_MESSAGE_STREAM_RESPONSE_HEADERS = {
  'x-vercel-ai-ui-message-stream': { schema: { type: 'string' as const, enum: ['v1'] } },
};

/**
 * The text of a UI request's last message, which must be the user's, checked by `text`
 * (the operation's own text rules); a 422 otherwise, and for `regenerate-message`.
 */
export function lastUserText(
  body: {
    trigger?: string;
    messages: Array<{ role: string; parts: Array<{ type: string; text?: string }> }>;
  },
  text: z.ZodType<string>,
): string {
  const refuse = (message: string, path: string, detail = message) =>
    new ApiError(422, ERROR_CODES.VALIDATION_FAILED, message, {
      details: [{ location: 'body', path, message: detail }],
    });
  if (body.trigger === 'regenerate-message')
    throw refuse(
      'Regenerating is not supported: send the message again',
      'trigger',
      'Must be submit-message',
    );
  const last = body.messages.at(-1);
  if (last?.role !== 'user') throw refuse('The last message must be the user’s', 'messages');
  const joined = last.parts
    .filter((part) => part.type === 'text')
    .map((part) => part.text ?? '')
    .join('');
  const checked = text.safeParse(joined);
  if (!checked.success)
    throw refuse(checked.error.issues[0]?.message ?? 'Invalid message', 'messages.parts.text');
  return checked.data;
}

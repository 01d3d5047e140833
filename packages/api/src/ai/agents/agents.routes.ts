/**
 * Tool-calling agents. Definitions only: nothing here loads LangChain (the handlers reach it
 * through `loadAiRuntime`).
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
  uiMessageChunkSchema,
} from '../../lib/ui-message-chunks.ts';
import { requirePermission } from '../../middleware/auth.ts';

const tags = ['AI agents'];

const agentSchema = z
  .object({
    name: z.string().openapi({ example: 'assistant' }),
    description: z.string(),
    tools: z.array(z.string()).openapi({
      description: 'Its tools here: `http_fetch` only when AI_FETCH_ALLOWED_HOSTS is set.',
      example: ['search_chats', 'search_documents', 'calculator', 'current_time'],
    }),
  })
  .openapi('AiAgent');

export const agentRunRequestSchema = z
  .strictObject({
    input: freeText(MESSAGE_CONTENT_MAX).openapi({
      description: 'What to ask the agent.',
      example: 'What is 12 * (3 + 4)?',
    }),
    model: z.string().min(1).max(64).optional().openapi({
      description: 'A name from `GET /api/ai/models`; omitted: the default model.',
      example: 'local',
    }),
    maxSteps: z.number().int().min(1).max(50).optional().openapi({
      description:
        'Most model calls this run may make; at most (and by default) AI_AGENT_MAX_STEPS.',
    }),
    stream: z.boolean().default(false).openapi({
      description:
        'Answer Server-Sent Events instead of one JSON document (as `Accept: text/event-stream` does).',
    }),
  })
  .openapi('AiAgentRunRequest');

const toolCallSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    args: z.record(z.string(), z.unknown()),
    result: z.string().optional().openapi({ description: "The tool's answer." }),
  })
  .openapi('AiToolCall');

export const agentRunSchema = z
  .object({
    agent: z.string(),
    model: z.string().openapi({ description: 'The model that ran (`local`: the local model).' }),
    output: z.string(),
    toolCalls: z.array(toolCallSchema).openapi({ description: 'In the order they were made.' }),
    steps: z.number().int().openapi({ description: 'Model calls made.' }),
    filtered: z.boolean().openapi({ description: 'The output filter withheld the answer.' }),
  })
  .openapi('AiAgentRun');

const agentParams = z.object({
  agentId: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/)
    .openapi({ param: { name: 'agentId', in: 'path' }, example: 'assistant' }),
});

export const list = createRoute({
  method: 'get',
  path: '/api/ai/agents',
  tags,
  summary: 'The agents and their tools',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  responses: {
    200: jsonContent(
      z.object({
        items: z.array(agentSchema),
        maxSteps: z.number().int().openapi({ description: 'AI_AGENT_MAX_STEPS.' }),
      }),
      'Every agent.',
    ),
    ...errorResponses(401, 403),
  },
});

export const run = createRoute({
  method: 'post',
  path: '/api/ai/agents/{agentId}/runs',
  tags,
  summary: 'Run an agent',
  description: [
    'Runs the agent until it answers without calling a tool. Its tools: `search_chats` (your own chats and messages only), `calculator` (a parser: it never evaluates code), `current_time`, and `http_fetch` (hosts on AI_FETCH_ALLOWED_HOSTS only; off by default).',
    'A run that needs more than `maxSteps` model calls stops with **422 `STEP_LIMIT_EXCEEDED`** (`details.maxSteps`). Over the daily token budget: 429. The provider failing or timing out: 502 / 504. Runs store nothing.',
    'With `Accept: text/event-stream` (or `stream: true`), Server-Sent Events (`AiAgentRunEvent`); otherwise one JSON document:',
    '- `tool_call` `{ id, name, args }`, `tool_result` `{ id, name, content }`',
    '- `token` `{ text }`, one per token of the answer',
    '- `withheld` `{ content }`: the output filter stopped the answer; show `content` instead',
    '- `error` `{ error }`: the run failed mid-way (the error shape, e.g. `STEP_LIMIT_EXCEEDED`)',
    '- `end`: the same document as the JSON answer, last.',
    'Failures before the stream starts (404, 422, 429) answer JSON errors.',
    'A user may hold at most AI_MAX_CONCURRENT_STREAMS (default 4) AI streams open at once; one more answers 429 `TOO_MANY_STREAMS`.',
  ].join('\n'),
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: {
    params: agentParams,
    body: jsonBody(agentRunRequestSchema),
  },
  responses: {
    200: {
      description: 'The answer, its tool calls and their results (or, streamed, events).',
      content: {
        'application/json': { schema: agentRunSchema },
        ...eventStreamContent('AiAgentRunEvent', 'The events of a streamed agent run.', [
          sseEvent(
            'tool_call',
            z
              .object({ id: z.string(), name: z.string(), args: z.record(z.string(), z.unknown()) })
              .openapi('AiAgentToolCallEvent'),
          ),
          sseEvent(
            'tool_result',
            z
              .object({ id: z.string(), name: z.string(), content: z.string() })
              .openapi('AiAgentToolResultEvent'),
          ),
          sseEvent('token', z.object({ text: z.string() }).openapi('AiStreamToken')),
          sseEvent('withheld', z.object({ content: z.string() }).openapi('AiStreamWithheld')),
          errorEvent,
          endEvent(agentRunSchema),
        ]),
      },
    },
    ...errorResponses(400, 401, 403, 404, 413, 415, 422, 429, 502, 504),
  },
});

const agentUiStart = z
  .object({ agent: z.string(), model: z.string() })
  .openapi('AiAgentUiStartMetadata');

const agentUiFinish = z
  .object({
    agent: z.string(),
    model: z.string(),
    steps: z.number().int().openapi({ description: 'Model calls made.' }),
    filtered: z.boolean(),
    toolCalls: z.number().int().openapi({ description: 'Tool calls made.' }),
  })
  .openapi('AiAgentUiFinishMetadata');

export const agentUiChunkSchema = uiMessageChunkSchema(
  'AiAgentUiMessageChunk',
  agentUiStart,
  agentUiFinish,
  { tools: true },
);

const agentUiRequestSchema = z
  .strictObject({
    ...uiChatRequestFields,
    model: agentRunRequestSchema.shape.model,
    maxSteps: agentRunRequestSchema.shape.maxSteps,
  })
  .openapi('AiAgentUiRequest');

export const runUi = createRoute({
  method: 'post',
  path: '/api/ai/agents/{agentId}/runs/ui',
  tags,
  summary: 'Run an agent, streamed for the AI SDK (useChat)',
  description: [
    "**AI SDK compatible**: the Vercel AI SDK's UI message stream protocol (v1, `x-vercel-ai-ui-message-stream: v1`), for `useChat` / `DefaultChatTransport`. The last (user) message is the agent's input; runs store nothing, as `POST …/runs`.",
    'Each tool call is a `tool-input-available` chunk (`toolCallId`, `toolName`, `input`) and its result a `tool-output-available` chunk (`toolCallId`, `output`); the answer is `text-delta` chunks; `finish` carries `messageMetadata` (`steps`, `toolCalls`, `filtered`). A step limit or provider failure mid-way: an `error` chunk. Failures before the stream starts (404, 422, 429) answer JSON errors.',
  ].join('\n'),
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: {
    params: agentParams,
    body: jsonBody(agentUiRequestSchema),
  },
  responses: {
    200: {
      description:
        'A UI message stream (`text/event-stream`, `x-vercel-ai-ui-message-stream: v1`).',
      headers: UI_MESSAGE_STREAM_RESPONSE_HEADERS,
      content: { 'text/event-stream': { schema: agentUiChunkSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 413, 415, 422, 429, 502, 504),
  },
});

export type ListRoute = typeof list;
export type RunUiRoute = typeof runUi;
export type RunRoute = typeof run;

/**
 * Stateful LangGraph workflows with durable checkpoints and human-in-the-loop approval.
 * Definitions only: nothing here loads LangChain (the handlers reach it through
 * `loadAiRuntime`).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { SECURITY } from '../../lib/openapi.ts';
import { errorResponses, jsonBody, jsonContent, uuidPathParam } from '../../lib/responses.ts';
import { endEvent, errorEvent, eventStreamContent, sseEvent } from '../../lib/sse-document.ts';
import { requirePermission } from '../../middleware/auth.ts';
import { resumeCommandSchema } from './schemas.ts';

const tags = ['AI workflows'];

const graphInfoSchema = z
  .object({
    name: z.string().openapi({ example: 'approval' }),
    description: z.string(),
    inputSchema: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'JSON Schema of `input` for `POST /api/ai/graphs`.' }),
  })
  .openapi('AiGraph');

export const graphStateSchema = z
  .object({
    graphId: z.uuid(),
    graph: z.string(),
    status: z.enum(['ready', 'interrupted', 'done']).openapi({
      description:
        '`ready`: `POST …/stream` runs it; `interrupted`: waiting for `POST …/resume`; `done`: finished.',
    }),
    values: z.record(z.string(), z.unknown()).openapi({ description: "The workflow's state." }),
    next: z.array(z.string()).openapi({ description: 'The nodes that run next.' }),
    interrupts: z
      .array(z.object({ id: z.string(), value: z.unknown() }))
      .openapi({ description: 'What the workflow waits for (the approval request and draft).' }),
    checkpointId: z.string().nullable(),
    createdAt: z.iso.datetime({ offset: true }),
    updatedAt: z.iso.datetime({ offset: true }),
  })
  .openapi('AiGraphState');

const historyEntrySchema = z
  .object({
    checkpointId: z.string(),
    parentCheckpointId: z.string().nullable(),
    step: z.number().int(),
    source: z.string().openapi({ description: '`input`, `loop`, `update` or `fork`.' }),
    next: z.array(z.string()),
    createdAt: z.string().nullable(),
    values: z.record(z.string(), z.unknown()),
  })
  .openapi('AiGraphCheckpoint');

const startSchema = z
  .strictObject({
    graph: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/)
      .openapi({ description: 'A name from `GET /api/ai/graphs`.', example: 'approval' }),
    input: z.record(z.string(), z.unknown()).openapi({
      description: "Checked against the workflow's `inputSchema` (422 with details).",
      example: { topic: 'A welcome note for new users' },
    }),
  })
  .openapi('AiGraphStart');

const resumeSchema = resumeCommandSchema.openapi('AiGraphResume', {
  description: 'Approve the draft, approve it with your text instead, or reject it.',
});

const graphParams = z.object({ graphId: uuidPathParam('graphId') });

export const list = createRoute({
  method: 'get',
  path: '/api/ai/graphs',
  tags,
  summary: 'The registered workflows',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  responses: {
    200: jsonContent(z.object({ items: z.array(graphInfoSchema) }), 'Every workflow.'),
    ...errorResponses(401, 403),
  },
});

export const start = createRoute({
  method: 'post',
  path: '/api/ai/graphs',
  tags,
  summary: 'Start a workflow instance',
  description:
    'Checkpoints the input and returns the instance (`status: ready`); nothing runs until `POST /api/ai/graphs/{graphId}/stream`. An unknown workflow: 404; an input that does not match its schema: 422.',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['create', 'update'] })] as const,
  request: { body: jsonBody(startSchema) },
  responses: {
    201: jsonContent(graphStateSchema, 'The new instance.'),
    ...errorResponses(400, 401, 403, 404, 415, 422),
  },
});

export const state = createRoute({
  method: 'get',
  path: '/api/ai/graphs/{graphId}/state',
  tags,
  summary: "An instance's state, next nodes and pending interrupts",
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: { params: graphParams },
  responses: {
    200: jsonContent(graphStateSchema, 'The latest checkpoint.'),
    ...errorResponses(401, 403, 404, 422),
  },
});

export const stream = createRoute({
  method: 'post',
  path: '/api/ai/graphs/{graphId}/stream',
  tags,
  summary: 'Run an instance (Server-Sent Events)',
  description: [
    'Runs the instance from its latest checkpoint until it ends or waits for a person. Events:',
    '- `updates` `{ <node>: <its update> }` after each node',
    '- `values`: the whole state after each step',
    '- `messages` `{ node, text }`: model tokens as they come',
    '- `error` `{ error }`: the run failed (the error shape); the instance stays at its last checkpoint',
    '- `end`: the instance, as `GET …/state` answers it, last.',
    'An instance waiting for an answer, finished, or held by another run (with Retry-After): 409. Over the daily token budget: 429.',
    'A user may hold at most AI_MAX_CONCURRENT_STREAMS (default 4) AI streams open at once; one more answers 429 `TOO_MANY_STREAMS`.',
  ].join('\n'),
  security: SECURITY,
  middleware: [requirePermission({ chat: ['create', 'update'] })] as const,
  request: { params: graphParams },
  responses: {
    200: {
      description: 'An event stream (`text/event-stream`) of `AiGraphStreamEvent`s.',
      content: eventStreamContent('AiGraphStreamEvent', 'The events of a workflow run.', [
        sseEvent(
          'updates',
          z
            .record(z.string(), z.unknown())
            .openapi('AiGraphUpdates', { description: 'Each node that ran, with its update.' }),
        ),
        sseEvent(
          'values',
          z.record(z.string(), z.unknown()).openapi('AiGraphValues', {
            description: 'The whole state after a step.',
          }),
        ),
        sseEvent(
          'messages',
          z.object({ node: z.string(), text: z.string() }).openapi('AiGraphMessageToken'),
        ),
        errorEvent,
        endEvent(graphStateSchema),
      ]),
    },
    ...errorResponses(401, 403, 404, 409, 422, 429),
  },
});

export const resume = createRoute({
  method: 'post',
  path: '/api/ai/graphs/{graphId}/resume',
  tags,
  summary: 'Answer the pending interrupt and continue',
  description:
    'Approves, edits or rejects what the instance waits for, and runs it to its next stop. Nothing pending, or the instance held by another run (with Retry-After): 409; a malformed command: 422.',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['create', 'update'] })] as const,
  request: { params: graphParams, body: jsonBody(resumeSchema) },
  responses: {
    200: jsonContent(graphStateSchema, 'The instance after the run.'),
    ...errorResponses(400, 401, 403, 404, 409, 415, 422, 429, 502, 504),
  },
});

export const history = createRoute({
  method: 'get',
  path: '/api/ai/graphs/{graphId}/history',
  tags,
  summary: "An instance's checkpoints, newest first",
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: {
    params: graphParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }),
  },
  responses: {
    200: jsonContent(z.object({ items: z.array(historyEntrySchema) }), 'The checkpoints.'),
    ...errorResponses(401, 403, 404, 422),
  },
});

export const remove = createRoute({
  method: 'delete',
  path: '/api/ai/graphs/{graphId}',
  tags,
  summary: 'Delete an instance and its checkpoints',
  description: 'Not while a run holds the instance: 409 with Retry-After.',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['create', 'update'] })] as const,
  request: { params: graphParams },
  responses: {
    204: { description: 'Deleted, checkpoints included.' },
    ...errorResponses(401, 403, 404, 409, 422),
  },
});

export type ListRoute = typeof list;
export type StartRoute = typeof start;
export type StateRoute = typeof state;
export type StreamRoute = typeof stream;
export type ResumeRoute = typeof resume;
export type HistoryRoute = typeof history;
export type RemoveRoute = typeof remove;

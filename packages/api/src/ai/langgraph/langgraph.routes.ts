/**
 * The LangGraph Platform API under /api/langgraph, as `@langchain/langgraph-sdk`, its React
 * `useStream` and Agent Chat UI call it (`apiUrl` = `<PUBLIC_URL>/api/langgraph`).
 * Definitions only: nothing here loads LangChain.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { SECURITY } from '../../lib/openapi.ts';
import { errorResponses, jsonContent } from '../../lib/responses.ts';
import { requirePermission } from '../../middleware/auth.ts';
import {
  assistantSearchSchema,
  historySchema,
  runCreateSchema,
  stateUpdateSchema,
  threadCreateSchema,
  threadPatchSchema,
  threadSearchSchema,
} from './schemas.ts';

/** Where the API lives: a client's `apiUrl` is `<PUBLIC_URL>` followed by this. */
export const LANGGRAPH_PATH = '/api/langgraph';

const tags = ['LangGraph Platform'];
/** What a route on the caller's own assistant, thread or run may answer besides its success. */
const readErrors = errorResponses(401, 403, 404, 422);

const object = (name: string) => z.record(z.string(), z.unknown()).openapi(name);
const assistantSchema = object('LangGraphAssistant');
const threadSchema = object('LangGraphThread');
const threadResponse = jsonContent(threadSchema, 'The thread.');
const runSchema = object('LangGraphRun');
const stateSchema = object('LangGraphThreadState');

const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});
const optionalBody = <T extends z.ZodType>(schema: T) => ({
  required: false,
  content: { 'application/json': { schema } },
});

const threadParams = z.object({
  thread_id: z.uuid().openapi({ param: { name: 'thread_id', in: 'path' } }),
});
const runParams = threadParams.extend({
  run_id: z.uuid().openapi({ param: { name: 'run_id', in: 'path' } }),
});
const sse = (description: string) => ({
  description,
  content: { 'text/event-stream': { schema: z.string() } },
});

export const info = createRoute({
  method: 'get',
  path: `${LANGGRAPH_PATH}/info`,
  tags,
  summary: 'Server information',
  responses: { 200: jsonContent(object('LangGraphInfo'), 'Version and capabilities.') },
});

export const searchAssistants = createRoute({
  method: 'post',
  path: `${LANGGRAPH_PATH}/assistants/search`,
  tags,
  summary: 'Search the assistants (one per registered graph)',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: { body: optionalBody(assistantSearchSchema) },
  responses: {
    200: jsonContent(z.array(assistantSchema), 'The matching assistants.'),
    ...errorResponses(400, 401, 403, 422),
  },
});

const assistantParams = z.object({
  assistant_id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: 'assistant_id', in: 'path' } }),
});

export const getAssistant = createRoute({
  method: 'get',
  path: `${LANGGRAPH_PATH}/assistants/{assistant_id}`,
  tags,
  summary: 'An assistant, by graph name or UUID',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: { params: assistantParams },
  responses: {
    200: jsonContent(assistantSchema, 'The assistant.'),
    ...readErrors,
  },
});

/** `/graph` (nodes and edges; `?xray=true` or a depth) or `/schemas`: one definition for both. */
export const getAssistantView = createRoute({
  method: 'get',
  path: `${LANGGRAPH_PATH}/assistants/{assistant_id}/{view}`,
  tags,
  summary: "An assistant's graph or its JSON schemas",
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: {
    params: assistantParams.extend({
      view: z.enum(['graph', 'schemas']).openapi({ param: { name: 'view', in: 'path' } }),
    }),
  },
  responses: {
    200: jsonContent(object('LangGraphAssistantView'), 'Nodes and edges, or the schemas.'),
    ...readErrors,
  },
});

export const createThread = createRoute({
  method: 'post',
  path: `${LANGGRAPH_PATH}/threads`,
  tags,
  summary: 'Create a thread',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['create', 'update'] })] as const,
  request: { body: optionalBody(threadCreateSchema) },
  responses: {
    200: threadResponse,
    ...errorResponses(400, 401, 403, 409, 422),
  },
});

export const searchThreads = createRoute({
  method: 'post',
  path: `${LANGGRAPH_PATH}/threads/search`,
  tags,
  summary: "Search the caller's threads",
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: { body: optionalBody(threadSearchSchema) },
  responses: {
    200: jsonContent(z.array(threadSchema), 'The matching threads.'),
    ...errorResponses(400, 401, 403, 422),
  },
});

export const getThread = createRoute({
  method: 'get',
  path: `${LANGGRAPH_PATH}/threads/{thread_id}`,
  tags,
  summary: 'A thread',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: { params: threadParams },
  responses: {
    200: threadResponse,
    ...readErrors,
  },
});

export const patchThread = createRoute({
  method: 'patch',
  path: `${LANGGRAPH_PATH}/threads/{thread_id}`,
  tags,
  summary: "Merge into a thread's metadata",
  security: SECURITY,
  middleware: [requirePermission({ chat: ['create', 'update'] })] as const,
  request: { params: threadParams, body: jsonBody(threadPatchSchema) },
  responses: {
    200: threadResponse,
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

export const deleteThread = createRoute({
  method: 'delete',
  path: `${LANGGRAPH_PATH}/threads/{thread_id}`,
  tags,
  summary: 'Delete a thread, its runs and checkpoints',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['delete'] })] as const,
  request: { params: threadParams },
  responses: { 204: { description: 'Deleted.' }, ...readErrors },
});

export const getState = createRoute({
  method: 'get',
  path: `${LANGGRAPH_PATH}/threads/{thread_id}/state`,
  tags,
  summary: "A thread's state",
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: { params: threadParams },
  responses: { 200: jsonContent(stateSchema, 'The state.'), ...readErrors },
});

export const getStateAt = createRoute({
  method: 'get',
  path: `${LANGGRAPH_PATH}/threads/{thread_id}/state/{checkpoint_id}`,
  tags,
  summary: "A thread's state at a checkpoint",
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: {
    params: threadParams.extend({
      checkpoint_id: z
        .string()
        .min(1)
        .max(64)
        .openapi({ param: { name: 'checkpoint_id', in: 'path' } }),
    }),
  },
  responses: { 200: jsonContent(stateSchema, 'The state.'), ...readErrors },
});

export const updateState = createRoute({
  method: 'post',
  path: `${LANGGRAPH_PATH}/threads/{thread_id}/state`,
  tags,
  summary: "Update a thread's state",
  security: SECURITY,
  middleware: [requirePermission({ chat: ['create', 'update'] })] as const,
  request: { params: threadParams, body: jsonBody(stateUpdateSchema) },
  responses: {
    200: jsonContent(object('LangGraphCheckpointRef'), 'The new checkpoint.'),
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

export const history = createRoute({
  method: 'post',
  path: `${LANGGRAPH_PATH}/threads/{thread_id}/history`,
  tags,
  summary: "A thread's past states, newest first",
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: { params: threadParams, body: optionalBody(historySchema) },
  responses: {
    200: jsonContent(z.array(stateSchema), 'The states.'),
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

const runErrors = errorResponses(400, 401, 403, 404, 409, 422, 429);

export const streamRun = createRoute({
  method: 'post',
  path: `${LANGGRAPH_PATH}/threads/{thread_id}/runs/stream`,
  tags,
  summary: 'Create a run and stream it (Server-Sent Events)',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['create', 'update'] })] as const,
  request: { params: threadParams, body: jsonBody(runCreateSchema) },
  responses: { 200: sse('The run, streamed.'), ...runErrors },
});

export const createRun = createRoute({
  method: 'post',
  path: `${LANGGRAPH_PATH}/threads/{thread_id}/runs`,
  tags,
  summary: 'Create a background run',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['create', 'update'] })] as const,
  request: { params: threadParams, body: jsonBody(runCreateSchema) },
  responses: { 200: jsonContent(runSchema, 'The run, pending.'), ...runErrors },
});

export const waitRun = createRoute({
  method: 'post',
  path: `${LANGGRAPH_PATH}/threads/{thread_id}/runs/wait`,
  tags,
  summary: "Create a run and answer the thread's values once it ends",
  security: SECURITY,
  middleware: [requirePermission({ chat: ['create', 'update'] })] as const,
  request: { params: threadParams, body: jsonBody(runCreateSchema) },
  responses: { 200: jsonContent(object('LangGraphValues'), 'The final values.'), ...runErrors },
});

export const listRuns = createRoute({
  method: 'get',
  path: `${LANGGRAPH_PATH}/threads/{thread_id}/runs`,
  tags,
  summary: "A thread's runs, newest first",
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: {
    params: threadParams,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(10),
      offset: z.coerce.number().int().min(0).default(0),
      status: z
        .enum(['pending', 'running', 'success', 'error', 'timeout', 'interrupted'])
        .optional(),
    }),
  },
  responses: {
    200: jsonContent(z.array(runSchema), 'The runs.'),
    ...readErrors,
  },
});

export const getRun = createRoute({
  method: 'get',
  path: `${LANGGRAPH_PATH}/threads/{thread_id}/runs/{run_id}`,
  tags,
  summary: 'A run',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: { params: runParams },
  responses: { 200: jsonContent(runSchema, 'The run.'), ...readErrors },
});

export const joinRunStream = createRoute({
  method: 'get',
  path: `${LANGGRAPH_PATH}/threads/{thread_id}/runs/{run_id}/stream`,
  tags,
  summary:
    "Join a run's stream (replays its stored events after `Last-Event-ID`; `-1` from the start)",
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: { params: runParams },
  responses: { 200: sse('The run, streamed.'), ...readErrors },
});

export const joinRun = createRoute({
  method: 'get',
  path: `${LANGGRAPH_PATH}/threads/{thread_id}/runs/{run_id}/join`,
  tags,
  summary: "Wait for a run to end; the thread's values",
  security: SECURITY,
  middleware: [requirePermission({ chat: ['read'] })] as const,
  request: { params: runParams },
  responses: {
    200: jsonContent(object('LangGraphJoinValues'), 'The values.'),
    ...readErrors,
  },
});

export const cancelRun = createRoute({
  method: 'post',
  path: `${LANGGRAPH_PATH}/threads/{thread_id}/runs/{run_id}/cancel`,
  tags,
  summary: 'Cancel a run, wherever it executes',
  security: SECURITY,
  middleware: [requirePermission({ chat: ['create', 'update'] })] as const,
  request: {
    params: runParams,
    query: z.object({
      wait: z.enum(['0', '1', 'true', 'false']).optional(),
      action: z.enum(['interrupt', 'rollback']).optional(),
    }),
  },
  responses: {
    202: { description: 'Cancel requested.' },
    204: { description: 'Cancelled.' },
    ...readErrors,
  },
});

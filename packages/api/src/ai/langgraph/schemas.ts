/**
 * Request bodies of the LangGraph Platform API, as `@langchain/langgraph-sdk` sends them.
 * Free of LangChain, so the route definitions can import them.
 */
import { z } from '@hono/zod-openapi';
import { withOpenApi } from '../../lib/zod-openapi.ts';

withOpenApi(); // before any `.openapi()` below: see lib/zod-openapi.ts

const jsonObject = z.record(z.string(), z.unknown());

/** Past every event id of a run (`lg_run_events.seq` is a 32-bit integer). */
export const LAST_SEQ = 2_147_483_647;

export const STREAM_MODES = [
  'values',
  'updates',
  'messages',
  'messages-tuple',
  'custom',
  'events',
  'debug',
  'tasks',
  'checkpoints',
] as const;
export type StreamMode = (typeof STREAM_MODES)[number];

const checkpointSchema = z
  .object({
    thread_id: z.string().optional(),
    checkpoint_ns: z.string().optional(),
    checkpoint_id: z.string().optional(),
  })
  .passthrough();

export const commandSchema = z
  .object({
    resume: z.unknown().optional(),
    update: z.unknown().optional(),
    goto: z.unknown().optional(),
  })
  .passthrough();

export const runCreateSchema = z
  .object({
    assistant_id: z.string().min(1).max(128),
    input: z.unknown().optional(),
    command: commandSchema.nullish(),
    stream_mode: z.union([z.enum(STREAM_MODES), z.array(z.enum(STREAM_MODES))]).optional(),
    stream_subgraphs: z.boolean().optional(),
    stream_resumable: z.boolean().optional(),
    on_disconnect: z.enum(['cancel', 'continue']).optional(),
    multitask_strategy: z.enum(['reject', 'interrupt', 'rollback', 'enqueue']).optional(),
    if_not_exists: z.enum(['create', 'reject']).optional(),
    checkpoint: checkpointSchema.nullish(),
    checkpoint_id: z.string().nullish(),
    config: z.object({ configurable: jsonObject.optional() }).passthrough().nullish(),
    context: jsonObject.nullish(),
    metadata: jsonObject.nullish(),
    interrupt_before: z.union([z.literal('*'), z.array(z.string())]).optional(),
    interrupt_after: z.union([z.literal('*'), z.array(z.string())]).optional(),
  })
  .passthrough()
  .openapi('LangGraphRunCreate');
export type RunCreate = z.infer<typeof runCreateSchema>;

export const threadCreateSchema = z
  .object({
    thread_id: z.uuid().optional(),
    metadata: jsonObject.optional(),
    if_exists: z.enum(['raise', 'do_nothing']).optional(),
  })
  .passthrough()
  .openapi('LangGraphThreadCreate');

export const threadSearchSchema = z
  .object({
    metadata: jsonObject.optional(),
    status: z.enum(['idle', 'busy', 'interrupted', 'error']).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
    offset: z.number().int().min(0).optional(),
    sort_by: z.enum(['thread_id', 'status', 'created_at', 'updated_at']).optional(),
    sort_order: z.enum(['asc', 'desc']).optional(),
  })
  .passthrough()
  .openapi('LangGraphThreadSearch');

export const threadPatchSchema = z
  .object({ metadata: jsonObject.optional() })
  .passthrough()
  .openapi('LangGraphThreadPatch');

export const stateUpdateSchema = z
  .object({
    values: z.unknown().optional(),
    as_node: z.string().optional(),
    checkpoint: checkpointSchema.optional(),
    checkpoint_id: z.string().optional(),
  })
  .openapi('LangGraphStateUpdate');

export const historySchema = z
  .object({
    limit: z.number().int().min(1).max(1000).optional(),
    before: z.union([z.string(), checkpointSchema]).optional(),
    metadata: jsonObject.optional(),
    checkpoint: checkpointSchema.optional(),
  })
  .openapi('LangGraphHistoryQuery');

export const assistantSearchSchema = z
  .object({
    graph_id: z.string().optional(),
    metadata: jsonObject.optional(),
    name: z.string().optional(),
    limit: z.number().int().min(1).max(1000).optional(),
    offset: z.number().int().min(0).optional(),
    sort_order: z.enum(['asc', 'desc']).optional(),
  })
  .passthrough()
  .openapi('LangGraphAssistantSearch');

/**
 * One run's graph execution: the run body (input or command, stream modes, config) turned
 * into a LangGraph stream, yielding `[event, data]` pairs in the Platform API's names.
 */
import { Command, GraphRecursionError } from '@langchain/langgraph';
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import { findWorkflow } from '../graphs/registry.ts';
import type { ModelRegistry } from '../runtime/models.ts';
import type { RunConfigFactory } from '../runtime/run-config.ts';
import { type Assistant, CHAT_GRAPH } from './assistants.ts';
import type { Graphs, PrimedCheckpoint } from './graphs.ts';
import type { RunCreate, StreamMode } from './schemas.ts';
import { plain } from './serialize.ts';
import type { LgRun } from './store.ts';
import { debugChunk, eventChunks, streamChunks } from './stream-modes.ts';

/** Supersteps one run may take (LangGraph's recursion limit). */
export const RUN_STEP_LIMIT = 25;

/** Keys of `config.configurable` that name a user: always the real caller. */
const USER_KEY = /user/i;

const modeOf = (mode: StreamMode): string => (mode === 'messages-tuple' ? 'messages' : mode);

const modelName = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/** The registry model a run asks for (`config.configurable.model`), or the default. */
export const runModel = (body: RunCreate): string | undefined =>
  modelName(body.config?.configurable?.model);

/**
 * Whether a run's first model call streams (the graph streams tokens): only then is its
 * request known ahead, to be sent early.
 */
export function streamsTokens(body: RunCreate): boolean {
  const requested = body.stream_mode ?? ['values'];
  return (Array.isArray(requested) ? requested : [requested]).some(
    (mode) => mode === 'messages' || mode === 'messages-tuple' || mode === 'events',
  );
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block) =>
      typeof block === 'string'
        ? block
        : block && typeof block === 'object' && (block as { type?: string }).type === 'text'
          ? String((block as { text?: unknown }).text ?? '')
          : '',
    )
    .join('');
}

/**
 * The run's input: its own schema for a workflow, or `{messages}` as Agent Chat UI sends
 * (the last message's text becomes the workflow's goal or topic). A 422 when neither fits.
 */
export function graphInput(models: ModelRegistry, assistant: Assistant, input: unknown): unknown {
  if (assistant.graph_id === CHAT_GRAPH || input === null || input === undefined) return input;
  const workflow = findWorkflow(assistant.graph_id);
  if (!workflow) return input;
  const parsed = workflow.inputSchema.safeParse(input);
  const resolved = (data: unknown) =>
    workflow.initialState(data, models.resolve((data as { model?: string }).model).name);
  if (parsed.success) return resolved(parsed.data);
  const messages = (input as { messages?: unknown }).messages;
  if (Array.isArray(messages) && messages.length > 0) {
    const text = contentText((messages.at(-1) as { content?: unknown })?.content);
    const field = assistant.graph_id === 'plan-execute' ? 'goal' : 'topic';
    const fromMessages = workflow.inputSchema.safeParse({ [field]: text });
    if (fromMessages.success) return resolved(fromMessages.data);
  }
  throw new ApiError(422, ERROR_CODES.VALIDATION_FAILED, 'The input does not match the graph', {
    details: parsed.error.issues.map((issue) => ({
      location: 'body',
      path: ['input', ...issue.path.map(String)].join('.'),
      message: issue.message,
    })),
  });
}

export interface RunGraphOptions {
  graphs: Graphs;
  runConfig: RunConfigFactory;
}

/** Runs the run's graph, yielding `[event, data]` pairs in the Platform API's names. */
export async function* graphEvents(
  { graphs, runConfig }: RunGraphOptions,
  run: LgRun,
  assistant: Assistant,
  signal: AbortSignal,
  { requestId, primed }: { requestId: string | null; primed?: PrimedCheckpoint },
): AsyncGenerator<[string, unknown]> {
  const body = run.kwargs as RunCreate;
  const requested = body.stream_mode ?? ['values'];
  const modes = [...new Set((Array.isArray(requested) ? requested : [requested]).map(modeOf))];
  const native = modes.filter((mode) => mode !== 'events');
  const clientConfigurable = Object.fromEntries(
    Object.entries(body.config?.configurable ?? {}).filter(([key]) => !USER_KEY.test(key)),
  );
  const checkpointId = body.checkpoint?.checkpoint_id ?? body.checkpoint_id ?? undefined;
  const model = runModel(body);
  const graph = graphs.graphOf(assistant.graph_id, run.userId, model, primed);
  const config = {
    ...runConfig({
      userId: run.userId,
      requestId,
      signal,
      runName: assistant.graph_id,
      tags: ['langgraph'],
      metadata: { run_id: run.id, thread_id: run.threadId, assistant_id: assistant.assistant_id },
    }),
    configurable: {
      ...clientConfigurable,
      thread_id: run.threadId,
      checkpoint_ns: '',
      user_id: run.userId,
      run_id: run.id,
      ...(checkpointId ? { checkpoint_id: checkpointId } : {}),
    },
    context: body.context ?? undefined,
    recursionLimit: RUN_STEP_LIMIT,
    streamMode: native.length > 0 ? native : ['values'],
    subgraphs: body.stream_subgraphs ?? false,
    ...(body.interrupt_before ? { interruptBefore: body.interrupt_before } : {}),
    ...(body.interrupt_after ? { interruptAfter: body.interrupt_after } : {}),
  };
  const command = body.command;
  const input = command
    ? new Command({
        ...(command.resume !== undefined ? { resume: command.resume } : {}),
        ...(command.update !== undefined
          ? { update: command.update as Record<string, unknown> }
          : {}),
        ...(command.goto !== undefined ? { goto: command.goto as string } : {}),
      })
    : graphInput(graphs.models, assistant, body.input);
  // With `events` the run goes through streamEvents (named by the run's id), else stream.
  const chunks = modes.includes('events')
    ? eventChunks(graph, input, { ...config, runId: run.id }, native)
    : streamChunks(graph, input, config);
  try {
    for await (const [namespace, mode, data] of chunks) {
      const name = namespace.length > 0 ? `${mode}|${namespace.join('|')}` : mode;
      yield [name, plain(mode === 'debug' ? debugChunk(data) : data)];
    }
  } catch (error) {
    if (error instanceof GraphRecursionError) {
      throw new ApiError(
        422,
        ERROR_CODES.STEP_LIMIT_EXCEEDED,
        `The run did not finish within ${RUN_STEP_LIMIT} steps`,
      );
    }
    throw error;
  }
}

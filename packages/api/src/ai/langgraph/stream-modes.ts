/**
 * The stream modes LangGraph's own `graph.stream()` does not give as the Platform API sends
 * them: `events` (LangChain's `streamEvents` v2, each event but the root run's own chunks) and
 * `debug` (its checkpoints carry `checkpoint` / `parent_checkpoint` refs and a `parent_config`,
 * their configs without internal keys, as the reference server reshapes them).
 */
import type { RunnableConfig } from '@langchain/core/runnables';
import type { AnyGraph } from './graphs.ts';

/** What `streamEvents` v2 yields (LangChain's `StreamEvent`), as far as read here. */
interface RunEvent {
  event: string;
  run_id: string;
  tags?: string[];
  data: unknown;
}

/** One chunk of a run: its subgraph namespace, its mode, its data. */
export type ModeChunk = [namespace: string[], mode: string, data: unknown];

/** `graph.stream()`'s chunks, as `[namespace, mode, data]`. */
export async function* streamChunks(
  graph: AnyGraph,
  input: unknown,
  config: RunnableConfig & { subgraphs: boolean },
): AsyncGenerator<ModeChunk> {
  const stream = await graph.stream(input as never, config as never);
  for await (const chunk of stream as AsyncIterable<unknown[]>) {
    yield (config.subgraphs ? chunk : [[], ...chunk]) as ModeChunk;
  }
}

/**
 * The run through `streamEvents`: the root run's stream chunks (`on_chain_stream`) as the
 * requested modes, every other event as an `events` chunk. `config.runId` names the root run.
 */
export async function* eventChunks(
  graph: AnyGraph,
  input: unknown,
  config: RunnableConfig & { subgraphs: boolean; runId: string },
  modes: readonly string[],
): AsyncGenerator<ModeChunk> {
  const events = graph.streamEvents(
    input as never,
    {
      ...config,
      version: 'v2',
    } as never,
  ) as unknown as AsyncIterable<RunEvent>;
  for await (const event of events) {
    if (event.tags?.includes('langsmith:hidden')) continue;
    if (event.event === 'on_chain_stream' && (config.subgraphs || event.run_id === config.runId)) {
      const chunk = (event.data as { chunk: unknown[] }).chunk;
      const [namespace, mode, data] = (config.subgraphs ? chunk : [[], ...chunk]) as ModeChunk;
      if (modes.includes(mode)) yield [namespace ?? [], mode, data];
      continue;
    }
    yield [[], 'events', event];
  }
}

const INTERNAL_KEY = /^__/;

/** A config as the API shows it: no callbacks, no internal (`__`) configurable keys. */
function publicConfig(config: unknown): unknown {
  if (!config || typeof config !== 'object') return config;
  const { callbacks: _callbacks, configurable, ...rest } = config as RunnableConfig;
  if (!configurable) return rest;
  return {
    ...rest,
    configurable: Object.fromEntries(
      Object.entries(configurable).filter(([key]) => !INTERNAL_KEY.test(key)),
    ),
  };
}

/** The checkpoint a config points at, or null when it names none. */
function checkpointRef(config: unknown) {
  const configurable = (config as RunnableConfig | undefined)?.configurable;
  if (!configurable?.checkpoint_id) return null;
  return {
    thread_id: configurable.thread_id,
    checkpoint_ns: configurable.checkpoint_ns ?? '',
    checkpoint_id: configurable.checkpoint_id,
    checkpoint_map: configurable.checkpoint_map ?? null,
  };
}

interface DebugTask {
  state?: unknown;
  [key: string]: unknown;
}

function debugTask(task: DebugTask): DebugTask {
  const ref =
    task.state && 'configurable' in (task.state as object) ? checkpointRef(task.state) : null;
  if (!ref) return task;
  const { state: _state, ...rest } = task;
  return { ...rest, checkpoint: ref };
}

/** A `debug` chunk (`{type, timestamp, step, payload}`) in the Platform API's shape. */
export function debugChunk(data: unknown): unknown {
  const chunk = data as { type?: string; payload?: Record<string, unknown> };
  if (!chunk?.payload) return data;
  if (chunk.type === 'task_result') {
    return { ...chunk, payload: debugTask(chunk.payload as DebugTask) };
  }
  if (chunk.type !== 'checkpoint') return data;
  const { parentConfig, config, tasks, ...payload } = chunk.payload;
  return {
    ...chunk,
    payload: {
      ...payload,
      config: publicConfig(config),
      parent_config: publicConfig(parentConfig),
      checkpoint: checkpointRef(config),
      parent_checkpoint: checkpointRef(parentConfig),
      tasks: Array.isArray(tasks) ? tasks.map((task) => debugTask(task as DebugTask)) : [],
    },
  };
}

/**
 * The registered workflows and the service the graph routes use: instances (LangGraph
 * threads) that belong to a user, checkpointed by DrizzleCheckpointSaver in the project's
 * database, so an instance survives restarts and can be resumed from any app instance.
 *
 * An instance is created with its input checkpointed and nothing run (`start`); `stream`
 * runs it until it ends or waits for a person (an interrupt); `resume` answers the interrupt.
 * Every lookup is by owner: another user's instance is "not found", like a missing one.
 * One run or resume at a time holds an instance (a lease in `ai_graphs.running_until`, taken
 * atomically in the database, so across containers too): another one meanwhile answers 409.
 */
import type { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { RunnableConfig } from '@langchain/core/runnables';
import { Command, GraphRecursionError, type StateSnapshot } from '@langchain/langgraph';
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import type { DrizzleCheckpointSaver } from '../checkpointer/checkpointer.ts';
import { deleteGraphInstances } from '../checkpointer/checkpointer.ts';
import type { ApprovalDecision } from './approval.ts';
import type { GraphContext } from './context.ts';
import {
  createGraphInstances,
  type GraphInstance,
  type GraphLease,
  graphNotFound,
} from './instances.ts';
import { compileWorkflows, describeWorkflows, findWorkflow, type GraphInfo } from './registry.ts';

export type { GraphLease } from './instances.ts';
export type { GraphInfo } from './registry.ts';

export type ResumeCommand = ApprovalDecision;

/** Supersteps one run of an instance may take before it is stopped (422). */
export const GRAPH_STEP_LIMIT = 25;

export type GraphStatus = 'ready' | 'interrupted' | 'done';

export interface GraphInterruptView {
  id: string;
  value: unknown;
}

export interface GraphStateView {
  graphId: string;
  graph: string;
  status: GraphStatus;
  values: Record<string, unknown>;
  next: string[];
  interrupts: GraphInterruptView[];
  checkpointId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface GraphHistoryEntry {
  checkpointId: string;
  parentCheckpointId: string | null;
  step: number;
  source: string;
  next: string[];
  createdAt: string | null;
  values: Record<string, unknown>;
}

/** What a streamed run sends. */
export type GraphEvent =
  | { type: 'updates'; data: Record<string, unknown> }
  | { type: 'values'; data: Record<string, unknown> }
  | { type: 'messages'; data: { node: string; text: string } }
  | { type: 'end'; data: GraphStateView };

/** Per-run settings: the caller and the runtime's callbacks, signal, tags. */
export interface GraphRunOptions {
  userId: string;
  config: RunnableConfig & { callbacks?: BaseCallbackHandler[] };
}

export interface GraphService {
  list(): GraphInfo[];
  start(userId: string, graph: string, input: unknown): Promise<GraphStateView>;
  state(userId: string, graphId: string): Promise<GraphStateView>;
  /**
   * Checks that the instance can run (404, 409) and takes its lease, before anything
   * streams; `release()` it once the stream has ended.
   */
  prepareStream(userId: string, graphId: string): Promise<GraphLease>;
  /** Runs the instance the lease `prepareStream` took holds. */
  stream(lease: GraphLease, options: GraphRunOptions): AsyncGenerator<GraphEvent>;
  resume(
    graphId: string,
    command: ResumeCommand,
    options: GraphRunOptions,
  ): Promise<GraphStateView>;
  history(userId: string, graphId: string, limit: number): Promise<GraphHistoryEntry[]>;
  remove(userId: string, graphId: string): Promise<void>;
}

export interface GraphServiceOptions {
  context: GraphContext;
  checkpointer: DrizzleCheckpointSaver;
  /**
   * How long a run may hold an instance: the longest an AI request may last, plus a margin.
   * A container that dies mid-run leaves the instance held until then.
   */
  leaseMs: number;
}

export function createGraphService(options: GraphServiceOptions): GraphService {
  const { context, checkpointer, leaseMs } = options;
  const { db } = context;
  const workflowOf = compileWorkflows(context, checkpointer);
  const instances = createGraphInstances({ db, leaseMs });
  const threadConfig = (graphId: string, userId?: string): RunnableConfig => ({
    configurable: { thread_id: graphId, ...(userId ? { user_id: userId } : {}) },
  });

  async function owned(userId: string, graphId: string) {
    const row = await instances.find(userId, graphId);
    if (!row) throw graphNotFound();
    return row;
  }

  async function view(row: GraphInstance): Promise<GraphStateView> {
    const snapshot = await workflowOf(row.graph).getState(threadConfig(row.id));
    return toView(row, snapshot);
  }

  return {
    list: describeWorkflows,

    async start(userId, name, input) {
      const workflow = findWorkflow(name);
      if (!workflow) {
        throw new ApiError(404, ERROR_CODES.NOT_FOUND, `No workflow named ${name}`);
      }
      const parsed = workflow.inputSchema.safeParse(input);
      if (!parsed.success) {
        throw new ApiError(
          422,
          ERROR_CODES.VALIDATION_FAILED,
          'The input does not match the workflow',
          {
            details: parsed.error.issues.map((issue) => ({
              location: 'body',
              path: ['input', ...issue.path.map(String)].join('.'),
              message: issue.message,
            })),
          },
        );
      }
      const { model } = parsed.data as { model?: string };
      const resolved = context.models.resolve(model);
      const row = await instances.create(userId, name);
      try {
        // Checkpoints the input and stops before the first node: nothing runs yet.
        await workflowOf(name).invoke(workflow.initialState(parsed.data, resolved.name), {
          ...threadConfig(row.id, userId),
          interruptBefore: '*',
        });
      } catch (error) {
        await deleteGraphInstances(db, [row.id]);
        throw error;
      }
      return view(row);
    },

    async state(userId, graphId) {
      return view(await owned(userId, graphId));
    },

    async prepareStream(userId, graphId) {
      const row = await owned(userId, graphId);
      const lease = await instances.acquire(row);
      try {
        const current = await view(row);
        if (current.status === 'interrupted') {
          throw new ApiError(
            409,
            ERROR_CODES.CONFLICT,
            'The instance is waiting for an answer: POST /api/ai/graphs/{graphId}/resume',
          );
        }
        if (current.status === 'done') {
          throw new ApiError(409, ERROR_CODES.CONFLICT, 'The instance has finished');
        }
      } catch (error) {
        await lease.release();
        throw error;
      }
      return lease;
    },

    async *stream(lease, { userId, config }) {
      // Owned by the caller and marked as used: prepareStream checked it and took the lease.
      const row = lease.instance;
      const graphId = row.id;
      const graph = workflowOf(row.graph);
      try {
        const stream = await graph.stream(null, {
          ...config,
          ...threadConfig(graphId, userId),
          recursionLimit: GRAPH_STEP_LIMIT,
          streamMode: ['updates', 'values', 'messages'],
        });
        for await (const [mode, chunk] of stream as AsyncIterable<[string, unknown]>) {
          if (mode === 'messages') {
            const [message, metadata] = chunk as [
              { content?: unknown },
              { langgraph_node?: string },
            ];
            const text = typeof message.content === 'string' ? message.content : '';
            if (text)
              yield { type: 'messages', data: { node: metadata.langgraph_node ?? '', text } };
          } else if (mode === 'updates') {
            yield { type: 'updates', data: jsonSafe(chunk) as Record<string, unknown> };
          } else if (mode === 'values') {
            yield { type: 'values', data: jsonSafe(chunk) as Record<string, unknown> };
          }
        }
      } catch (error) {
        if (error instanceof GraphRecursionError) throw stepLimit();
        throw error;
      }
      yield { type: 'end', data: await view(row) };
    },

    async resume(graphId, command, { userId, config }) {
      const lease = await instances.acquire(await owned(userId, graphId));
      const row = lease.instance;
      try {
        if ((await view(row)).status !== 'interrupted') {
          throw new ApiError(409, ERROR_CODES.CONFLICT, 'Nothing is waiting for an answer');
        }
        await workflowOf(row.graph).invoke(new Command({ resume: command }), {
          ...config,
          ...threadConfig(graphId, userId),
          recursionLimit: GRAPH_STEP_LIMIT,
        });
        return await view(row);
      } catch (error) {
        if (error instanceof GraphRecursionError) throw stepLimit();
        throw error;
      } finally {
        await lease.release();
      }
    },

    async history(userId, graphId, limit) {
      const row = await owned(userId, graphId);
      const entries: GraphHistoryEntry[] = [];
      for await (const snapshot of workflowOf(row.graph).getStateHistory(threadConfig(graphId), {
        limit,
      })) {
        entries.push({
          checkpointId: String(snapshot.config.configurable?.checkpoint_id ?? ''),
          parentCheckpointId:
            (snapshot.parentConfig?.configurable?.checkpoint_id as string | undefined) ?? null,
          step: snapshot.metadata?.step ?? -1,
          source: snapshot.metadata?.source ?? 'unknown',
          next: [...snapshot.next],
          createdAt: snapshot.createdAt ?? null,
          values: jsonSafe(snapshot.values) as Record<string, unknown>,
        });
      }
      return entries;
    },

    async remove(userId, graphId) {
      await owned(userId, graphId);
      const deleted = await deleteGraphInstances(db, [graphId], userId, { idleOnly: true });
      if (deleted === 0) throw await instances.running(graphId);
    },
  };
}

const stepLimit = () =>
  new ApiError(
    422,
    ERROR_CODES.STEP_LIMIT_EXCEEDED,
    `The workflow did not finish within ${GRAPH_STEP_LIMIT} steps`,
    { details: { maxSteps: GRAPH_STEP_LIMIT } },
  );

/** Plain JSON of a state or update (messages and other classes become their fields). */
function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null));
}

function toView(row: GraphInstance, snapshot: StateSnapshot): GraphStateView {
  const interrupts = snapshot.tasks.flatMap((task) =>
    (task.interrupts ?? []).map((pending) => ({
      id: String((pending as { id?: unknown }).id ?? task.id),
      value: jsonSafe((pending as { value?: unknown }).value),
    })),
  );
  const next = [...snapshot.next];
  const status: GraphStatus =
    interrupts.length > 0 ? 'interrupted' : next.length > 0 ? 'ready' : 'done';
  return {
    graphId: row.id,
    graph: row.graph,
    status,
    values: (jsonSafe(snapshot.values) ?? {}) as Record<string, unknown>,
    next,
    interrupts,
    checkpointId: (snapshot.config.configurable?.checkpoint_id as string | undefined) ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

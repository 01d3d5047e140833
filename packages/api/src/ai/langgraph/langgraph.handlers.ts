import type { Context } from 'hono';
import { ERROR_CODES, errorResponse } from '../../lib/errors.ts';
import { streamEvents } from '../../lib/sse.ts';
import type { AppBindings, AppRouteHandler } from '../../lib/types.ts';
import { callerOf } from '../../middleware/auth.ts';
import { requestSignal } from '../../middleware/limits.ts';
import { loadAiRuntime } from '../runtime/load.ts';
import { createChannel } from './channel.ts';
import { LANGGRAPH_RUN_JOB, type LangGraphRunJob } from './jobs.ts';
import type * as routes from './langgraph.routes.ts';
import type { RunEvent } from './run-executor.ts';
import { runView } from './run-view.ts';
import { LAST_SEQ, type RunCreate } from './schemas.ts';

// Another user's thread or run answers exactly like a missing one.
const notFound = (c: Context<AppBindings>, what: 'Thread' | 'Run' | 'Assistant') =>
  errorResponse(c, 404, ERROR_CODES.NOT_FOUND, `${what} not found`);

/** The caller's id and the LangGraph services (loaded with the AI runtime). */
async function servicesOf(c: Context<AppBindings>) {
  const { langgraph, streamSlots } = await loadAiRuntime(c.var.deps);
  return { userId: callerOf(c).user.id, streamSlots, ...langgraph };
}

const runPath = (threadId: string, runId: string) => `/threads/${threadId}/runs/${runId}`;

export const info: AppRouteHandler<typeof routes.info> = (c) =>
  c.json(
    {
      version: '0.1.0',
      langgraph_js_version: '1.7.3',
      flags: { assistants: true, crons: false, langsmith: true, langsmith_tracing_replicas: false },
      metadata: {},
    },
    200,
  );

// The assistants load with the AI code, not in the core bundle.
const assistants = () => import('./assistants.ts');

export const searchAssistants: AppRouteHandler<typeof routes.searchAssistants> = async (c) => {
  const { listAssistants } = await assistants();
  const body = (c.req.valid('json') ?? {}) as {
    graph_id?: string;
    name?: string;
    limit?: number;
    offset?: number;
  };
  const offset = body.offset ?? 0;
  const items = listAssistants()
    .filter((assistant) => !body.graph_id || assistant.graph_id === body.graph_id)
    .filter((assistant) => !body.name || assistant.name.includes(body.name))
    .slice(offset, offset + (body.limit ?? 10));
  return c.json(items, 200);
};

export const getAssistant: AppRouteHandler<typeof routes.getAssistant> = async (c) => {
  const { findAssistant } = await assistants();
  const assistant = findAssistant(c.req.valid('param').assistant_id);
  if (!assistant) return notFound(c, 'Assistant');
  return c.json(assistant, 200);
};

/** `/graph`: the compiled graph's nodes and edges; `/schemas`: its JSON schemas. */
export const getAssistantView: AppRouteHandler<typeof routes.getAssistantView> = async (c) => {
  const { assistant_id, view } = c.req.valid('param');
  const assistant = (await assistants()).findAssistant(assistant_id);
  if (!assistant) return notFound(c, 'Assistant');
  const { assistantGraph, assistantSchemas } = await import('./assistant-graph.ts');
  if (view === 'schemas') return c.json(assistantSchemas(assistant), 200);
  const { userId, graphs } = await servicesOf(c);
  // `?xray=true`, or a depth of subgraphs; anything else none.
  const xray = c.req.query('xray');
  const depth = xray === 'true' || Number(xray) || false;
  return c.json(await assistantGraph(graphs, assistant, userId, depth), 200);
};

export const createThread: AppRouteHandler<typeof routes.createThread> = async (c) => {
  const { userId, threads } = await servicesOf(c);
  const thread = await threads.create(userId, c.req.valid('json') ?? {});
  if (!thread) {
    return errorResponse(c, 409, ERROR_CODES.CONFLICT, 'A thread with this id already exists');
  }
  return c.json(thread, 200);
};

export const searchThreads: AppRouteHandler<typeof routes.searchThreads> = async (c) => {
  const body = c.req.valid('json') ?? {};
  const { userId, threads } = await servicesOf(c);
  return c.json(
    await threads.search(userId, {
      metadata: body.metadata,
      status: body.status,
      limit: body.limit ?? 10,
      offset: body.offset ?? 0,
      sortBy: body.sort_by === 'created_at' ? 'created_at' : 'updated_at',
      sortOrder: body.sort_order ?? 'desc',
    }),
    200,
  );
};

export const getThread: AppRouteHandler<typeof routes.getThread> = async (c) => {
  const { userId, threads } = await servicesOf(c);
  const thread = await threads.get(userId, c.req.valid('param').thread_id);
  return thread ? c.json(thread, 200) : notFound(c, 'Thread');
};

export const patchThread: AppRouteHandler<typeof routes.patchThread> = async (c) => {
  const { metadata } = c.req.valid('json');
  const { userId, threads } = await servicesOf(c);
  const thread = await threads.patch(userId, c.req.valid('param').thread_id, metadata ?? {});
  return thread ? c.json(thread, 200) : notFound(c, 'Thread');
};

export const deleteThread: AppRouteHandler<typeof routes.deleteThread> = async (c) => {
  const { userId, threads } = await servicesOf(c);
  const deleted = await threads.remove(userId, c.req.valid('param').thread_id);
  return deleted ? c.body(null, 204) : notFound(c, 'Thread');
};

export const getState: AppRouteHandler<typeof routes.getState> = async (c) => {
  const { userId, threads } = await servicesOf(c);
  const state = await threads.state(userId, c.req.valid('param').thread_id);
  return state ? c.json(state, 200) : notFound(c, 'Thread');
};

export const getStateAt: AppRouteHandler<typeof routes.getStateAt> = async (c) => {
  const { thread_id, checkpoint_id } = c.req.valid('param');
  const { userId, threads } = await servicesOf(c);
  const state = await threads.state(userId, thread_id, checkpoint_id);
  return state ? c.json(state, 200) : notFound(c, 'Thread');
};

export const updateState: AppRouteHandler<typeof routes.updateState> = async (c) => {
  const { userId, threads } = await servicesOf(c);
  const updated = await threads.updateState(
    userId,
    c.req.valid('param').thread_id,
    c.req.valid('json'),
  );
  return updated ? c.json(updated, 200) : notFound(c, 'Thread');
};

export const history: AppRouteHandler<typeof routes.history> = async (c) => {
  const { userId, threads } = await servicesOf(c);
  const states = await threads.history(
    userId,
    c.req.valid('param').thread_id,
    c.req.valid('json') ?? {},
  );
  return states ? c.json(states, 200) : notFound(c, 'Thread');
};

/** Creates a run and streams it; with `on_disconnect: continue` it outlives the client. */
export const streamRun: AppRouteHandler<typeof routes.streamRun> = async (c) => {
  const { thread_id } = c.req.valid('param');
  const body = c.req.valid('json') as RunCreate;
  const { userId, executor, streamSlots } = await servicesOf(c);
  // One of the user's stream slots (429 when all are taken), held until the run ends.
  const slot = await streamSlots.acquire(userId);
  const created = await createRunOf(c, thread_id, body, true).catch(async (error: unknown) => {
    await slot.release();
    throw error;
  });
  if (created instanceof Response) {
    await slot.release();
    return created;
  }
  const { run, primed, supersedes } = created;
  const resumable = body.stream_resumable === true;
  const detached = body.on_disconnect === 'continue';
  c.header('Content-Location', runPath(thread_id, run.id));
  if (resumable) c.header('Location', `${runPath(thread_id, run.id)}/stream`);
  const channel = createChannel<RunEvent>();
  const clientGone = new AbortController();
  const signal = detached ? undefined : AbortSignal.any([clientGone.signal, requestSignal(c)]);
  const execution = executor
    .execute(run, (event) => channel.push(event), {
      store: resumable || detached,
      requestId: c.get('requestId') ?? null,
      primed,
      supersedes,
      ...(signal ? { signal } : {}),
    })
    .finally(async () => {
      channel.close();
      await slot.release();
    });
  return streamEvents(
    c,
    async (sse) => {
      for await (const event of channel) {
        await sse.event(event.event, event.data, resumable ? String(event.seq) : undefined);
      }
    },
    {
      heartbeatMs: c.var.deps.env.SSE_HEARTBEAT_MS,
      onAbort: () => {
        clientGone.abort();
        channel.close();
      },
      async onClose() {
        if (!detached) await execution;
      },
    },
  );
};

/** Creates a run executed by the job queue; join it, poll it or cancel it. */
export const createRun: AppRouteHandler<typeof routes.createRun> = async (c) => {
  const { thread_id } = c.req.valid('param');
  const { userId, runs } = await servicesOf(c);
  const created = await createRunOf(c, thread_id, c.req.valid('json') as RunCreate, false);
  if (created instanceof Response) return created;
  const { run, supersedes } = created;
  const job: LangGraphRunJob = {
    runId: run.id,
    threadId: thread_id,
    userId,
    requestId: c.get('requestId') ?? null,
    supersedes,
  };
  await c.var.deps.jobs.queue
    .enqueue(LANGGRAPH_RUN_JOB, job, { id: run.id })
    .catch(async (error) => {
      await runs.unqueued(run);
      throw error;
    });
  c.header('Content-Location', runPath(thread_id, run.id));
  c.header('Location', `${runPath(thread_id, run.id)}/stream`);
  return c.json(runView(run), 200);
};

/** Creates a run and answers the thread's values once it ends. */
export const waitRun: AppRouteHandler<typeof routes.waitRun> = async (c) => {
  const { thread_id } = c.req.valid('param');
  const body = c.req.valid('json') as RunCreate;
  const { userId, threads, executor } = await servicesOf(c);
  const created = await createRunOf(c, thread_id, body, true);
  if (created instanceof Response) return created;
  const { run, primed, supersedes } = created;
  let failure: unknown = null;
  await executor.execute(
    run,
    (event) => {
      if (event.event === 'error') failure = event.data;
    },
    {
      store: body.on_disconnect === 'continue',
      requestId: c.get('requestId') ?? null,
      signal: requestSignal(c),
      primed,
      supersedes,
    },
  );
  c.header('Content-Location', runPath(thread_id, run.id));
  if (failure) return c.json({ __error__: failure } as Record<string, unknown>, 200);
  const values = await threads.finalValues(userId, thread_id);
  return values ? c.json(values, 200) : notFound(c, 'Thread');
};

export const listRuns: AppRouteHandler<typeof routes.listRuns> = async (c) => {
  const { userId, runs } = await servicesOf(c);
  const list = await runs.list(userId, c.req.valid('param').thread_id, c.req.valid('query'));
  return list ? c.json(list, 200) : notFound(c, 'Thread');
};

export const getRun: AppRouteHandler<typeof routes.getRun> = async (c) => {
  const { thread_id, run_id } = c.req.valid('param');
  const { userId, runs } = await servicesOf(c);
  const run = await runs.get(userId, thread_id, run_id);
  return run ? c.json(runView(run), 200) : notFound(c, 'Run');
};

/** The SSE id to replay after: `-1` (or none) from the start; anything unusable replays nothing. */
function replayAfter(header: string | undefined): number {
  if (header === undefined || header.trim() === '') return -1;
  const value = Number(header);
  return Number.isSafeInteger(value) && value >= -1 && value < LAST_SEQ ? value : LAST_SEQ;
}

export const joinRunStream: AppRouteHandler<typeof routes.joinRunStream> = async (c) => {
  const { thread_id, run_id } = c.req.valid('param');
  const { userId, runs, join } = await servicesOf(c);
  const run = await runs.get(userId, thread_id, run_id);
  if (!run) return notFound(c, 'Run');
  const after = replayAfter(c.req.header('last-event-id'));
  const gone = new AbortController();
  return streamEvents(
    c,
    async (sse) => {
      for await (const event of join.join(run, after, gone.signal)) {
        await sse.event(event.event, event.data, String(event.seq));
      }
    },
    { heartbeatMs: c.var.deps.env.SSE_HEARTBEAT_MS, onAbort: () => gone.abort() },
  );
};

export const joinRun: AppRouteHandler<typeof routes.joinRun> = async (c) => {
  const { thread_id, run_id } = c.req.valid('param');
  const { userId, runs, threads, join } = await servicesOf(c);
  const run = await runs.get(userId, thread_id, run_id);
  if (!run) return notFound(c, 'Run');
  await join.waitFor(run, requestSignal(c));
  const thread = await threads.get(userId, thread_id);
  if (!thread) return notFound(c, 'Thread');
  return c.json((thread.values ?? {}) as Record<string, unknown>, 200);
};

export const cancelRun: AppRouteHandler<typeof routes.cancelRun> = async (c) => {
  const { thread_id, run_id } = c.req.valid('param');
  const { wait } = c.req.valid('query');
  const { userId, runs, join } = await servicesOf(c);
  const run = await runs.cancel(userId, thread_id, run_id);
  if (!run) return notFound(c, 'Run');
  if (wait !== '1' && wait !== 'true') return c.body(null, 202);
  await join.waitFor(run, requestSignal(c));
  return c.body(null, 204);
};

/** Creates a run of the body's assistant on the caller's thread, or the 404 to answer. */
async function createRunOf(
  c: Context<AppBindings>,
  threadId: string,
  body: RunCreate,
  now: boolean,
) {
  const { userId, runs } = await servicesOf(c);
  const { findAssistant } = await assistants();
  const assistant = findAssistant(body.assistant_id);
  if (!assistant) return notFound(c, 'Assistant');
  return (await runs.create(userId, threadId, assistant, body, now)) ?? notFound(c, 'Thread');
}

import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import { streamEvents } from '../../lib/sse.ts';
import type { AppRouteHandler } from '../../lib/types.ts';
import { callerOf } from '../../middleware/auth.ts';
import { requestSignal } from '../../middleware/limits.ts';
import { loadAiRuntime } from '../runtime/load.ts';
import { createChannel } from './channel.ts';
import { LANGGRAPH_RUN_JOB, type LangGraphRunJob } from './jobs.ts';
import type * as routes from './langgraph.routes.ts';
import { LAST_SEQ, type RunCreate } from './schemas.ts';

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
  if (!assistant) throw new ApiError(404, ERROR_CODES.NOT_FOUND, 'Assistant not found');
  return c.json(assistant, 200);
};

export const createThread: AppRouteHandler<typeof routes.createThread> = async (c) => {
  const body = c.req.valid('json') ?? {};
  const { user } = callerOf(c);
  const { langgraph } = await loadAiRuntime(c.var.deps);
  return c.json(await langgraph.createThread(user.id, body), 200);
};

export const searchThreads: AppRouteHandler<typeof routes.searchThreads> = async (c) => {
  const body = c.req.valid('json') ?? {};
  const { user } = callerOf(c);
  const { langgraph } = await loadAiRuntime(c.var.deps);
  return c.json(
    await langgraph.searchThreads(user.id, {
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
  const { user } = callerOf(c);
  const { langgraph } = await loadAiRuntime(c.var.deps);
  return c.json(await langgraph.getThread(user.id, c.req.valid('param').thread_id), 200);
};

export const patchThread: AppRouteHandler<typeof routes.patchThread> = async (c) => {
  const { user } = callerOf(c);
  const { metadata } = c.req.valid('json');
  const { langgraph } = await loadAiRuntime(c.var.deps);
  return c.json(
    await langgraph.patchThread(user.id, c.req.valid('param').thread_id, metadata ?? {}),
    200,
  );
};

export const deleteThread: AppRouteHandler<typeof routes.deleteThread> = async (c) => {
  const { user } = callerOf(c);
  const { langgraph } = await loadAiRuntime(c.var.deps);
  await langgraph.deleteThread(user.id, c.req.valid('param').thread_id);
  return c.body(null, 204);
};

export const getState: AppRouteHandler<typeof routes.getState> = async (c) => {
  const { user } = callerOf(c);
  const { langgraph } = await loadAiRuntime(c.var.deps);
  return c.json(await langgraph.state(user.id, c.req.valid('param').thread_id), 200);
};

export const getStateAt: AppRouteHandler<typeof routes.getStateAt> = async (c) => {
  const { user } = callerOf(c);
  const { thread_id, checkpoint_id } = c.req.valid('param');
  const { langgraph } = await loadAiRuntime(c.var.deps);
  return c.json(await langgraph.state(user.id, thread_id, checkpoint_id), 200);
};

export const updateState: AppRouteHandler<typeof routes.updateState> = async (c) => {
  const { user } = callerOf(c);
  const { langgraph } = await loadAiRuntime(c.var.deps);
  return c.json(
    await langgraph.updateState(user.id, c.req.valid('param').thread_id, c.req.valid('json')),
    200,
  );
};

export const history: AppRouteHandler<typeof routes.history> = async (c) => {
  const { user } = callerOf(c);
  const { langgraph } = await loadAiRuntime(c.var.deps);
  return c.json(
    await langgraph.history(user.id, c.req.valid('param').thread_id, c.req.valid('json') ?? {}),
    200,
  );
};

/** Creates a run and streams it; with `on_disconnect: continue` it outlives the client. */
export const streamRun: AppRouteHandler<typeof routes.streamRun> = async (c) => {
  const { thread_id } = c.req.valid('param');
  const body = c.req.valid('json') as RunCreate;
  const { user } = callerOf(c);
  const runtime = await loadAiRuntime(c.var.deps);
  const { langgraph } = runtime;
  // One of the user's stream slots (429 when all are taken), held until the run ends.
  const slot = await runtime.streamSlots.acquire(user.id);
  let run: Awaited<ReturnType<typeof langgraph.createRun>>;
  try {
    run = await langgraph.createRun(user.id, thread_id, body);
  } catch (error) {
    await slot.release();
    throw error;
  }
  const resumable = body.stream_resumable === true;
  const detached = body.on_disconnect === 'continue';
  c.header('Content-Location', runPath(thread_id, run.id));
  if (resumable) c.header('Location', `${runPath(thread_id, run.id)}/stream`);
  const channel = createChannel<{ seq: number; event: string; data: unknown }>();
  const clientGone = new AbortController();
  const signal = detached ? undefined : AbortSignal.any([clientGone.signal, requestSignal(c)]);
  const execution = langgraph
    .execute(run, (event) => channel.push(event), {
      store: resumable || detached,
      requestId: c.get('requestId') ?? null,
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
  const body = c.req.valid('json') as RunCreate;
  const { user } = callerOf(c);
  const { langgraph } = await loadAiRuntime(c.var.deps);
  const run = await langgraph.createRun(user.id, thread_id, body);
  const job: LangGraphRunJob = {
    runId: run.id,
    threadId: thread_id,
    userId: user.id,
    requestId: c.get('requestId') ?? null,
  };
  await c.var.deps.jobs.queue.enqueue(LANGGRAPH_RUN_JOB, job, { id: run.id });
  c.header('Content-Location', runPath(thread_id, run.id));
  c.header('Location', `${runPath(thread_id, run.id)}/stream`);
  return c.json(langgraph.runView(run), 200);
};

/** Creates a run and answers the thread's values once it ends. */
export const waitRun: AppRouteHandler<typeof routes.waitRun> = async (c) => {
  const { thread_id } = c.req.valid('param');
  const body = c.req.valid('json') as RunCreate;
  const { user } = callerOf(c);
  const { langgraph } = await loadAiRuntime(c.var.deps);
  const run = await langgraph.createRun(user.id, thread_id, body);
  let failure: unknown = null;
  await langgraph.execute(
    run,
    (event) => {
      if (event.event === 'error') failure = event.data;
    },
    {
      store: body.on_disconnect === 'continue',
      requestId: c.get('requestId') ?? null,
      signal: requestSignal(c),
    },
  );
  c.header('Content-Location', runPath(thread_id, run.id));
  if (failure) return c.json({ __error__: failure } as Record<string, unknown>, 200);
  const thread = await langgraph.getThread(user.id, thread_id);
  const state = await langgraph.state(user.id, thread_id);
  const interrupts = langgraph.interruptsOf(state);
  return c.json(
    {
      ...((thread.values ?? {}) as Record<string, unknown>),
      ...(interrupts.length > 0 ? { __interrupt__: interrupts } : {}),
    },
    200,
  );
};

export const listRuns: AppRouteHandler<typeof routes.listRuns> = async (c) => {
  const { user } = callerOf(c);
  const { langgraph } = await loadAiRuntime(c.var.deps);
  return c.json(
    await langgraph.listRuns(user.id, c.req.valid('param').thread_id, c.req.valid('query')),
    200,
  );
};

export const getRun: AppRouteHandler<typeof routes.getRun> = async (c) => {
  const { user } = callerOf(c);
  const { thread_id, run_id } = c.req.valid('param');
  const { langgraph } = await loadAiRuntime(c.var.deps);
  return c.json(langgraph.runView(await langgraph.getRun(user.id, thread_id, run_id)), 200);
};

/** The SSE id to replay after: `-1` (or none) from the start; anything unusable replays nothing. */
function replayAfter(header: string | undefined): number {
  if (header === undefined || header.trim() === '') return -1;
  const value = Number(header);
  return Number.isSafeInteger(value) && value >= -1 && value < LAST_SEQ ? value : LAST_SEQ;
}

export const joinRunStream: AppRouteHandler<typeof routes.joinRunStream> = async (c) => {
  const { user } = callerOf(c);
  const { thread_id, run_id } = c.req.valid('param');
  const { langgraph } = await loadAiRuntime(c.var.deps);
  const run = await langgraph.getRun(user.id, thread_id, run_id);
  const after = replayAfter(c.req.header('last-event-id'));
  const gone = new AbortController();
  return streamEvents(
    c,
    async (sse) => {
      for await (const event of langgraph.join(run, after, gone.signal)) {
        await sse.event(event.event, event.data, String(event.seq));
      }
    },
    { heartbeatMs: c.var.deps.env.SSE_HEARTBEAT_MS, onAbort: () => gone.abort() },
  );
};

export const joinRun: AppRouteHandler<typeof routes.joinRun> = async (c) => {
  const { user } = callerOf(c);
  const { thread_id, run_id } = c.req.valid('param');
  const { langgraph } = await loadAiRuntime(c.var.deps);
  const run = await langgraph.getRun(user.id, thread_id, run_id);
  const values = await langgraph.waitFor(run, requestSignal(c));
  return c.json((values ?? {}) as Record<string, unknown>, 200);
};

export const cancelRun: AppRouteHandler<typeof routes.cancelRun> = async (c) => {
  const { user } = callerOf(c);
  const { thread_id, run_id } = c.req.valid('param');
  const { wait } = c.req.valid('query');
  const { langgraph } = await loadAiRuntime(c.var.deps);
  const run = await langgraph.cancelRun(user.id, thread_id, run_id);
  if (wait === '1' || wait === 'true') {
    await langgraph.waitFor(run, requestSignal(c));
    return c.body(null, 204);
  }
  return c.body(null, 202);
};

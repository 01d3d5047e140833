import { streamEvents } from '../../lib/sse.ts';
import type { AppRouteHandler } from '../../lib/types.ts';
import { callerOf } from '../../middleware/auth.ts';
import { requestSignal } from '../../middleware/limits.ts';
import { loadAiRuntime } from '../runtime/load.ts';
import type {
  HistoryRoute,
  ListRoute,
  RemoveRoute,
  ResumeRoute,
  StartRoute,
  StateRoute,
  StreamRoute,
} from './graphs.routes.ts';

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const runtime = await loadAiRuntime(c.var.deps);
  return c.json({ items: runtime.graphs.list() }, 200);
};

export const start: AppRouteHandler<StartRoute> = async (c) => {
  const { graph, input } = c.req.valid('json');
  const { user } = callerOf(c);
  const runtime = await loadAiRuntime(c.var.deps);
  return c.json(await runtime.graphs.start(user.id, graph, input), 201);
};

export const state: AppRouteHandler<StateRoute> = async (c) => {
  const { graphId } = c.req.valid('param');
  const { user } = callerOf(c);
  const runtime = await loadAiRuntime(c.var.deps);
  return c.json(await runtime.graphs.state(user.id, graphId), 200);
};

const runOptions = (
  runtime: Awaited<ReturnType<typeof loadAiRuntime>>,
  c: Parameters<AppRouteHandler<StreamRoute>>[0],
  userId: string,
  graphId: string,
) => ({
  userId,
  config: runtime.runConfig({
    userId,
    requestId: c.get('requestId'),
    signal: requestSignal(c),
    runName: 'graph',
    tags: ['graph'],
    metadata: { graph_id: graphId },
  }),
});

export const stream: AppRouteHandler<StreamRoute> = async (c) => {
  const { graphId } = c.req.valid('param');
  const { user } = callerOf(c);
  const runtime = await loadAiRuntime(c.var.deps);
  // Refusals answer JSON before any event: not found 404, nothing to run or already running
  // 409, budget 429. The instance is held until the stream ends.
  // One of the user's stream slots (429 when all are taken), held until the stream ends.
  const slot = await runtime.streamSlots.acquire(user.id);
  let lease: Awaited<ReturnType<typeof runtime.graphs.prepareStream>>;
  try {
    lease = await runtime.graphs.prepareStream(user.id, graphId);
  } catch (error) {
    await slot.release();
    throw error;
  }
  try {
    await runtime.usage.assertWithinBudget(user.id);
  } catch (error) {
    await lease.release();
    await slot.release();
    throw error;
  }
  const options = runOptions(runtime, c, user.id, graphId);
  return streamEvents(
    c,
    async (sse) => {
      try {
        for await (const event of runtime.graphs.stream(lease, options)) {
          await sse.event(event.type, event.data);
        }
      } catch (error) {
        await sse.error(runtime.agents.clientError(error));
      }
    },
    {
      heartbeatMs: c.var.deps.env.SSE_HEARTBEAT_MS,
      onAbort: () => void slot.release(),
      async onClose() {
        await lease.release();
        await slot.release();
        await runtime.flush();
      },
    },
  );
};

export const resume: AppRouteHandler<ResumeRoute> = async (c) => {
  const { graphId } = c.req.valid('param');
  const command = c.req.valid('json');
  const { user } = callerOf(c);
  const runtime = await loadAiRuntime(c.var.deps);
  try {
    const options = runOptions(runtime, c, user.id, graphId);
    return c.json(await runtime.graphs.resume(graphId, command, options), 200);
  } catch (error) {
    throw runtime.agents.clientError(error);
  } finally {
    await runtime.flush();
  }
};

export const history: AppRouteHandler<HistoryRoute> = async (c) => {
  const { graphId } = c.req.valid('param');
  const { limit } = c.req.valid('query');
  const { user } = callerOf(c);
  const runtime = await loadAiRuntime(c.var.deps);
  return c.json({ items: await runtime.graphs.history(user.id, graphId, limit) }, 200);
};

export const remove: AppRouteHandler<RemoveRoute> = async (c) => {
  const { graphId } = c.req.valid('param');
  const { user } = callerOf(c);
  const runtime = await loadAiRuntime(c.var.deps);
  await runtime.graphs.remove(user.id, graphId);
  return c.body(null, 204);
};

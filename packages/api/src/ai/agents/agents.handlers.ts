import type { Context } from 'hono';
import { ERROR_CODES, errorResponse } from '../../lib/errors.ts';
import { streamEvents } from '../../lib/sse.ts';
import { acceptsEventStream } from '../../lib/sse-document.ts';
import type { AppBindings, AppRouteHandler } from '../../lib/types.ts';
import { lastUserText } from '../../lib/ui-message-chunks.ts';
import { callerOf } from '../../middleware/auth.ts';
import { requestSignal } from '../../middleware/limits.ts';
import { loadAiRuntime } from '../runtime/load.ts';
import {
  agentRunRequestSchema,
  type ListRoute,
  type RunRoute,
  type RunUiRoute,
} from './agents.routes.ts';
import { agentUiChunks } from './ui-message-stream.ts';

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const runtime = await loadAiRuntime(c.var.deps);
  return c.json({ items: runtime.agents.list(), maxSteps: runtime.agents.maxSteps }, 200);
};

/** A run's runtime, agent and request, or the error response that refuses it. */
async function prepareRun(
  c: Context<AppBindings>,
  agentId: string,
  body: { input: string; model?: string; maxSteps?: number },
) {
  const { user } = callerOf(c);
  const runtime = await loadAiRuntime(c.var.deps);
  const agent = runtime.agents.find(agentId);
  if (!agent) return errorResponse(c, 404, ERROR_CODES.NOT_FOUND, 'Agent not found');
  if (body.input.length > c.var.deps.env.AI_MESSAGE_MAX_CHARS) {
    return errorResponse(c, 422, ERROR_CODES.VALIDATION_FAILED, 'The input is too long', [
      {
        location: 'body',
        path: 'input',
        message: `Must be at most ${c.var.deps.env.AI_MESSAGE_MAX_CHARS} characters`,
      },
    ]);
  }
  const model = runtime.agents.modelName(body.model);
  const base = {
    agent,
    input: body.input,
    model,
    maxSteps: body.maxSteps,
    userId: user.id,
    config: runtime.runConfig({
      userId: user.id,
      requestId: c.get('requestId'),
      signal: requestSignal(c),
      runName: `agent:${agent.name}`,
      tags: ['agent', `agent:${agent.name}`],
    }),
  };
  // The first model call's worst case is reserved before anything answers: over budget, a
  // 429 here, not an event mid-stream. Settled when the run ends, whether it was used or not.
  const request = { ...base, firstCall: await runtime.agents.reserveFirstCall(base) };
  return { runtime, agent, model, request, user };
}

type PreparedRun = Exclude<Awaited<ReturnType<typeof prepareRun>>, Response>;

/** Streams the run's events, as the API's events or as UI message chunks. */
async function streamRun(
  c: Context<AppBindings>,
  { runtime, agent, model, request, user }: PreparedRun,
  format: 'events' | 'ui-message-stream',
) {
  // One of the user's stream slots (429 when all are taken), held until the stream ends.
  const slot = await runtime.streamSlots.acquire(user.id).catch(async (error: unknown) => {
    await request.firstCall.settle();
    throw error;
  });
  return streamEvents(
    c,
    async (sse) => {
      try {
        if (format === 'ui-message-stream') {
          for await (const chunk of agentUiChunks(
            agent.name,
            model,
            runtime.agents.stream(request),
          ))
            await sse.event(chunk.type, chunk);
          return;
        }
        for await (const event of runtime.agents.stream(request)) {
          if (event.type === 'done') {
            await sse.event('end', { agent: agent.name, model, ...event.result });
          } else {
            const { type, ...data } = event;
            await sse.event(type, data);
          }
        }
      } catch (error) {
        await sse.error(runtime.agents.clientError(error));
      }
    },
    {
      format,
      heartbeatMs: c.var.deps.env.SSE_HEARTBEAT_MS,
      onAbort: () => void slot.release(),
      async onClose() {
        await request.firstCall.settle();
        await slot.release();
        await runtime.flush();
      },
    },
  );
}

export const run: AppRouteHandler<RunRoute> = async (c) => {
  const { agentId } = c.req.valid('param');
  const body = c.req.valid('json');
  const prepared = await prepareRun(c, agentId, body);
  if (prepared instanceof Response) return prepared;
  const { runtime, agent, model, request } = prepared;

  if (!body.stream && !acceptsEventStream(c.req.header('accept'))) {
    try {
      const result = await runtime.agents.run(request);
      return c.json({ agent: agent.name, model, ...result }, 200);
    } catch (error) {
      throw runtime.agents.clientError(error);
    } finally {
      await request.firstCall.settle();
      await runtime.flush();
    }
  }

  return streamRun(c, prepared, 'events');
};

/** The run in the AI SDK's UI message stream protocol (for `useChat`). */
export const runUi: AppRouteHandler<RunUiRoute> = async (c) => {
  const { agentId } = c.req.valid('param');
  const body = c.req.valid('json');
  const input = lastUserText(body, agentRunRequestSchema.shape.input);
  const prepared = await prepareRun(c, agentId, {
    input,
    model: body.model,
    maxSteps: body.maxSteps,
  });
  if (prepared instanceof Response) return prepared;
  return streamRun(c, prepared, 'ui-message-stream');
};

/**
 * The chat graph's first model call sent early: the request goes out as soon as the run's
 * reservation is taken, before the graph runs, and the graph's own call is answered by it —
 * one request to the provider, not two. A prompt that turns out different is sent as usual
 * and the early request is aborted; a refused reservation sends nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test';
import { type BaseMessage, HumanMessage } from '@langchain/core/messages';
import { MemorySaver } from '@langchain/langgraph';
import type { CheckpointTuple } from '@langchain/langgraph-checkpoint';
import {
  type OpenAiTestServer,
  openAiTestEnv,
  startOpenAiServer,
} from '../../../test/openai-server.ts';
import { parseEnv } from '../../env.ts';
import type { Database } from '../../lib/db/index.ts';
import { createModelRegistry, type ModelRegistry } from '../runtime/models.ts';
import { createEarlyRequest } from '../runtime/request-gate.ts';
import { createCalculatorTool } from '../tools/calculator.ts';
import { createCurrentTimeTool } from '../tools/current-time.ts';
import type { BudgetReservation } from '../usage/budget.ts';
import type { UsageService } from '../usage/usage.service.ts';
import { buildChatGraph, chatModelParts, sendFirstCallEarly } from './chat-graph.ts';
import { createGraphs } from './graphs.ts';

let server: OpenAiTestServer;
let models: ModelRegistry;

beforeAll(async () => {
  server = await startOpenAiServer();
  const env = parseEnv(openAiTestEnv(server));
  models = createModelRegistry({ env, openaiApiKey: server.apiKey });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const settled: string[] = [];
const reservation = (): Promise<BudgetReservation> =>
  Promise.resolve({ tokens: 100, settle: async () => void settled.push('settled') });
const usage = { reserve: () => reservation() };

const waitFor = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
};

/** Streams a run of `graph` in messages mode; the streamed text. */
async function run(graph: ReturnType<typeof buildChatGraph>, text: string, threadId: string) {
  const compiled = graph.compile({ checkpointer: new MemorySaver() });
  let streamed = '';
  const stream = await compiled.stream(
    { messages: [{ type: 'human', content: text }] },
    { streamMode: 'messages', configurable: { thread_id: threadId } },
  );
  for await (const [chunk] of stream)
    streamed += typeof chunk.content === 'string' ? chunk.content : '';
  return streamed;
}

describe('the chat graph with an early first call', () => {
  test('sends the first request (tools bound) before the graph runs, and the graph reads that response', async () => {
    server.script({ content: 'Early and only once.' });
    const request = createEarlyRequest();
    const messages: Promise<BaseMessage[]> = Promise.resolve([new HumanMessage('hello')]);
    const parts = chatModelParts(models, [createCalculatorTool(), createCurrentTimeTool()]);
    const held = reservation();
    sendFirstCallEarly(parts, request, held, messages);
    const graph = buildChatGraph({ parts, usage, userId: 'user-1', held, early: request });
    // Nothing has run the graph yet: the request is already at the provider.
    await waitFor(() => server.requests.length === 1);
    expect(await run(graph, 'hello', 'early-1')).toBe('Early and only once.');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.body.stream).toBe(true);
    expect(server.requests[0]?.body.tools?.map((tool) => tool.function.name)).toEqual([
      'calculator',
      'current_time',
    ]);
    expect(request.discard()).toBe(false);
  });

  test('a prompt that differs is sent as usual and the early request goes unused', async () => {
    server.script({ content: 'Early reply.' });
    server.script({ content: 'The real reply.' });
    const request = createEarlyRequest();
    const parts = chatModelParts(models, []);
    const held = reservation();
    sendFirstCallEarly(parts, request, held, Promise.resolve([new HumanMessage('something else')]));
    const graph = buildChatGraph({ parts, usage, userId: 'user-1', held, early: request });
    await waitFor(() => server.requests.length === 1);
    expect(await run(graph, 'hello', 'early-2')).toBe('The real reply.');
    expect(server.requests).toHaveLength(2);
    expect(request.discard()).toBe(true);
  });

  test('a refused reservation sends no request, early or not', async () => {
    const refused = Promise.reject(new Error('over budget'));
    refused.catch(() => {});
    const request = createEarlyRequest();
    const parts = chatModelParts(models, []);
    const held = refused;
    sendFirstCallEarly(parts, request, held, Promise.resolve([new HumanMessage('hello')]));
    const graph = buildChatGraph({ parts, usage, userId: 'user-1', held, early: request });
    await expect(run(graph, 'hello', 'early-3')).rejects.toThrow('over budget');
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requests).toHaveLength(0);
    expect(request.discard()).toBe(false);
  });

  test('no known prompt: nothing is sent early, and the graph calls the model itself', async () => {
    server.script({ content: 'Only when asked.' });
    const request = createEarlyRequest();
    const parts = chatModelParts(models, []);
    const held = reservation();
    sendFirstCallEarly(parts, request, held, Promise.resolve(null));
    const graph = buildChatGraph({ parts, usage, userId: 'user-1', held, early: request });
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requests).toHaveLength(0);
    expect(await run(graph, 'hello', 'early-4')).toBe('Only when asked.');
    expect(server.requests).toHaveLength(1);
  });

  test('the checkpoint read is not the latest once the run is written: nothing is sent early', async () => {
    const graphs = createGraphs({
      db: {} as Database,
      checkpointer: new MemorySaver(),
      models,
      usage: {} as UsageService,
      fetchAllowedHosts: [],
      fetchTimeoutMs: 1_000,
    });
    const read = { checkpoint: { id: 'older', channel_values: { messages: [] } } };
    const run = (expectedId: string) =>
      graphs.sendFirstCallEarly({
        userId: 'user-1',
        model: undefined,
        input: { messages: [{ type: 'human', content: 'hello' }] },
        tuple: Promise.resolve(read as unknown as CheckpointTuple),
        expectedId: Promise.resolve(expectedId),
        gate: reservation(),
      });
    const stale = run('newer');
    await new Promise((r) => setTimeout(r, 100));
    expect(server.requests).toHaveLength(0);
    expect(stale?.discard()).toBe(false);
    server.script({ content: 'Current.' });
    run('older');
    await waitFor(() => server.requests.length === 1);
  });
});

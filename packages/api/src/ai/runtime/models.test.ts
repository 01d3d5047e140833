import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { aiUsage } from '@backend/shared/schema';
import { type AIMessageChunk, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import {
  type OpenAiTestServer,
  openAiTestEnv,
  startOpenAiServer,
} from '../../../test/openai-server.ts';
import { createTestDeps } from '../../../test/test-deps.ts';
import type { AppDeps } from '../../deps.ts';
import { parseEnv } from '../../env.ts';
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import { createModelRegistry } from './models.ts';
import { getAiRuntime } from './runtime.ts';

const calculator = tool(async ({ expression }: { expression: string }) => `${expression} = 42`, {
  name: 'calculator',
  description: 'Evaluates an arithmetic expression.',
  schema: z.object({ expression: z.string() }),
});

describe('createModelRegistry', () => {
  test('without an OpenAI key only the local model exists, whatever AI_MODELS says', () => {
    const registry = createModelRegistry({ env: parseEnv({ AI_MODELS: 'gpt-4o-mini' }) });
    expect(registry.list()).toEqual([
      { name: 'local', provider: 'local', local: true, default: true },
    ]);
    expect(registry.resolve().name).toBe('local');
    expect(registry.resolve('local').chatModel.metadata).toMatchObject({ ai_model: 'local' });
  });

  test('with a key, AI_MODELS is the allowlist and AI_DEFAULT_MODEL the default', () => {
    const registry = createModelRegistry({
      env: parseEnv({
        AI_MODELS: 'gpt-4o-mini,fast=groq:llama-3.1-8b-instant,local',
        AI_DEFAULT_MODEL: 'fast',
        AI_PROVIDERS: '{"groq":{"baseUrl":"http://127.0.0.1:9/v1"}}',
      }),
      openaiApiKey: 'sk-test',
    });
    expect(registry.list().map((model) => [model.name, model.provider, model.default])).toEqual([
      ['fast', 'openai', true],
      ['gpt-4o-mini', 'openai', false],
      ['local', 'local', false],
    ]);
    const fast = registry.resolve();
    expect(fast).toMatchObject({ name: 'fast', provider: 'openai' });
    expect((fast.chatModel as unknown as { model: string }).model).toBe('llama-3.1-8b-instant');
    // One instance per model: resolving again is free.
    expect(registry.resolve('fast').chatModel).toBe(fast.chatModel);
  });

  test('an unknown model is a 422 naming the allowed ones', () => {
    const registry = createModelRegistry({ env: parseEnv({}) });
    try {
      registry.resolve('gpt-5');
      throw new Error('resolved');
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(422);
      expect((error as ApiError).code).toBe(ERROR_CODES.VALIDATION_FAILED);
      expect((error as ApiError).details).toEqual([
        { location: 'body', path: 'model', message: 'Must be one of: local' },
      ]);
    }
  });

  test('a model on an unknown provider is a configuration error', () => {
    expect(() =>
      createModelRegistry({ env: parseEnv({ AI_MODELS: 'x=nowhere:y' }), openaiApiKey: 'sk' }),
    ).toThrow(/nowhere/);
  });
});

describe('tool calls through the real @langchain/openai client', () => {
  let server: OpenAiTestServer;
  let deps: AppDeps;
  let userId: string;

  beforeAll(async () => {
    server = await startOpenAiServer();
    deps = await createTestDeps({ env: openAiTestEnv(server) });
    const { user } = await import('@backend/shared/schema');
    userId = 'tool-test-user';
    await deps.database.db
      .insert(user)
      .values({ id: userId, name: 'Tool Tester', email: 'tools@example.com', emailVerified: true });
  });
  afterAll(async () => {
    await deps.close();
    await server.close();
  });

  test('a scripted tool call comes back parsed, the result goes back, the answer uses it; both calls are recorded', async () => {
    const runtime = await getAiRuntime(deps);
    const { chatModel } = runtime.models.resolve('gpt-test');
    const bound = chatModel.bindTools?.([calculator]);
    if (!bound) throw new Error('bindTools missing');
    server.reset();
    server.script(
      {
        toolCalls: [{ name: 'calculator', arguments: { expression: '6 * 7' }, id: 'call_1' }],
        usage: { prompt: 30, completion: 9 },
      },
      { content: 'It is 42.', usage: { prompt: 45, completion: 4 } },
    );
    const config = runtime.runConfig({ userId, requestId: 'req-tools' });
    const question = new HumanMessage('What is 6 * 7?');
    const call = await bound.invoke([question], config);
    expect(call.tool_calls).toEqual([
      { name: 'calculator', args: { expression: '6 * 7' }, id: 'call_1', type: 'tool_call' },
    ]);
    const sentTools = server.requests[0]?.body.tools?.map((t) => t.function.name);
    expect(sentTools).toEqual(['calculator']);

    const result = (await calculator.invoke(call.tool_calls?.[0] as never)) as ToolMessage;
    expect(result).toBeInstanceOf(ToolMessage);
    const answer = await bound.invoke([question, call, result], config);
    expect(answer.content).toBe('It is 42.');
    const second = server.requests[1]?.body.messages ?? [];
    expect(second.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(second[1]?.tool_calls).toEqual([
      expect.objectContaining({
        id: 'call_1',
        function: { name: 'calculator', arguments: '{"expression":"6 * 7"}' },
      }),
    ]);
    expect(second[2]).toMatchObject({ tool_call_id: 'call_1', content: '6 * 7 = 42' });

    const records = await deps.database.db
      .select()
      .from(aiUsage)
      .where(eq(aiUsage.requestId, 'req-tools'));
    expect(
      records.map((r) => [r.model, r.provider, r.promptTokens, r.completionTokens]).sort(),
    ).toEqual([
      ['gpt-test', 'openai', 30, 9],
      ['gpt-test', 'openai', 45, 4],
    ]);
  });

  test('a streamed tool call arrives in chunks and is whole once concatenated', async () => {
    const runtime = await getAiRuntime(deps);
    const bound = runtime.models.resolve('gpt-test').chatModel.bindTools?.([calculator]);
    if (!bound) throw new Error('bindTools missing');
    server.reset();
    server.script({
      toolCalls: [{ name: 'calculator', arguments: { expression: '1 + 2' }, id: 'call_s' }],
      usage: { prompt: 12, completion: 5 },
    });
    let combined: AIMessageChunk | undefined;
    for await (const chunk of await bound.stream(
      'add 1 + 2',
      runtime.runConfig({ userId, requestId: 'req-stream-tools' }),
    )) {
      combined = combined ? combined.concat(chunk) : chunk;
    }
    expect(combined?.tool_calls).toEqual([
      { name: 'calculator', args: { expression: '1 + 2' }, id: 'call_s', type: 'tool_call' },
    ]);
    expect(combined?.usage_metadata).toMatchObject({ input_tokens: 12, output_tokens: 5 });
    const records = await deps.database.db
      .select()
      .from(aiUsage)
      .where(eq(aiUsage.requestId, 'req-stream-tools'));
    expect(records.map((r) => [r.promptTokens, r.completionTokens])).toEqual([[12, 5]]);
  });

  test('a provider that reports no usage is charged by counting', async () => {
    const runtime = await getAiRuntime(deps);
    server.reset();
    server.script({ content: 'one two three', usage: null });
    await runtime.models
      .resolve('gpt-test')
      .chatModel.invoke('count me', runtime.runConfig({ userId, requestId: 'req-no-usage' }));
    const [record] = await deps.database.db
      .select()
      .from(aiUsage)
      .where(eq(aiUsage.requestId, 'req-no-usage'));
    expect(record).toMatchObject({ completionTokens: 3, model: 'gpt-test' });
    expect(record?.promptTokens).toBeGreaterThan(0);
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { aiUsage, chats, messages } from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import { jsonRequest, signUp, type TestUser } from '../../../test/accounts.ts';
import { type OpenAiTestServer, startOpenAiServer } from '../../../test/openai-server.ts';
import { parseSse } from '../../../test/sse.ts';
import { createTestDeps } from '../../../test/test-deps.ts';
import { type App, createApp } from '../../app.ts';
import type { AppDeps } from '../../deps.ts';
import type { EnvInput } from '../../env.ts';
import { ERROR_CODES } from '../../lib/errors.ts';

interface AgentRun {
  agent: string;
  model: string;
  output: string;
  toolCalls: Array<{ id: string; name: string; args: Record<string, unknown>; result?: string }>;
  steps: number;
  filtered: boolean;
}
interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

async function setup(env: EnvInput = {}) {
  const deps = await createTestDeps({ env: { AI_LOCAL_TOKEN_DELAY_MS: '0', ...env } });
  const app = createApp(deps);
  return { deps, app, alice: await signUp(app, deps), bob: await signUp(app, deps) };
}

const runAgent = (app: App, user: TestUser, agent: string, body: Record<string, unknown>) =>
  app.request(`/api/ai/agents/${agent}/runs`, jsonRequest('POST', body, user.headers));

describe('agents with the local model', () => {
  let deps: AppDeps;
  let app: App;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    ({ deps, app, alice, bob } = await setup());
    const { db } = deps.database;
    const [bobChat] = await db
      .insert(chats)
      .values({ userId: bob.id, title: 'Bob only' })
      .returning();
    await db.insert(messages).values({
      chatId: bobChat?.id ?? '',
      userId: bob.id,
      role: 'user',
      content: 'bob secret invoice',
    });
    const [aliceChat] = await db
      .insert(chats)
      .values({ userId: alice.id, title: 'Alice' })
      .returning();
    await db.insert(messages).values({
      chatId: aliceChat?.id ?? '',
      userId: alice.id,
      role: 'user',
      content: 'alice invoice 42',
    });
  });

  afterAll(async () => {
    await deps.close();
  });

  test('GET /api/ai/agents lists the agents; the fetch tool is off by default', async () => {
    const response = await app.request('/api/ai/agents', { headers: alice.headers });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      items: Array<{ name: string; tools: string[] }>;
      maxSteps: number;
    };
    expect(body.items.map((agent) => agent.name)).toEqual(['assistant', 'calculator']);
    expect(body.items[0]?.tools).toEqual([
      'search_chats',
      'search_documents',
      'calculator',
      'current_time',
    ]);
    expect(body.maxSteps).toBe(8);
  });

  test('a run answers with its tool calls and their results, and records usage for each model call', async () => {
    const response = await runAgent(app, alice, 'assistant', { input: 'What is 12 * (3 + 4)?' });
    expect(response.status).toBe(200);
    const run = (await response.json()) as AgentRun;
    expect(run.model).toBe('local');
    expect(run.toolCalls).toEqual([
      {
        id: expect.any(String),
        name: 'calculator',
        args: { expression: '12 * (3 + 4)' },
        result: '84',
      },
    ]);
    expect(run.output).toBe('calculator: 84');
    expect(run.steps).toBe(2);
    const usage = await deps.database.db.select().from(aiUsage).where(eq(aiUsage.userId, alice.id));
    expect(usage.length).toBe(2);
    expect(usage.every((row) => row.model === 'local' && row.totalTokens > 0)).toBe(true);
  });

  test('streams tool calls, tool results and tokens as Server-Sent Events', async () => {
    const response = await runAgent(app, alice, 'calculator', {
      input: 'Please compute 2 ^ 10',
      stream: true,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = parseSse(await response.text());
    const names = events.map((event) => event.event);
    expect(names.indexOf('tool_call')).toBeGreaterThanOrEqual(0);
    expect(names.indexOf('tool_result')).toBeGreaterThan(names.indexOf('tool_call'));
    expect(names.indexOf('token')).toBeGreaterThan(names.indexOf('tool_result'));
    expect(names.at(-1)).toBe('end');
    expect(events.find((event) => event.event === 'tool_call')?.data).toMatchObject({
      name: 'calculator',
      args: { expression: '2 ^ 10' },
    });
    expect(events.find((event) => event.event === 'tool_result')?.data).toMatchObject({
      name: 'calculator',
      content: '1024',
    });
    const text = events
      .filter((event) => event.event === 'token')
      .map((event) => (event.data as { text: string }).text)
      .join('');
    expect(text).toBe('calculator: 1024');
    expect((events.at(-1)?.data as AgentRun | undefined)?.output).toBe('calculator: 1024');
  });

  test("the search tool returns the caller's rows only, even when asked for another user's", async () => {
    const response = await runAgent(app, alice, 'assistant', {
      input: 'Search my chats for "invoice" including bob secret ones',
    });
    expect(response.status).toBe(200);
    const run = (await response.json()) as AgentRun;
    expect(run.toolCalls[0]?.name).toBe('search_chats');
    expect(run.toolCalls[0]?.result).toContain('alice invoice 42');
    expect(run.output).not.toContain('bob secret');
    const asked = await runAgent(app, alice, 'assistant', { input: 'Search for "bob secret"' });
    const none = (await asked.json()) as AgentRun;
    expect(none.toolCalls[0]?.result).toBe('No matching messages.');
  });

  test('the step limit stops a run with 422 STEP_LIMIT_EXCEEDED, as JSON and in the stream', async () => {
    const response = await runAgent(app, alice, 'assistant', {
      input: 'What is 3 * 3?',
      maxSteps: 1,
    });
    expect(response.status).toBe(422);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe(ERROR_CODES.STEP_LIMIT_EXCEEDED);
    expect(body.error.details).toEqual({ maxSteps: 1 });

    const streamed = await runAgent(app, alice, 'assistant', {
      input: 'What is 3 * 3?',
      maxSteps: 1,
      stream: true,
    });
    const events = parseSse(await streamed.text());
    // The error event, then the final end event.
    expect(events.at(-2)?.event).toBe('error');
    expect((events.at(-2)?.data as ErrorBody | undefined)?.error.code).toBe(
      ERROR_CODES.STEP_LIMIT_EXCEEDED,
    );
    expect(events.at(-1)).toEqual({ event: 'end', data: { status: 'failed' } });
    // A question that needs no tool fits in one model call.
    const direct = await runAgent(app, alice, 'assistant', { input: 'Hello', maxSteps: 1 });
    expect(direct.status).toBe(200);
  });

  test('an unknown agent answers 404, an unknown model or bad body 422, no session 401', async () => {
    expect((await runAgent(app, alice, 'nobody', { input: 'hi' })).status).toBe(404);
    expect((await runAgent(app, alice, 'assistant', { input: 'hi', model: 'gpt-9' })).status).toBe(
      422,
    );
    expect((await runAgent(app, alice, 'assistant', { input: '' })).status).toBe(422);
    expect((await runAgent(app, alice, 'assistant', { input: 'hi', maxSteps: 0 })).status).toBe(
      422,
    );
    expect((await runAgent(app, alice, 'assistant', { input: 'hi', tools: [] })).status).toBe(422);
    const anonymous = await app.request(
      '/api/ai/agents/assistant/runs',
      jsonRequest('POST', { input: 'hi' }),
    );
    expect(anonymous.status).toBe(401);
  });
});

describe('agent input text rules', () => {
  test('an input with a NUL or another control character answers 422, streamed or not', async () => {
    const { deps, app, alice } = await setup();
    try {
      for (const input of ['a\u0000b', 'bell\u0007', 'esc\u001b[0m', 'c1\u0085']) {
        for (const stream of [false, true]) {
          const response = await runAgent(app, alice, 'assistant', { input, stream });
          expect(response.status).toBe(422);
          const body = (await response.json()) as ErrorBody;
          expect(body.error.code).toBe(ERROR_CODES.VALIDATION_FAILED);
          expect(body.error.details).toEqual([expect.objectContaining({ path: 'input' })]);
        }
      }
      const rows = await deps.database.db
        .select()
        .from(aiUsage)
        .where(eq(aiUsage.userId, alice.id));
      expect(rows).toEqual([]);
    } finally {
      await deps.close();
    }
  });
});

describe('agent budget', () => {
  test('over the daily token budget a run answers 429 before any model call', async () => {
    const { deps, app, alice } = await setup({ AI_DAILY_TOKEN_BUDGET: '5' });
    try {
      expect((await runAgent(app, alice, 'assistant', { input: 'Hello there' })).status).toBe(200);
      const before = await deps.database.db
        .select()
        .from(aiUsage)
        .where(eq(aiUsage.userId, alice.id));
      const response = await runAgent(app, alice, 'assistant', { input: 'Hello again' });
      expect(response.status).toBe(429);
      expect(((await response.json()) as ErrorBody).error.code).toBe(ERROR_CODES.RATE_LIMITED);
      const after = await deps.database.db
        .select()
        .from(aiUsage)
        .where(eq(aiUsage.userId, alice.id));
      expect(after.length).toBe(before.length);
    } finally {
      await deps.close();
    }
  });

  test('parallel runs against a small budget record at most the budget plus one call’s worst case; the rest answer 429', async () => {
    const { deps, app, alice } = await setup({
      AI_DAILY_TOKEN_BUDGET: '50',
      AI_MAX_OUTPUT_TOKENS: '20',
    });
    try {
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          runAgent(app, alice, 'calculator', { input: 'What is 12 * (3 + 4)?' }),
        ),
      );
      // A run is refused at whichever model call finds the budget taken: 200 or 429, no other.
      const statuses = responses.map((response) => response.status);
      expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
      expect(statuses).toContain(429);
      const rows = await deps.database.db
        .select()
        .from(aiUsage)
        .where(eq(aiUsage.userId, alice.id));
      const recorded = rows.reduce((sum, row) => sum + row.totalTokens, 0);
      // One call's worst case: the prompt (system prompt, question, tool exchange) and the output.
      const worstCall = 100 + deps.env.AI_MAX_OUTPUT_TOKENS;
      expect(recorded).toBeGreaterThan(0);
      expect(recorded).toBeLessThanOrEqual(50 + worstCall);
    } finally {
      await deps.close();
    }
  });
});

describe('agent streams and the budget', () => {
  test('in a burst of streamed runs against a small budget, the refused ones answer 429 before any event', async () => {
    const { deps, app, alice } = await setup({
      AI_DAILY_TOKEN_BUDGET: '50',
      AI_MAX_OUTPUT_TOKENS: '20',
      AI_MAX_CONCURRENT_STREAMS: '50',
    });
    try {
      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          runAgent(app, alice, 'calculator', { input: 'What is 2 + 3?', stream: true }),
        ),
      );
      const refused = responses.filter((response) => response.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      for (const response of refused) {
        expect(response.headers.get('content-type')).toContain('application/json');
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        const body = (await response.json()) as ErrorBody;
        expect(body.error.code).toBe(ERROR_CODES.RATE_LIMITED);
        expect(body.error.details).toMatchObject({ budget: 50 });
      }
      for (const response of responses.filter((r) => r.status !== 429)) {
        expect(response.status).toBe(200);
        await response.text();
      }
      const rows = await deps.database.db
        .select()
        .from(aiUsage)
        .where(eq(aiUsage.userId, alice.id));
      const recorded = rows.reduce((sum, row) => sum + row.totalTokens, 0);
      expect(recorded).toBeLessThanOrEqual(50 + 100 + deps.env.AI_MAX_OUTPUT_TOKENS);
    } finally {
      await deps.close();
    }
  });
});

describe('agents through @langchain/openai', () => {
  let server: OpenAiTestServer;
  let deps: AppDeps;
  let app: App;
  let alice: TestUser;

  beforeAll(async () => {
    server = await startOpenAiServer();
    ({ deps, app, alice } = await setup({
      OPENAI_API_KEY: server.apiKey,
      OPENAI_BASE_URL: server.url,
      AI_MODELS: 'gpt-4o-mini',
      OPENAI_MAX_RETRIES: '0',
    }));
  });

  afterAll(async () => {
    await deps.close();
    await server.close();
  });

  test('runs scripted tool calls through the real client and answers from their results', async () => {
    server.reset();
    server.script(
      { toolCalls: [{ name: 'calculator', arguments: { expression: '6 * 7' }, id: 'call_1' }] },
      { content: 'The answer is 42.' },
    );
    const response = await runAgent(app, alice, 'assistant', { input: 'What is six times seven?' });
    expect(response.status).toBe(200);
    const run = (await response.json()) as AgentRun;
    expect(run.model).toBe('gpt-4o-mini');
    expect(run.toolCalls).toEqual([
      { id: 'call_1', name: 'calculator', args: { expression: '6 * 7' }, result: '42' },
    ]);
    expect(run.output).toBe('The answer is 42.');
    expect(server.requests).toHaveLength(2);
    const offered = server.requests[0]?.body.tools?.map((tool) => tool.function.name);
    expect(offered).toEqual(['search_chats', 'search_documents', 'calculator', 'current_time']);
    const second = server.requests[1]?.body.messages ?? [];
    expect(second.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1', content: '42' });
    const usage = await deps.database.db.select().from(aiUsage).where(eq(aiUsage.userId, alice.id));
    expect(usage.map((row) => row.model)).toEqual(['gpt-4o-mini', 'gpt-4o-mini']);
  });

  test('streams the scripted tool call and the answer', async () => {
    server.reset();
    server.script(
      { toolCalls: [{ name: 'current_time', arguments: { timezone: 'UTC' }, id: 'call_t' }] },
      { content: 'It is noon.' },
    );
    const response = await runAgent(app, alice, 'assistant', { input: 'Time?', stream: true });
    const events = parseSse(await response.text());
    expect(events.find((event) => event.event === 'tool_call')?.data).toMatchObject({
      id: 'call_t',
      name: 'current_time',
    });
    expect(events.find((event) => event.event === 'tool_result')?.data).toMatchObject({
      id: 'call_t',
    });
    const text = events
      .filter((event) => event.event === 'token')
      .map((event) => (event.data as { text: string }).text)
      .join('');
    expect(text).toBe('It is noon.');
    expect(events.at(-1)?.event).toBe('end');
  });

  test('the provider failing answers 502 in the error shape', async () => {
    server.reset();
    server.script({ status: 500 });
    const response = await runAgent(app, alice, 'assistant', { input: 'Hello' });
    expect(response.status).toBe(502);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe(ERROR_CODES.BAD_GATEWAY);
    expect(JSON.stringify(body)).not.toContain(server.apiKey);
  });

  test('the provider not answering in time answers 504 in the error shape', async () => {
    const slow = await setup({
      OPENAI_API_KEY: server.apiKey,
      OPENAI_BASE_URL: server.url,
      AI_MODELS: 'gpt-4o-mini',
      OPENAI_MAX_RETRIES: '0',
      OPENAI_TIMEOUT_MS: '200',
    });
    try {
      server.reset();
      server.script({ delayMs: 2_000, content: 'Too late.' });
      const response = await runAgent(slow.app, slow.alice, 'assistant', { input: 'Hello' });
      expect(response.status).toBe(504);
      expect(((await response.json()) as ErrorBody).error.code).toBe(ERROR_CODES.TIMEOUT);
    } finally {
      await slow.deps.close();
    }
  });
});

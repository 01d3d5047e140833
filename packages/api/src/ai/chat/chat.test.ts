import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { aiUsage, chats, type MessageResponse, messages } from '@backend/shared/schema';
import { and, eq } from 'drizzle-orm';
import { jsonRequest, signUp, type TestUser } from '../../../test/accounts.ts';
import { type OpenAiTestServer, startOpenAiServer } from '../../../test/openai-server.ts';
import { parseSse, readSseUntil, type SseEvent } from '../../../test/sse.ts';
import { createTestDeps } from '../../../test/test-deps.ts';
import { type App, createApp } from '../../app.ts';
import type { AppDeps } from '../../deps.ts';
import { ERROR_CODES, type ErrorBody } from '../../lib/errors.ts';
import { WITHHELD_REPLY } from '../runtime/output-filter.ts';

interface ChatBody {
  chatId: string;
  model: string;
  provider: string;
  message: MessageResponse;
  userMessageId: string;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number; costUsd: number };
  cached: boolean;
  filtered: boolean;
}

interface Harness {
  deps: AppDeps;
  app: App;
}

async function harness(env: Record<string, string> = {}): Promise<Harness> {
  const deps = await createTestDeps({ env });
  return { deps, app: createApp(deps) };
}

const errorOf = async (response: Response) => ((await response.json()) as ErrorBody).error;

function chat(h: Harness, user: TestUser, body: Record<string, unknown>, headers = {}) {
  return h.app.request('/api/ai/chat', jsonRequest('POST', body, { ...user.headers, ...headers }));
}
function chatStream(h: Harness, user: TestUser, body: Record<string, unknown>, headers = {}) {
  return h.app.request(
    '/api/ai/chat/stream',
    jsonRequest('POST', body, { ...user.headers, ...headers }),
  );
}
async function storedMessages(h: Harness, chatId: string) {
  return h.deps.database.db
    .select()
    .from(messages)
    .where(eq(messages.chatId, chatId))
    .orderBy(messages.createdAt, messages.id);
}
async function messagesOf(h: Harness, userId: string) {
  return h.deps.database.db.select().from(messages).where(eq(messages.userId, userId));
}
async function usageOf(h: Harness, userId: string) {
  return h.deps.database.db.select().from(aiUsage).where(eq(aiUsage.userId, userId));
}
const tokensOf = (events: SseEvent[]) =>
  events.filter((e) => e.event === 'token').map((e) => (e.data as { text: string }).text);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000) {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('with the local model (no provider configured)', () => {
  let h: Harness;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    h = await harness({
      AI_OUTPUT_BLOCKLIST: 'forbiddenword,secret plan',
      AI_MESSAGE_MAX_CHARS: '200',
    });
    alice = await signUp(h.app, h.deps);
    bob = await signUp(h.app, h.deps);
  });
  afterAll(() => h.deps.close());

  test('POST /api/ai/chat, /chat/stream and GET /api/ai/usage answer 401 without credentials', async () => {
    const origin = new URL(h.deps.env.PUBLIC_URL).origin;
    for (const path of ['/api/ai/chat', '/api/ai/chat/stream']) {
      const response = await h.app.request(
        path,
        jsonRequest('POST', { message: 'hi' }, { origin }),
      );
      expect(response.status).toBe(401);
      expect((await errorOf(response)).code).toBe(ERROR_CODES.UNAUTHORIZED);
    }
    const usage = await h.app.request('/api/ai/usage');
    expect(usage.status).toBe(401);
  });

  test('GET /api/ai/models lists only the local model, named local', async () => {
    const response = await h.app.request('/api/ai/models', { headers: alice.headers });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      items: [{ name: 'local', provider: 'local', local: true, default: true }],
    });
  });

  test('POST /api/ai/chat stores both messages in a new chat and answers usage naming local', async () => {
    const response = await chat(h, alice, { message: 'Hello, model' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as ChatBody;
    expect(body.model).toBe('local');
    expect(body.provider).toBe('local');
    expect(body.message.content).toContain('You said: "Hello, model"');
    expect(body.message.content).toContain('Local model');
    expect(body.message).toMatchObject({ role: 'assistant', status: 'complete', model: 'local' });
    expect(body.usage.promptTokens).toBeGreaterThan(0);
    expect(body.usage.completionTokens).toBeGreaterThan(0);
    expect(body.usage.totalTokens).toBe(body.usage.promptTokens + body.usage.completionTokens);
    expect(body.cached).toBe(false);

    const stored = await storedMessages(h, body.chatId);
    expect(stored.map((m) => [m.role, m.model, m.status])).toEqual([
      ['user', null, 'complete'],
      ['assistant', 'local', 'complete'],
    ]);
    expect(stored[0]?.content).toBe('Hello, model');
    expect(stored[1]?.id).toBe(body.message.id);
    expect(stored[0]?.id).toBe(body.userMessageId);
    const [chatRow] = await h.deps.database.db
      .select()
      .from(chats)
      .where(eq(chats.id, body.chatId));
    expect(chatRow?.title).toBe('Hello, model');
    expect(chatRow?.userId).toBe(alice.id);

    // The chats API shows the same conversation.
    const listed = await h.app.request(`/api/chats/${body.chatId}/messages`, {
      headers: alice.headers,
    });
    const page = (await listed.json()) as { items: MessageResponse[] };
    expect(page.items.map((m) => m.role)).toEqual(['user', 'assistant']);

    const records = await usageOf(h, alice.id);
    const record = records.find((r) => r.totalTokens === body.usage.totalTokens);
    expect(record).toMatchObject({ model: 'local', provider: 'local', costUsd: 0 });
  });

  test('a second message in the chat gives the model the earlier messages', async () => {
    const first = (await (await chat(h, alice, { message: 'first' })).json()) as ChatBody;
    const second = await chat(h, alice, { message: 'second', chatId: first.chatId });
    expect(second.status).toBe(200);
    const body = (await second.json()) as ChatBody;
    expect(body.chatId).toBe(first.chatId);
    expect(body.message.content).toContain('I was given 2 earlier messages.');
    expect((await storedMessages(h, first.chatId)).map((m) => m.content)).toEqual([
      'first',
      first.message.content,
      'second',
      body.message.content,
    ]);
  });

  test("POST /api/ai/chat answers 404 for another user's chat and stores nothing", async () => {
    const alices = (await (await chat(h, alice, { message: 'mine' })).json()) as ChatBody;
    const before = (await messagesOf(h, bob.id)).length;
    for (const send of [chat, chatStream]) {
      const response = await send(h, bob, { message: 'let me in', chatId: alices.chatId });
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe(ERROR_CODES.NOT_FOUND);
    }
    expect((await messagesOf(h, bob.id)).length).toBe(before);
    expect((await storedMessages(h, alices.chatId)).length).toBe(2);
  });

  test('an unknown model answers 422 naming the field', async () => {
    const response = await chat(h, alice, { message: 'hi', model: 'gpt-9-ultra' });
    expect(response.status).toBe(422);
    const error = await errorOf(response);
    expect(error.code).toBe(ERROR_CODES.VALIDATION_FAILED);
    expect(error.details).toEqual([expect.objectContaining({ location: 'body', path: 'model' })]);
  });

  test('a message over AI_MESSAGE_MAX_CHARS or with control characters answers 422', async () => {
    const before = (await messagesOf(h, alice.id)).length;
    const tooLong = await chat(h, alice, { message: 'x'.repeat(201) });
    expect(tooLong.status).toBe(422);
    expect((await errorOf(tooLong)).details).toEqual([
      expect.objectContaining({ path: 'message', message: 'Must be at most 200 characters' }),
    ]);
    const justRight = await chat(h, alice, { message: 'x'.repeat(200) });
    expect(justRight.status).toBe(200);
    for (const message of ['bell\u0007', 'nul\u0000', '   ']) {
      const response = await chatStream(h, alice, { message });
      expect(response.status).toBe(422);
      expect((await errorOf(response)).details).toEqual([
        expect.objectContaining({ location: 'body', path: 'message' }),
      ]);
    }
    expect((await messagesOf(h, alice.id)).length).toBe(before + 2);
  });

  test('POST /api/ai/chat/stream sends token events, then an end event with the stored message id', async () => {
    const response = await chatStream(
      h,
      alice,
      { message: 'stream please' },
      { 'accept-encoding': 'br, gzip' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toStartWith('text/event-stream');
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('no-store');
    const events = parseSse(await response.text());
    expect(events[0]?.event).toBe('start');
    expect(events.at(-1)?.event).toBe('end');
    const tokens = tokensOf(events);
    expect(tokens.length).toBeGreaterThan(3);
    const end = events.at(-1)?.data as {
      chatId: string;
      messageId: string;
      status: string;
      model: string;
      usage: { completionTokens: number; totalTokens: number };
    };
    expect(end).toMatchObject({ status: 'complete', model: 'local' });
    expect(end.usage.completionTokens).toBe(tokens.length);
    const stored = await storedMessages(h, end.chatId);
    expect(stored.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(stored[1]?.id).toBe(end.messageId);
    expect(stored[1]?.content).toBe(tokens.join(''));
  });

  test('the output filter withholds a reply with a listed word, answered or streamed', async () => {
    const response = await chat(h, alice, { message: 'say ForbiddenWord now' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as ChatBody;
    expect(body.filtered).toBe(true);
    expect(body.message.content).toBe(WITHHELD_REPLY);
    const stored = await storedMessages(h, body.chatId);
    expect(stored[1]?.content).toBe(WITHHELD_REPLY);
    expect(JSON.stringify(stored)).not.toMatch(/forbiddenword"\.|said: "say/i);

    const streamed = parseSse(
      await (await chatStream(h, alice, { message: 'the secret plan is here' })).text(),
    );
    const tokens = tokensOf(streamed).join('');
    expect(tokens.toLowerCase()).not.toContain('secret plan');
    expect(streamed.map((e) => e.event)).toContain('withheld');
    const end = streamed.at(-1)?.data as { filtered: boolean; chatId: string };
    expect(end.filtered).toBe(true);
    expect((await storedMessages(h, end.chatId))[1]?.content).toBe(WITHHELD_REPLY);
  });

  test('a word containing a listed word is not withheld', async () => {
    const body = (await (
      await chat(h, alice, { message: 'forbiddenwords are fine' })
    ).json()) as ChatBody;
    expect(body.filtered).toBe(false);
  });

  test('GET /api/ai/usage sums the caller’s usage by day and model; scope=all is for admins', async () => {
    const response = await h.app.request('/api/ai/usage', { headers: alice.headers });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      rows: Array<{
        day: string;
        model: string;
        userId?: string;
        calls: number;
        totalTokens: number;
      }>;
      totals: { calls: number; totalTokens: number };
      budget: { dailyTokens: number; usedToday: number; resetAt: string };
    };
    const today = new Date().toISOString().slice(0, 10);
    const records = await usageOf(h, alice.id);
    expect(body.rows).toEqual([
      expect.objectContaining({ day: today, model: 'local', calls: records.length }),
    ]);
    expect(body.rows[0]?.userId).toBeUndefined();
    const sum = records.reduce((total, r) => total + r.totalTokens, 0);
    expect(body.totals.totalTokens).toBe(sum);
    expect(body.budget.usedToday).toBe(sum);
    expect(body.budget.dailyTokens).toBe(h.deps.env.AI_DAILY_TOKEN_BUDGET);
    expect(Date.parse(body.budget.resetAt)).toBe(Date.parse(`${today}T00:00:00Z`) + 86_400_000);

    const forbidden = await h.app.request('/api/ai/usage?scope=all', { headers: alice.headers });
    expect(forbidden.status).toBe(403);
  });
});

describe('budgets and limits', () => {
  test('over the daily token budget: 429 with the budget and reset time, nothing stored', async () => {
    const h = await harness({ AI_DAILY_TOKEN_BUDGET: '20' });
    try {
      const user = await signUp(h.app, h.deps);
      const first = await chat(h, user, { message: 'spend my budget please' });
      expect(first.status).toBe(200);
      const before = (await messagesOf(h, user.id)).length;
      for (const send of [chat, chatStream]) {
        const response = await send(h, user, { message: 'one more' });
        expect(response.status).toBe(429);
        const retryAfter = Number(response.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(86_400);
        const error = await errorOf(response);
        expect(error.code).toBe(ERROR_CODES.RATE_LIMITED);
        const details = error.details as { budget: number; used: number; resetAt: string };
        expect(details.budget).toBe(20);
        expect(details.used).toBeGreaterThanOrEqual(20);
        const reset = new Date(details.resetAt);
        expect(reset.getUTCHours()).toBe(0);
        expect(reset.getTime()).toBeGreaterThan(Date.now());
        expect(reset.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);
      }
      // Over budget and in their own chat: still 429 (the history is read alongside).
      const own = (await first.json()) as ChatBody;
      const inChat = await chat(h, user, { message: 'again', chatId: own.chatId });
      expect(inChat.status).toBe(429);
      // Someone else's chat answers 404 first, budget or not.
      const other = await signUp(h.app, h.deps);
      const theirs = (await (await chat(h, other, { message: 'mine' })).json()) as ChatBody;
      for (const send of [chat, chatStream]) {
        const response = await send(h, user, { message: 'peek', chatId: theirs.chatId });
        expect(response.status).toBe(404);
      }
      expect((await messagesOf(h, user.id)).length).toBe(before);
    } finally {
      await h.deps.close();
    }
  });

  test('20 parallel chats against a budget of 100 record at most the budget plus one call’s worst case; the rest answer 429', async () => {
    const h = await harness({ AI_DAILY_TOKEN_BUDGET: '100', AI_MAX_OUTPUT_TOKENS: '40' });
    try {
      const user = await signUp(h.app, h.deps);
      const message = 'please spend my whole budget with a long answer of many words';
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? chat : chatStream)(h, user, { message }),
        ),
      );
      await Promise.all(responses.map((response) => response.text()));
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(1);
      expect(statuses.filter((status) => status !== 200).every((status) => status === 429)).toBe(
        true,
      );
      const limited = responses.find((response) => response.status === 429);
      expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
      const recorded = (await usageOf(h, user.id)).reduce((sum, row) => sum + row.totalTokens, 0);
      // One call's worst case: its prompt (system prompt and message) and the most output.
      const worstCase = 40 + h.deps.env.AI_MAX_OUTPUT_TOKENS;
      expect(recorded).toBeGreaterThan(0);
      expect(recorded).toBeLessThanOrEqual(100 + worstCase);
      // Every reservation was settled: the budget counts only what was recorded.
      const { getAiRuntime } = await import('../runtime/runtime.ts');
      const status = await (await getAiRuntime(h.deps)).usage.budgetStatus(user.id);
      expect(status.used).toBe(recorded);
    } finally {
      await h.deps.close();
    }
  });

  test('a user holds at most AI_MAX_CONCURRENT_STREAMS open streams across AI routes; a finished or abandoned one frees its slot', async () => {
    const h = await harness({ AI_LOCAL_TOKEN_DELAY_MS: '40' });
    try {
      const user = await signUp(h.app, h.deps);
      expect(h.deps.env.AI_MAX_CONCURRENT_STREAMS).toBe(4);
      const long = { message: 'a long answer please, with very many words in it, for this test' };
      // Each resolves once the model has produced its first token: four streams are open.
      const open = await Promise.all(Array.from({ length: 4 }, () => chatStream(h, user, long)));
      expect(open.map((response) => response.status)).toEqual([200, 200, 200, 200]);
      const fifth = await chatStream(h, user, long);
      expect(fifth.status).toBe(429);
      expect((await errorOf(fifth)).code).toBe(ERROR_CODES.TOO_MANY_STREAMS);
      // Every streaming AI route counts against the same slots.
      const agent = await h.app.request(
        '/api/ai/agents/assistant/runs',
        jsonRequest('POST', { input: 'hello', stream: true }, user.headers),
      );
      expect(agent.status).toBe(429);
      expect((await errorOf(agent)).code).toBe(ERROR_CODES.TOO_MANY_STREAMS);
      const started = await h.app.request(
        '/api/ai/graphs',
        jsonRequest('POST', { graph: 'approval', input: { topic: 'Slots' } }, user.headers),
      );
      const { graphId } = (await started.json()) as { graphId: string };
      const graph = await h.app.request(
        `/api/ai/graphs/${graphId}/stream`,
        jsonRequest('POST', {}, user.headers),
      );
      expect(graph.status).toBe(429);
      // Someone else is not limited by this user's streams.
      const other = await signUp(h.app, h.deps);
      const theirs = await chatStream(h, other, { message: 'hi' });
      expect(theirs.status).toBe(200);
      await theirs.text();
      // A client that disconnects frees its slot.
      await open[0]?.body?.cancel();
      await until(async () => {
        const response = await chatStream(h, user, { message: 'short' });
        if (response.status === 429) return false;
        expect(response.status).toBe(200);
        open[0] = response;
        return true;
      });
      // A stream that ends frees its slot.
      await open[1]?.text();
      const afterEnd = await chatStream(h, user, { message: 'again' });
      expect(afterEnd.status).toBe(200);
      await Promise.all([afterEnd, ...open.slice(0, 1), ...open.slice(2)].map((r) => r?.text()));
      const agentStream = await h.app.request(
        '/api/ai/agents/assistant/runs',
        jsonRequest('POST', { input: 'hello', stream: true }, user.headers),
      );
      expect(agentStream.status).toBe(200);
      await agentStream.text();
    } finally {
      await h.deps.close();
    }
  });

  test('a stream outlives REQUEST_TIMEOUT_MS: AI routes have their own timeout', async () => {
    const h = await harness({ AI_LOCAL_TOKEN_DELAY_MS: '40' });
    try {
      const user = await signUp(h.app, h.deps);
      // Same deps, a short default timeout (signing up under it would be flaky: hashing).
      const short = { ...h.deps, env: { ...h.deps.env, REQUEST_TIMEOUT_MS: 150 } };
      const started = Date.now();
      const response = await chatStream({ deps: short, app: createApp(short) }, user, {
        message: 'a slow answer',
      });
      expect(response.status).toBe(200);
      const events = parseSse(await response.text());
      expect(Date.now() - started).toBeGreaterThan(150);
      expect(events.at(-1)?.event).toBe('end');
      expect(events.at(-1)?.data).toMatchObject({ status: 'complete' });
    } finally {
      await h.deps.close();
    }
  });

  test('a Lambda invocation about to run out ends the stream cleanly; the partial reply is stored once, incomplete', async () => {
    const h = await harness({ AI_LOCAL_TOKEN_DELAY_MS: '40' });
    try {
      const user = await signUp(h.app, h.deps);
      // 3 s is the request-timeout margin: 400 ms are left for the work.
      const lambda = { context: { getRemainingTimeInMillis: () => 3_400 } };
      const started = Date.now();
      const response = await h.app.request(
        '/api/ai/chat/stream',
        jsonRequest(
          'POST',
          { message: 'please write a long answer with many many words in it for this test' },
          user.headers,
        ),
        lambda,
      );
      expect(response.status).toBe(200);
      const events = parseSse(await response.text());
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(tokensOf(events).length).toBeGreaterThan(0);
      const names = events.map((e) => e.event);
      expect(names.at(-1)).toBe('end');
      expect(names.at(-2)).toBe('error');
      expect((events.at(-2)?.data as ErrorBody | undefined)?.error.code).toBe(ERROR_CODES.TIMEOUT);
      const end = events.at(-1)?.data as { chatId: string; status: string };
      expect(end.status).toBe('incomplete');
      const stored = await storedMessages(h, end.chatId);
      expect(stored.length).toBe(2);
      expect(stored[1]?.status).toBe('incomplete');
      expect(stored[1]?.content).toBe(tokensOf(events).join(''));
    } finally {
      await h.deps.close();
    }
  });

  test('a client that disconnects mid-stream stops the local model; the partial reply is stored once, incomplete', async () => {
    const h = await harness({ AI_LOCAL_TOKEN_DELAY_MS: '30' });
    try {
      const user = await signUp(h.app, h.deps);
      const response = await chatStream(h, user, {
        message: 'please write a long answer with many many words in it for this test',
      });
      const events = await readSseUntil(response, (seen) => tokensOf(seen).length >= 3);
      const start = events[0]?.data as { chatId: string };
      await until(async () => (await storedMessages(h, start.chatId)).length === 2);
      await sleep(300);
      const stored = await storedMessages(h, start.chatId);
      expect(stored.length).toBe(2);
      expect(stored[1]?.status).toBe('incomplete');
      const full = 'Local model (no provider configured). You said:';
      expect(stored[1]?.content.length).toBeLessThan(full.length + 60);
      expect(stored[1]?.content.startsWith(tokensOf(events).join(''))).toBe(true);
      // What was generated is charged: the prompt and the tokens streamed.
      const [record, ...others] = await usageOf(h, user.id);
      expect(others).toEqual([]);
      expect(record?.completionTokens).toBe(stored[1]?.content.match(/\s*\S+/g)?.length);
    } finally {
      await h.deps.close();
    }
  });
});

describe('with an OpenAI-compatible provider (the real @langchain/openai client)', () => {
  let server: OpenAiTestServer;
  let h: Harness;
  let user: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    server = await startOpenAiServer();
    h = await harness({
      OPENAI_API_KEY: server.apiKey,
      OPENAI_BASE_URL: server.url,
      AI_MODELS: 'gpt-test,local',
      AI_PRICES: '{"gpt-test":{"input":1,"output":2}}',
      OPENAI_TIMEOUT_MS: '400',
      OPENAI_MAX_RETRIES: '0',
      AI_HISTORY_TOKENS: '12',
      AI_MODERATION: 'true',
    });
    user = await signUp(h.app, h.deps);
    admin = await signUp(h.app, h.deps);
    const { promoteToAdmin } = await import('../../../test/accounts.ts');
    await promoteToAdmin(h.deps, admin.id);
  });
  afterAll(async () => {
    await h.deps.close();
    await server.close();
  });
  const completions = () => server.requests.filter((r) => r.path === '/v1/chat/completions');

  test('GET /api/ai/models lists the allowlist, the default first', async () => {
    const response = await h.app.request('/api/ai/models', { headers: user.headers });
    expect(((await response.json()) as { items: unknown[] }).items).toEqual([
      { name: 'gpt-test', provider: 'openai', local: false, default: true },
      { name: 'local', provider: 'local', local: true, default: false },
    ]);
  });

  test('over budget, nothing reaches the provider: 429, retries included', async () => {
    const tight = await harness({
      OPENAI_API_KEY: server.apiKey,
      OPENAI_BASE_URL: server.url,
      AI_MODELS: 'gpt-test',
      OPENAI_MAX_RETRIES: '2',
      AI_DAILY_TOKEN_BUDGET: '20',
    });
    try {
      const spender = await signUp(tight.app, tight.deps);
      server.reset();
      server.script({ content: 'spent', usage: { prompt: 15, completion: 10 } });
      expect((await chat(tight, spender, { message: 'spend it' })).status).toBe(200);
      expect(completions()).toHaveLength(1);
      for (const send of [chat, chatStream]) {
        const response = await send(tight, spender, { message: 'one more' });
        expect(response.status).toBe(429);
        expect((await errorOf(response)).code).toBe(ERROR_CODES.RATE_LIMITED);
      }
      // The provider's requests were built while the budget was read, and never sent.
      expect(completions()).toHaveLength(1);
    } finally {
      await tight.deps.close();
    }
  });

  test('a budget check that fails (the database, say) answers as that failure, never a 502', async () => {
    const { getAiRuntime } = await import('../runtime/runtime.ts');
    const { createChatService } = await import('./chat.service.ts');
    const { createReplyCache } = await import('./reply-cache.ts');
    const { createChatsService } = await import('../../routes/chats/chats.service.ts');
    const runtime = await getAiRuntime(h.deps);
    const down = new Error('database down');
    const { env } = h.deps;
    const chats = createChatService({
      chats: createChatsService({
        db: h.deps.database.db,
        appCache: h.deps.appCache,
        listTtlSeconds: env.APP_CACHE_TTL_SECONDS,
      }),
      replyCache: createReplyCache({
        cache: h.deps.cache,
        ttlSeconds: env.AI_CACHE_TTL_SECONDS,
        logger: h.deps.logger,
      }),
      limits: {
        messageMaxChars: env.AI_MESSAGE_MAX_CHARS,
        historyTokens: env.AI_HISTORY_TOKENS,
        requestTimeoutMs: env.AI_REQUEST_TIMEOUT_MS,
      },
      models: runtime.models,
      usage: { ...runtime.usage, reserve: () => Promise.reject(down) },
      outputFilter: runtime.outputFilter,
      runConfig: runtime.runConfig,
    });
    server.reset();
    for (const model of ['gpt-test', 'local']) {
      const input = { userId: user.id, requestId: 'r', message: 'hi', model, cache: false };
      await expect(chats.reply(input)).rejects.toBe(down);
      await expect(chats.stream(input)).rejects.toBe(down);
    }
    expect(completions()).toHaveLength(0);
  });

  test('the reply, its usage and cost come from the provider; usage is recorded', async () => {
    server.reset();
    server.script({ content: 'Paris is the capital.', usage: { prompt: 11, completion: 5 } });
    const response = await chat(h, user, { message: 'Capital of France?' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as ChatBody;
    expect(body).toMatchObject({
      model: 'gpt-test',
      provider: 'openai',
      usage: { promptTokens: 11, completionTokens: 5, totalTokens: 16, costUsd: 0.000021 },
    });
    expect(body.message.content).toBe('Paris is the capital.');
    const [sent] = completions();
    expect(sent?.body.model).toBe('gpt-test');
    expect(sent?.headers.authorization).toBe(`Bearer ${server.apiKey}`);
    const records = await h.deps.database.db
      .select()
      .from(aiUsage)
      .where(and(eq(aiUsage.userId, user.id), eq(aiUsage.model, 'gpt-test')));
    expect(records.at(-1)).toMatchObject({
      provider: 'openai',
      promptTokens: 11,
      completionTokens: 5,
      totalTokens: 16,
      costUsd: 0.000021,
    });
  });

  test('earlier messages reach the model, trimmed to the token window, oldest dropped first', async () => {
    server.reset();
    server.script({ content: 'one' }, { content: 'two' }, { content: 'three' });
    const first = (await (
      await chat(h, user, { message: 'alpha alpha alpha alpha' })
    ).json()) as ChatBody;
    await chat(h, user, { message: 'bravo bravo bravo bravo', chatId: first.chatId });
    const third = await chat(h, user, { message: 'charlie', chatId: first.chatId });
    expect(third.status).toBe(200);
    const sent = completions().map((r) => r.body.messages?.map((m) => [m.role, m.content]));
    expect(sent[1]).toEqual([
      ['system', expect.any(String)],
      ['user', 'alpha alpha alpha alpha'],
      ['assistant', 'one'],
      ['user', 'bravo bravo bravo bravo'],
    ]);
    // A window of 12 tokens holds the last exchange only: the first is dropped.
    expect(sent[2]).toEqual([
      ['system', expect.any(String)],
      ['user', 'bravo bravo bravo bravo'],
      ['assistant', 'two'],
      ['user', 'charlie'],
    ]);
  });

  test('a provider error answers 502 in the error shape and stores nothing', async () => {
    const before = (await messagesOf(h, user.id)).length;
    const chatsBefore = (
      await h.deps.database.db.select().from(chats).where(eq(chats.userId, user.id))
    ).length;
    const usageBefore = (await usageOf(h, user.id)).length;
    for (const send of [chat, chatStream]) {
      server.script({ status: 500 });
      const response = await send(h, user, { message: 'fail please' });
      expect(response.status).toBe(502);
      const error = await errorOf(response);
      expect(error.code).toBe(ERROR_CODES.BAD_GATEWAY);
      expect(error.message).not.toContain('scripted');
    }
    expect((await messagesOf(h, user.id)).length).toBe(before);
    expect(
      (await h.deps.database.db.select().from(chats).where(eq(chats.userId, user.id))).length,
    ).toBe(chatsBefore);
    expect((await usageOf(h, user.id)).length).toBe(usageBefore);
  });

  test('a provider that does not answer in time: 504 in the error shape, nothing stored', async () => {
    const before = (await messagesOf(h, user.id)).length;
    for (const send of [chat, chatStream]) {
      server.script({ delayMs: 1_000, content: 'too late' });
      const response = await send(h, user, { message: 'slow please' });
      expect(response.status).toBe(504);
      expect((await errorOf(response)).code).toBe(ERROR_CODES.TIMEOUT);
    }
    expect((await messagesOf(h, user.id)).length).toBe(before);
  });

  test('streaming through the provider: one token event per chunk and the provider’s usage', async () => {
    server.reset();
    server.script({ chunks: ['Hel', 'lo ', 'there'], usage: { prompt: 7, completion: 3 } });
    const events = parseSse(await (await chatStream(h, user, { message: 'greet me' })).text());
    expect(tokensOf(events)).toEqual(['Hel', 'lo ', 'there']);
    const end = events.at(-1)?.data as {
      chatId: string;
      usage: { promptTokens: number; completionTokens: number };
    };
    expect(end.usage).toMatchObject({ promptTokens: 7, completionTokens: 3 });
    expect(completions()[0]?.body.stream).toBe(true);
    expect((await storedMessages(h, end.chatId))[1]?.content).toBe('Hello there');
  });

  test('a client that disconnects stops the provider stream; the partial reply is stored once, incomplete', async () => {
    server.reset();
    const chunks = Array.from({ length: 40 }, (_, i) => `w${i} `);
    server.script({ chunks, tokenDelayMs: 25 });
    const abortedBefore = server.abortedStreams;
    const response = await chatStream(h, user, { message: 'talk for long' });
    const events = await readSseUntil(response, (seen) => tokensOf(seen).length >= 3);
    const { chatId } = (events[0]?.data ?? {}) as { chatId: string };
    await until(() => server.abortedStreams > abortedBefore);
    await until(async () => (await storedMessages(h, chatId)).length === 2);
    await sleep(200);
    const stored = await storedMessages(h, chatId);
    expect(stored.length).toBe(2);
    expect(stored[1]).toMatchObject({ status: 'incomplete', model: 'gpt-test' });
    expect(stored[1]?.content.startsWith(tokensOf(events).join(''))).toBe(true);
    expect(stored[1]?.content.length).toBeLessThan(chunks.join('').length);
    const sentAfter = server.chunksSent;
    await sleep(150);
    expect(server.chunksSent).toBe(sentAfter);
  });

  test('an opted-in identical request is answered from cache without calling the model', async () => {
    server.reset();
    server.script({ content: 'cached answer', usage: { prompt: 4, completion: 2 } });
    const first = (await (
      await chat(h, user, { message: 'cache me', cache: true })
    ).json()) as ChatBody;
    const second = (await (
      await chat(h, user, { message: 'cache me', cache: true })
    ).json()) as ChatBody;
    expect(completions().length).toBe(1);
    expect(first.cached).toBe(false);
    expect(second).toMatchObject({ cached: true, usage: { totalTokens: 0 } });
    expect(second.message.content).toBe('cached answer');
    expect(second.chatId).not.toBe(first.chatId);
    const streamed = parseSse(
      await (await chatStream(h, user, { message: 'cache me', cache: true })).text(),
    );
    expect(tokensOf(streamed).join('')).toBe('cached answer');
    expect(completions().length).toBe(1);
    // Without opting in, the model is asked.
    server.script({ content: 'fresh answer' });
    const fresh = (await (await chat(h, user, { message: 'cache me' })).json()) as ChatBody;
    expect(fresh.message.content).toBe('fresh answer');
    expect(completions().length).toBe(2);
  });

  test('a cached reply is never served to another user who sends the same message', async () => {
    const other = await signUp(h.app, h.deps);
    server.reset();
    server.script({ content: 'for the first user only' });
    const first = await chat(h, user, { message: 'same words, two users', cache: true });
    expect(first.status).toBe(200);
    server.script({ content: 'for the second user' });
    const second = await chat(h, other, { message: 'same words, two users', cache: true });
    expect(second.status).toBe(200);
    expect((await second.json()) as ChatBody).toMatchObject({
      cached: false,
      message: { content: 'for the second user' },
    });
    const streamed = parseSse(
      await (await chatStream(h, other, { message: 'same words, two users', cache: true })).text(),
    );
    expect(tokensOf(streamed).join('')).toBe('for the second user');
    expect(completions().length).toBe(2);
  });

  test('moderation, when configured, withholds a flagged reply', async () => {
    server.reset();
    server.flagWords = ['menace'];
    server.script({ content: 'You are a menace.' });
    const body = (await (await chat(h, user, { message: 'insult me' })).json()) as ChatBody;
    expect(body.filtered).toBe(true);
    expect(body.message.content).toBe(WITHHELD_REPLY);
    const moderated = server.requests.filter((r) => r.path === '/v1/moderations');
    expect(moderated.at(-1)?.body.input).toBe('You are a menace.');
    server.flagWords = [];
  });

  test('the local model may be named per request from the allowlist', async () => {
    const body = (await (
      await chat(h, user, { message: 'hi local', model: 'local' })
    ).json()) as ChatBody;
    expect(body).toMatchObject({ model: 'local', provider: 'local' });
  });

  test('GET /api/ai/usage?scope=all shows an admin everyone’s usage by user', async () => {
    const response = await h.app.request('/api/ai/usage?scope=all', { headers: admin.headers });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { rows: Array<{ userId: string; model: string }> };
    expect(body.rows.some((row) => row.userId === user.id && row.model === 'gpt-test')).toBe(true);
    expect(body.rows.some((row) => row.userId === user.id && row.model === 'local')).toBe(true);
    const own = await h.app.request('/api/ai/usage', { headers: admin.headers });
    expect(((await own.json()) as { rows: unknown[] }).rows).toEqual([]);
  });
});

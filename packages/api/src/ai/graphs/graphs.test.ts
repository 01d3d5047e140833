import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import {
  aiCheckpoints,
  aiCheckpointWrites,
  aiGraphs,
  aiUsage,
  chats,
  messages,
} from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import { jsonRequest, signUp, type TestUser } from '../../../test/accounts.ts';
import { type OpenAiTestServer, startOpenAiServer } from '../../../test/openai-server.ts';
import { parseSse } from '../../../test/sse.ts';
import { createTestDatabase, createTestDeps } from '../../../test/test-deps.ts';
import { type App, createApp } from '../../app.ts';
import type { AppDeps } from '../../deps.ts';
import { ERROR_CODES } from '../../lib/errors.ts';

type Database = Awaited<ReturnType<typeof createTestDatabase>>;

interface GraphState {
  graphId: string;
  graph: string;
  status: 'ready' | 'interrupted' | 'done';
  values: Record<string, unknown>;
  next: string[];
  interrupts: Array<{ id: string; value: { kind: string; draft: string; actions: string[] } }>;
}

/** One auth secret for every app here: a session from one is valid on the other. */
const BETTER_AUTH_SECRET = randomBytes(32).toString('hex');

/** An app on `database`; closing its deps leaves the database open (another app uses it). */
async function appOn(database: Database): Promise<{ app: App; deps: AppDeps }> {
  const deps = await createTestDeps({ database, env: { BETTER_AUTH_SECRET } });
  return { app: createApp(deps), deps };
}

let database: Database;
let app: App;
let deps: AppDeps;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ app, deps } = await appOn(database));
  alice = await signUp(app, deps);
  bob = await signUp(app, deps);
});

afterAll(async () => {
  await deps.close();
  await database.close();
});

const get = (path: string, user: TestUser, on: App = app) =>
  on.request(path, { headers: user.headers });
const post = (path: string, body: unknown, user: TestUser, on: App = app) =>
  on.request(path, jsonRequest('POST', body, user.headers));

async function start(
  graph: string,
  input: unknown,
  user = alice,
  on: App = app,
): Promise<GraphState> {
  const response = await post('/api/ai/graphs', { graph, input }, user, on);
  expect(response.status).toBe(201);
  return (await response.json()) as GraphState;
}

async function runStream(graphId: string, user = alice, on: App = app) {
  const response = await post(`/api/ai/graphs/${graphId}/stream`, {}, user, on);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  return parseSse(await response.text());
}

async function stateOf(graphId: string, user = alice, on: App = app): Promise<GraphState> {
  const response = await get(`/api/ai/graphs/${graphId}/state`, user, on);
  expect(response.status).toBe(200);
  return (await response.json()) as GraphState;
}

describe('GET /api/ai/graphs', () => {
  test('lists the approval and plan-execute workflows with their input schemas', async () => {
    const response = await get('/api/ai/graphs', alice);
    expect(response.status).toBe(200);
    const { items } = (await response.json()) as {
      items: Array<{ name: string; description: string; inputSchema: { properties?: object } }>;
    };
    expect(items.map((item) => item.name)).toEqual(['approval', 'plan-execute']);
    expect(Object.keys(items[0]?.inputSchema.properties ?? {})).toContain('topic');
    expect(Object.keys(items[1]?.inputSchema.properties ?? {})).toContain('goal');
  });

  test('needs a session', async () => {
    const response = await app.request('/api/ai/graphs');
    expect(response.status).toBe(401);
  });
});

describe('the approval workflow', () => {
  test('waits for approval with the draft visible in /state, then stores it once approved', async () => {
    const started = await start('approval', { topic: 'A welcome note', chatTitle: 'Welcome' });
    expect(started.status).toBe('ready');
    expect(started.next).toEqual(['write_draft']);

    const events = await runStream(started.graphId);
    const names = events.map((event) => event.event);
    expect(names).toContain('updates');
    expect(names).toContain('values');
    expect(names).toContain('messages');
    expect(names.at(-1)).toBe('end');
    const tokens = events
      .filter((event) => event.event === 'messages')
      .map((event) => (event.data as { node: string; text: string }).text)
      .join('');
    expect(tokens).toContain('A welcome note');

    const waiting = await stateOf(started.graphId);
    expect(waiting.status).toBe('interrupted');
    expect(waiting.next).toEqual(['review']);
    expect(waiting.interrupts).toHaveLength(1);
    expect(waiting.interrupts[0]?.value.kind).toBe('approval');
    expect(waiting.interrupts[0]?.value.draft).toContain('A welcome note');
    // The draft's model call was recorded as usage.
    const usage = await database.db.select().from(aiUsage).where(eq(aiUsage.userId, alice.id));
    expect(usage.map((row) => row.model)).toEqual(['local']);
    // Nothing is stored before the decision.
    expect(await database.db.select().from(chats).where(eq(chats.userId, alice.id))).toEqual([]);

    const resumed = await post(
      `/api/ai/graphs/${started.graphId}/resume`,
      { action: 'approve' },
      alice,
    );
    expect(resumed.status).toBe(200);
    const done = (await resumed.json()) as GraphState;
    expect(done.status).toBe('done');
    expect(done.values.status).toBe('approved');
    const [stored] = await database.db
      .select()
      .from(messages)
      .where(eq(messages.id, String(done.values.messageId)));
    expect(stored?.userId).toBe(alice.id);
    expect(stored?.role).toBe('assistant');
    expect(stored?.content).toBe(String(waiting.interrupts[0]?.value.draft));
    const [chat] = await database.db
      .select()
      .from(chats)
      .where(eq(chats.id, String(done.values.chatId)));
    expect(chat?.title).toBe('Welcome');
  });

  test('an edit stores the edited text instead of the draft', async () => {
    const started = await start('approval', { topic: 'Release notes' });
    await runStream(started.graphId);
    const resumed = await post(
      `/api/ai/graphs/${started.graphId}/resume`,
      { action: 'edit', text: 'Version 2 is out.' },
      alice,
    );
    expect(resumed.status).toBe(200);
    const done = (await resumed.json()) as GraphState;
    expect(done.values.status).toBe('approved');
    expect(done.values.finalText).toBe('Version 2 is out.');
    const [stored] = await database.db
      .select()
      .from(messages)
      .where(eq(messages.id, String(done.values.messageId)));
    expect(stored?.content).toBe('Version 2 is out.');
  });

  test('a rejection ends the instance and stores nothing', async () => {
    const before = await database.db.select().from(messages).where(eq(messages.userId, bob.id));
    const started = await start('approval', { topic: 'Something to reject' }, bob);
    await runStream(started.graphId, bob);
    const resumed = await post(
      `/api/ai/graphs/${started.graphId}/resume`,
      { action: 'reject', reason: 'Off topic' },
      bob,
    );
    expect(resumed.status).toBe(200);
    const done = (await resumed.json()) as GraphState;
    expect(done.status).toBe('done');
    expect(done.values.status).toBe('rejected');
    expect(done.values.chatId).toBeNull();
    const after = await database.db.select().from(messages).where(eq(messages.userId, bob.id));
    expect(after).toEqual(before);
  });

  test('resumes from a new app instance on the same database', async () => {
    const started = await start('approval', { topic: 'Survives a restart' });
    await runStream(started.graphId);
    const second = await appOn(database);
    try {
      expect(second.app).not.toBe(app);
      const waiting = await stateOf(started.graphId, alice, second.app);
      expect(waiting.status).toBe('interrupted');
      const resumed = await post(
        `/api/ai/graphs/${started.graphId}/resume`,
        { action: 'approve' },
        alice,
        second.app,
      );
      expect(resumed.status).toBe(200);
      expect(((await resumed.json()) as GraphState).values.status).toBe('approved');
    } finally {
      await second.deps.close();
    }
  });
});

describe('bad requests to the graph routes', () => {
  test("another user's graphId answers 404 on every route, and changes nothing", async () => {
    const started = await start('approval', { topic: 'Private' });
    await runStream(started.graphId);
    const id = started.graphId;
    const attempts = [
      get(`/api/ai/graphs/${id}/state`, bob),
      get(`/api/ai/graphs/${id}/history`, bob),
      post(`/api/ai/graphs/${id}/stream`, {}, bob),
      post(`/api/ai/graphs/${id}/resume`, { action: 'approve' }, bob),
      app.request(`/api/ai/graphs/${id}`, { method: 'DELETE', headers: bob.headers }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(404);
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code).toBe(ERROR_CODES.NOT_FOUND);
    }
    expect((await stateOf(id)).status).toBe('interrupted');
  });

  test('resume with nothing pending answers 409', async () => {
    const started = await start('approval', { topic: 'Not yet run' });
    const response = await post(
      `/api/ai/graphs/${started.graphId}/resume`,
      { action: 'approve' },
      alice,
    );
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      ERROR_CODES.CONFLICT,
    );
  });

  test('a malformed resume command answers 422 and leaves the interrupt pending', async () => {
    const started = await start('approval', { topic: 'Malformed answers' });
    await runStream(started.graphId);
    for (const command of [
      { action: 'maybe' },
      { action: 'edit' },
      { action: 'approve', extra: 1 },
    ]) {
      const response = await post(`/api/ai/graphs/${started.graphId}/resume`, command, alice);
      expect(response.status).toBe(422);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        ERROR_CODES.VALIDATION_FAILED,
      );
    }
    expect((await stateOf(started.graphId)).status).toBe('interrupted');
  });

  test('a resume text with a NUL or another control character answers 422; the instance can still be answered', async () => {
    const started = await start('approval', { topic: 'Control characters in answers' });
    await runStream(started.graphId);
    for (const command of [
      { action: 'edit', text: 'a\u0000b' },
      { action: 'edit', text: 'bell\u0007' },
      { action: 'reject', reason: 'nul\u0000' },
    ]) {
      const response = await post(`/api/ai/graphs/${started.graphId}/resume`, command, alice);
      expect(response.status).toBe(422);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        ERROR_CODES.VALIDATION_FAILED,
      );
      expect((await stateOf(started.graphId)).status).toBe('interrupted');
    }
    const edited = await post(
      `/api/ai/graphs/${started.graphId}/resume`,
      { action: 'edit', text: 'Line one\nline two\ttabbed' },
      alice,
    );
    expect(edited.status).toBe(200);
    const done = (await edited.json()) as GraphState;
    expect(done.status).toBe('done');
    const [stored] = await deps.database.db
      .select()
      .from(messages)
      .where(eq(messages.chatId, String(done.values.chatId)));
    expect(stored?.content).toBe('Line one\nline two\ttabbed');
  });

  test('workflow inputs follow the text rules: a NUL or control character anywhere is 422, nothing created', async () => {
    const before = await deps.database.db
      .select()
      .from(aiGraphs)
      .where(eq(aiGraphs.userId, alice.id));
    for (const [graph, input, path] of [
      ['approval', { topic: 'a\u0000b' }, 'input.topic'],
      ['approval', { topic: 'fine', chatTitle: 'tab\tin a title' }, 'input.chatTitle'],
      ['approval', { topic: 'fine', chatTitle: 'nul\u0000' }, 'input.chatTitle'],
      ['plan-execute', { goal: 'bell\u0007' }, 'input.goal'],
      ['plan-execute', { goal: 'fine', steps: ['ok', 'a\u0000b'] }, 'input.steps.1'],
    ] as const) {
      const response = await post('/api/ai/graphs', { graph, input }, alice);
      expect(response.status).toBe(422);
      const body = (await response.json()) as {
        error: { code: string; details: Array<{ path: string }> };
      };
      expect(body.error.code).toBe(ERROR_CODES.VALIDATION_FAILED);
      expect(body.error.details.map((detail) => detail.path)).toContain(path);
    }
    const after = await deps.database.db
      .select()
      .from(aiGraphs)
      .where(eq(aiGraphs.userId, alice.id));
    expect(after.length).toBe(before.length);
    // Text is stored NFC-normalized: a decomposed title is composed.
    const composed = await start('approval', { topic: 'Caf\u0065\u0301', chatTitle: 'Cafe\u0301' });
    expect(composed.values.chatTitle).toBe('Caf\u00e9');
  });

  test('a node that fails after the answer leaves the instance ready to run again, never stuck', async () => {
    const started = await start('approval', { topic: 'A store that fails once' });
    await runStream(started.graphId);
    // The first insert of the approved chat fails as a dropped connection would.
    const { db } = deps.database;
    const original = db.transaction;
    let failures = 1;
    db.transaction = ((run: (tx: unknown) => Promise<unknown>, config?: unknown) =>
      original.call(
        db,
        (tx) =>
          run(
            new Proxy(tx, {
              get(target, property, receiver) {
                if (property !== 'insert') return Reflect.get(target, property, receiver);
                return (table: unknown) => {
                  if (table === chats && failures > 0) {
                    failures -= 1;
                    throw Object.assign(new Error('connection lost'), { code: 'ECONNRESET' });
                  }
                  return target.insert(table as typeof chats);
                };
              },
            }),
          ),
        config as never,
      )) as typeof db.transaction;
    try {
      const failed = await post(
        `/api/ai/graphs/${started.graphId}/resume`,
        { action: 'edit', text: 'Kept despite the failure' },
        alice,
      );
      expect(failed.status).toBe(503);
      expect(((await failed.json()) as { error: { code: string } }).error.code).toBe(
        ERROR_CODES.SERVICE_UNAVAILABLE,
      );
    } finally {
      db.transaction = original;
    }
    expect(failures).toBe(0);
    const after = await stateOf(started.graphId);
    expect(after.status).toBe('ready');
    expect(after.next).toEqual(['finalize']);
    const rerun = await runStream(started.graphId);
    expect(rerun.at(-1)?.event).toBe('end');
    const done = await stateOf(started.graphId);
    expect(done.status).toBe('done');
    const stored = await db
      .select()
      .from(messages)
      .where(eq(messages.chatId, String(done.values.chatId)));
    expect(stored.map((row) => row.content)).toEqual(['Kept despite the failure']);
  });

  test('streaming an instance that waits for an answer answers 409', async () => {
    const started = await start('approval', { topic: 'Waiting' });
    await runStream(started.graphId);
    const response = await post(`/api/ai/graphs/${started.graphId}/stream`, {}, alice);
    expect(response.status).toBe(409);
  });

  test('an unknown workflow answers 404 and bad input 422 with field details', async () => {
    const unknown = await post('/api/ai/graphs', { graph: 'nope', input: {} }, alice);
    expect(unknown.status).toBe(404);
    const bad = await post('/api/ai/graphs', { graph: 'approval', input: { topic: '' } }, alice);
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as { error: { details: Array<{ path: string }> } };
    expect(body.error.details.map((detail) => detail.path)).toContain('input.topic');
    const extra = await post(
      '/api/ai/graphs',
      { graph: 'approval', input: { topic: 'x', y: 1 } },
      alice,
    );
    expect(extra.status).toBe(422);
    const model = await post(
      '/api/ai/graphs',
      { graph: 'approval', input: { topic: 'x', model: 'gpt-9' } },
      alice,
    );
    expect(model.status).toBe(422);
  });

  test('a malformed graphId answers 422', async () => {
    const response = await get('/api/ai/graphs/not-a-uuid/state', alice);
    expect(response.status).toBe(422);
  });
});

describe('one run at a time', () => {
  const codeOf = async (response: Response) =>
    ((await response.json()) as { error: { code: string } }).error.code;
  const leaseOf = async (graphId: string) =>
    (
      await database.db
        .select({ runningUntil: aiGraphs.runningUntil })
        .from(aiGraphs)
        .where(eq(aiGraphs.id, graphId))
    )[0]?.runningUntil;

  test('a stream, resume or delete while a run holds the instance answers 409; the hold ends with the run', async () => {
    // The local model writes the draft slowly: the first run is still going meanwhile.
    const slow = await createTestDeps({
      database,
      env: { BETTER_AUTH_SECRET, AI_LOCAL_TOKEN_DELAY_MS: '40' },
    });
    try {
      const slowApp = createApp(slow);
      const started = await start('approval', { topic: 'Held while drafting' }, alice, slowApp);
      const first = await post(`/api/ai/graphs/${started.graphId}/stream`, {}, alice, slowApp);
      expect(first.status).toBe(200);
      expect(await leaseOf(started.graphId)).toBeInstanceOf(Date);
      for (const [path, body] of [
        ['stream', {}],
        ['resume', { action: 'approve' }],
      ] as const) {
        const second = await post(`/api/ai/graphs/${started.graphId}/${path}`, body, alice);
        expect(second.status).toBe(409);
        const retryAfter = Number(second.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThan(0);
        expect(await codeOf(second)).toBe(ERROR_CODES.CONFLICT);
      }
      // Nor may it be deleted meanwhile: the run's next checkpoint would outlive the delete.
      const deleting = await app.request(`/api/ai/graphs/${started.graphId}`, {
        method: 'DELETE',
        headers: alice.headers,
      });
      expect(deleting.status).toBe(409);
      expect(Number(deleting.headers.get('retry-after'))).toBeGreaterThan(0);
      const events = parseSse(await first.text());
      expect(events.at(-1)?.event).toBe('end');
      expect(await leaseOf(started.graphId)).toBeNull();
      // Waiting for an answer now; the resume goes through and lets go of the instance too.
      const resumed = await post(
        `/api/ai/graphs/${started.graphId}/resume`,
        { action: 'approve' },
        alice,
      );
      expect(resumed.status).toBe(200);
      expect(((await resumed.json()) as GraphState).status).toBe('done');
      expect(await leaseOf(started.graphId)).toBeNull();
      const deleted = await app.request(`/api/ai/graphs/${started.graphId}`, {
        method: 'DELETE',
        headers: alice.headers,
      });
      expect(deleted.status).toBe(204);
    } finally {
      await slow.close();
    }
  });

  test('a refused stream lets go of the instance at once', async () => {
    const started = await start('approval', { topic: 'Refused' });
    await runStream(started.graphId);
    const refused = await post(`/api/ai/graphs/${started.graphId}/stream`, {}, alice);
    expect(refused.status).toBe(409);
    expect(await codeOf(refused)).toBe(ERROR_CODES.CONFLICT);
    expect(await leaseOf(started.graphId)).toBeNull();
  });

  test('a hold left by a run that died runs out; until then Retry-After says when', async () => {
    const started = await start('approval', { topic: 'Abandoned' });
    await database.db
      .update(aiGraphs)
      .set({ runningUntil: new Date(Date.now() + 60_000) })
      .where(eq(aiGraphs.id, started.graphId));
    const held = await post(`/api/ai/graphs/${started.graphId}/stream`, {}, alice);
    expect(held.status).toBe(409);
    const retryAfter = Number(held.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(61);
    await database.db
      .update(aiGraphs)
      .set({ runningUntil: new Date(Date.now() - 1000) })
      .where(eq(aiGraphs.id, started.graphId));
    const events = await runStream(started.graphId);
    expect(events.at(-1)?.event).toBe('end');
  });
});

describe('history and delete', () => {
  test('history lists the checkpoints newest first; delete removes them', async () => {
    const started = await start('approval', { topic: 'History' });
    await runStream(started.graphId);
    const response = await get(`/api/ai/graphs/${started.graphId}/history`, alice);
    expect(response.status).toBe(200);
    const { items } = (await response.json()) as {
      items: Array<{
        checkpointId: string;
        parentCheckpointId: string | null;
        step: number;
        next: string[];
      }>;
    };
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(items[0]?.next).toEqual(['review']);
    expect(items.map((item) => item.step)).toEqual(
      [...items.map((item) => item.step)].sort((a, b) => b - a),
    );
    expect(items[0]?.parentCheckpointId).toBe(items[1]?.checkpointId ?? null);
    const limited = await get(`/api/ai/graphs/${started.graphId}/history?limit=1`, alice);
    expect(((await limited.json()) as { items: unknown[] }).items).toHaveLength(1);

    const deleted = await app.request(`/api/ai/graphs/${started.graphId}`, {
      method: 'DELETE',
      headers: alice.headers,
    });
    expect(deleted.status).toBe(204);
    expect((await get(`/api/ai/graphs/${started.graphId}/state`, alice)).status).toBe(404);
    const db = database.db;
    expect(await db.select().from(aiGraphs).where(eq(aiGraphs.id, started.graphId))).toEqual([]);
    expect(
      await db.select().from(aiCheckpoints).where(eq(aiCheckpoints.threadId, started.graphId)),
    ).toEqual([]);
    expect(
      await db
        .select()
        .from(aiCheckpointWrites)
        .where(eq(aiCheckpointWrites.threadId, started.graphId)),
    ).toEqual([]);
  });
});

describe('the plan-and-execute workflow', () => {
  test('routes each step by kind, runs them in parallel and retries a failing step', async () => {
    const started = await start('plan-execute', {
      goal: 'compute 12 * (3 + 4); then describe the result; then add 2 + 2',
      simulateFailures: 2,
    });
    const events = await runStream(started.graphId);
    const updates = events
      .filter((event) => event.event === 'updates')
      .map((event) => Object.keys(event.data as object));
    // plan, then the three steps in one superstep (two calculate, one research), then summarize.
    expect(updates[0]).toEqual(['plan']);
    const branchNodes = updates.slice(1, -1).flat().sort();
    expect(branchNodes).toEqual(['calculate', 'calculate', 'research']);
    expect(updates.at(-1)).toEqual(['summarize']);

    const done = await stateOf(started.graphId);
    expect(done.status).toBe('done');
    const steps = done.values.steps as Array<{ kind: string }>;
    expect(steps.map((step) => step.kind)).toEqual(['calculate', 'research', 'calculate']);
    const results = done.values.results as Array<{
      index: number;
      output: string;
      attempts: number;
    }>;
    expect(results.map((result) => result.index)).toEqual([0, 1, 2]);
    expect(results[0]?.output).toBe('12 * (3 + 4) = 84');
    expect(results[2]?.output).toBe('2 + 2 = 4');
    // The research step failed twice and the retry policy ran it a third time.
    expect(results[1]?.attempts).toBe(3);
    expect(String(done.values.summary)).toContain('1. compute 12 * (3 + 4): 12 * (3 + 4) = 84');
  });

  test('a goal without steps goes straight to the summary', async () => {
    const started = await start('plan-execute', { goal: ';;' });
    const events = await runStream(started.graphId);
    const updates = events
      .filter((event) => event.event === 'updates')
      .map((event) => Object.keys(event.data as object));
    expect(updates).toEqual([['plan'], ['summarize']]);
    expect((await stateOf(started.graphId)).values.summary).toBe(
      'Nothing to do: the goal has no steps.',
    );
  });
});

describe('graph runs against a failing provider and a spent budget', () => {
  let server: OpenAiTestServer;

  beforeAll(async () => {
    server = await startOpenAiServer();
  });

  afterAll(async () => {
    await server.close();
  });

  test('a provider failure ends the stream with a 502 error event and stores nothing; a rerun succeeds', async () => {
    const deps = await createTestDeps({
      env: {
        OPENAI_API_KEY: server.apiKey,
        OPENAI_BASE_URL: server.url,
        AI_MODELS: 'gpt-4o-mini',
        OPENAI_MAX_RETRIES: '0',
      },
    });
    const app = createApp(deps);
    try {
      const user = await signUp(app, deps);
      const started = await start('approval', { topic: 'Flaky provider' }, user, app);
      server.reset();
      server.script({ status: 503 }, { content: 'A fine draft.' });
      const failed = await runStream(started.graphId, user, app);
      // The error event, then the final end event.
      expect(failed.at(-1)).toEqual({ event: 'end', data: { status: 'failed' } });
      const last = failed.at(-2);
      expect(last?.event).toBe('error');
      expect((last?.data as { error?: { code: string } } | undefined)?.error?.code).toBe(
        ERROR_CODES.BAD_GATEWAY,
      );
      expect(JSON.stringify(failed)).not.toContain(server.apiKey);
      const after = await stateOf(started.graphId, user, app);
      expect(after.status).toBe('ready');
      expect(after.values.draft).toBeNull();
      expect(await deps.database.db.select().from(chats).where(eq(chats.userId, user.id))).toEqual(
        [],
      );

      const retried = await runStream(started.graphId, user, app);
      expect(retried.at(-1)?.event).toBe('end');
      const waiting = await stateOf(started.graphId, user, app);
      expect(waiting.status).toBe('interrupted');
      expect(waiting.interrupts[0]?.value.draft).toBe('A fine draft.');
    } finally {
      await deps.close();
    }
  });

  test('over the daily token budget, streaming answers 429 before any event', async () => {
    const deps = await createTestDeps({
      env: { AI_DAILY_TOKEN_BUDGET: '1', AI_LOCAL_TOKEN_DELAY_MS: '0' },
    });
    const app = createApp(deps);
    try {
      const user = await signUp(app, deps);
      const first = await start('approval', { topic: 'Spend it' }, user, app);
      await runStream(first.graphId, user, app);
      const second = await start('approval', { topic: 'Nothing left' }, user, app);
      const response = await post(`/api/ai/graphs/${second.graphId}/stream`, {}, user, app);
      expect(response.status).toBe(429);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        ERROR_CODES.RATE_LIMITED,
      );
      expect((await stateOf(second.graphId, user, app)).status).toBe('ready');
    } finally {
      await deps.close();
    }
  });
});

describe('the token budget in parallel runs', () => {
  test('parallel streams against a small budget record at most the budget plus one call’s worst case', async () => {
    const deps = await createTestDeps({
      env: {
        AI_DAILY_TOKEN_BUDGET: '30',
        AI_MAX_OUTPUT_TOKENS: '20',
        AI_LOCAL_TOKEN_DELAY_MS: '0',
      },
    });
    const app = createApp(deps);
    try {
      const user = await signUp(app, deps);
      const instances = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          start('approval', { topic: `A long topic with many words, number ${i}` }, user, app),
        ),
      );
      const responses = await Promise.all(
        instances.map((instance) =>
          post(`/api/ai/graphs/${instance.graphId}/stream`, {}, user, app),
        ),
      );
      const bodies = await Promise.all(responses.map((response) => response.text()));
      // Refused before the stream (429) or by the node's reservation (an error event).
      const refused = responses.filter(
        (response, i) =>
          response.status === 429 || parseSse(bodies[i] ?? '').some((e) => e.event === 'error'),
      );
      expect(refused.length).toBeGreaterThan(0);
      for (const [i, response] of responses.entries()) {
        if (response.status !== 200) continue;
        const error = parseSse(bodies[i] ?? '').find((e) => e.event === 'error');
        if (error) {
          expect((error.data as { error: { code: string } }).error.code).toBe(
            ERROR_CODES.RATE_LIMITED,
          );
        }
      }
      const rows = await deps.database.db.select().from(aiUsage).where(eq(aiUsage.userId, user.id));
      const recorded = rows.reduce((sum, row) => sum + row.totalTokens, 0);
      expect(recorded).toBeGreaterThan(0);
      // One call's worst case: the prompt (system prompt and topic) and the most output.
      expect(recorded).toBeLessThanOrEqual(30 + 40 + deps.env.AI_MAX_OUTPUT_TOKENS);
    } finally {
      await deps.close();
    }
  });
});

describe('the OpenAPI document', () => {
  test('lists every agent and graph route with its security requirement', async () => {
    const response = await app.request('/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const expected: Array<[string, string]> = [
      ['/api/ai/agents', 'get'],
      ['/api/ai/agents/{agentId}/runs', 'post'],
      ['/api/ai/graphs', 'get'],
      ['/api/ai/graphs', 'post'],
      ['/api/ai/graphs/{graphId}/state', 'get'],
      ['/api/ai/graphs/{graphId}/stream', 'post'],
      ['/api/ai/graphs/{graphId}/resume', 'post'],
      ['/api/ai/graphs/{graphId}/history', 'get'],
      ['/api/ai/graphs/{graphId}', 'delete'],
    ];
    for (const [path, method] of expected) {
      const operation = document.paths[path]?.[method];
      expect(operation).toBeDefined();
      expect(operation?.security?.length).toBeGreaterThan(0);
    }
  });
});

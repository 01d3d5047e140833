/**
 * The LangGraph Platform API driven by the real `@langchain/langgraph-sdk` Client (1.8.10, as
 * Agent Chat UI locks it, and the current release), in-process: assistants, threads, state
 * and history shapes, streaming in each mode, owner isolation and the refusals.
 */
import { describe, expect, test } from 'bun:test';
import { aiUsage } from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import { jsonRequest, signUp, type TestUser } from '../../../test/accounts.ts';
import { collect, SDK_VERSIONS, sdkClient } from '../../../test/langgraph.ts';
import { parseSse } from '../../../test/sse.ts';
import { useTestApp } from '../../../test/test-app.ts';
import { assistantIdOf } from './assistants.ts';

const t = useTestApp();

type Client = ReturnType<typeof sdkClient>;
interface Message {
  type: string;
  content: unknown;
}

const bearer = (user: TestUser) => ({ authorization: `Bearer ${user.bearer}` });

for (const { name, Client } of SDK_VERSIONS) {
  describe(name, () => {
    let client: Client;
    let user: TestUser;
    const setUp = async () => {
      user = await signUp(t.app, t.deps);
      client = sdkClient(Client, t.app, user);
    };

    test('each graph is an assistant, by graph name or stable UUID; an unknown one is 404', async () => {
      await setUp();
      const found = await client.assistants.search({ limit: 10 });
      expect(found.map((assistant) => assistant.graph_id).sort()).toEqual([
        'approval',
        'chat',
        'plan-execute',
      ]);
      const byName = await client.assistants.get('chat');
      expect(byName.assistant_id).toBe(assistantIdOf('chat'));
      expect((await client.assistants.get(byName.assistant_id)).graph_id).toBe('chat');
      await expect(client.assistants.get('no-such-graph')).rejects.toMatchObject({ status: 404 });
      const info = await t.app.request('/api/langgraph/info');
      expect(info.status).toBe(200);
    });

    test('threads: create with metadata, get, patch, search by metadata, delete', async () => {
      await setUp();
      const thread = await client.threads.create({ metadata: { project: 'alpha' } });
      expect(thread.status).toBe('idle');
      const other = await client.threads.create({ metadata: { project: 'beta' } });
      const patched = await client.threads.update(thread.thread_id, {
        metadata: { color: 'red' },
      });
      expect(patched.metadata).toEqual({ project: 'alpha', color: 'red' });
      const found = await client.threads.search({ metadata: { project: 'alpha' } });
      expect(found.map((row) => row.thread_id)).toEqual([thread.thread_id]);
      expect((await client.threads.get(other.thread_id)).metadata).toEqual({ project: 'beta' });
      // A chosen id; taken again, `do_nothing` answers the caller's own thread.
      const chosen = crypto.randomUUID();
      await client.threads.create({ threadId: chosen });
      const again = await client.threads.create({ threadId: chosen, ifExists: 'do_nothing' });
      expect(again.thread_id).toBe(chosen);
      await expect(client.threads.create({ threadId: chosen })).rejects.toMatchObject({
        status: 409,
      });
      await client.threads.delete(thread.thread_id);
      await expect(client.threads.get(thread.thread_id)).rejects.toMatchObject({ status: 404 });
    });

    test('a streamed chat run: metadata first, then values, updates and messages as plain dicts; the thread remembers', async () => {
      await setUp();
      const thread = await client.threads.create();
      const events = await collect(
        client.runs.stream(thread.thread_id, 'chat', {
          input: { messages: [{ type: 'human', content: 'hello there' }] },
          streamMode: ['values', 'updates', 'messages-tuple'],
        }),
      );
      expect(events[0]).toEqual({
        event: 'metadata',
        data: { run_id: expect.any(String), attempt: 1 },
      });
      const names = new Set(events.map((event) => event.event));
      expect([...names].sort()).toEqual(['messages', 'metadata', 'updates', 'values']);
      const [chunk, metadata] = (events.find((event) => event.event === 'messages')?.data ??
        []) as [Message, Record<string, unknown>];
      expect(chunk.type).toBe('ai');
      expect(metadata.langgraph_node).toBe('agent');
      const text = events
        .filter((event) => event.event === 'messages')
        .map((event) => (event.data as [Message])[0].content)
        .join('');
      expect(text).toContain('hello there');
      const update = events.find((event) => event.event === 'updates')?.data as {
        agent: { messages: Message[] };
      };
      expect(update.agent.messages[0]?.type).toBe('ai');
      const last = events.filter((event) => event.event === 'values').at(-1)?.data as {
        messages: Message[];
      };
      expect(last.messages.map((message) => message.type)).toEqual(['human', 'ai']);
      expect(JSON.stringify(events)).not.toContain('"lc":1');

      // The thread is the memory; content blocks as Agent Chat UI sends them.
      const state = await client.threads.getState<{ messages: Message[] }>(thread.thread_id);
      expect(state.values.messages.map((message) => message.type)).toEqual(['human', 'ai']);
      const second = await client.runs.wait(thread.thread_id, 'chat', {
        input: {
          messages: [{ type: 'human', content: [{ type: 'text', text: 'and again' }] }],
        },
      });
      const messages = (second as { messages: Message[] }).messages;
      expect(messages.map((message) => message.type)).toEqual(['human', 'ai', 'human', 'ai']);
      expect(String(messages[3]?.content)).toContain('and again');
      expect(String(messages[3]?.content)).toContain('given 2 earlier messages');

      // The first run stamped the graph into the thread's metadata; the thread is idle again.
      const after = await client.threads.get(thread.thread_id);
      expect(after.metadata).toMatchObject({
        graph_id: 'chat',
        assistant_id: assistantIdOf('chat'),
      });
      expect(after.status).toBe('idle');

      // History: newest first, the same plain messages.
      const history = await client.threads.getHistory<{ messages: Message[] }>(thread.thread_id, {
        limit: 3,
      });
      expect(history).toHaveLength(3);
      const latest = await client.threads.getState(thread.thread_id);
      expect(history[0]?.checkpoint.checkpoint_id).toBe(latest.checkpoint.checkpoint_id ?? '');
      expect(history[0]?.values.messages).toHaveLength(4);
      expect(history[1]?.values.messages.length).toBeLessThan(4);
      // A tool-using turn: the calculator.
      const tool = await client.runs.wait(thread.thread_id, 'chat', {
        input: { messages: [{ role: 'user', content: 'What is 12 * (3 + 4)?' }] },
      });
      const turn = (tool as { messages: Message[] }).messages.slice(4);
      expect(turn.map((message) => message.type)).toEqual(['human', 'ai', 'tool', 'ai']);
      expect(String(turn[2]?.content)).toContain('84');
    });

    test('a state update makes a checkpoint; a run from an earlier checkpoint forks', async () => {
      await setUp();
      const thread = await client.threads.create();
      await client.runs.wait(thread.thread_id, 'chat', {
        input: { messages: [{ type: 'human', content: 'first' }] },
      });
      const before = await client.threads.getState(thread.thread_id);
      const updated = await client.threads.updateState(thread.thread_id, {
        values: { messages: [{ type: 'human', content: 'added by hand', id: 'manual-1' }] },
        asNode: 'agent',
      });
      // The reference server's answer: `{ checkpoint }` (the SDK's type says `configurable`).
      const { checkpoint } = updated as unknown as { checkpoint: { checkpoint_id: string } };
      expect(checkpoint.checkpoint_id).not.toBe(before.checkpoint.checkpoint_id);
      const state = await client.threads.getState<{ messages: Message[] }>(thread.thread_id);
      expect(state.values.messages.at(-1)?.content).toBe('added by hand');
      // Edit and regenerate: a run from the first checkpoint after the input.
      const history = await client.threads.getHistory<{ messages: Message[] }>(thread.thread_id, {
        limit: 10,
      });
      const inputOnly = history.find(
        (entry) => entry.values.messages?.length === 1 && entry.next.includes('agent'),
      );
      expect(inputOnly).toBeDefined();
      const forked = await client.runs.wait(thread.thread_id, 'chat', {
        input: null,
        checkpoint: {
          checkpoint_id: inputOnly?.checkpoint.checkpoint_id ?? '',
          checkpoint_ns: '',
          checkpoint_map: {},
        },
      });
      expect((forked as { messages: Message[] }).messages.map((m) => m.content)).not.toContain(
        'added by hand',
      );
    });

    test("another user's thread is 404 on every route and absent from search", async () => {
      await setUp();
      const owner = client;
      const thread = await owner.threads.create({ metadata: { secret: true } });
      await owner.runs.wait(thread.thread_id, 'chat', {
        input: { messages: [{ type: 'human', content: 'mine' }] },
      });
      const [run] = await owner.runs.list(thread.thread_id);
      const intruder = sdkClient(Client, t.app, await signUp(t.app, t.deps));
      const id = thread.thread_id;
      const refused = [
        () => intruder.threads.get(id),
        () => intruder.threads.update(id, { metadata: { x: 1 } }),
        () => intruder.threads.getState(id),
        () => intruder.threads.getHistory(id),
        () => intruder.threads.updateState(id, { values: {} }),
        () => intruder.runs.list(id),
        () => intruder.runs.get(id, run?.run_id ?? ''),
        () => intruder.runs.wait(id, 'chat', { input: { messages: [] } }),
        () => intruder.runs.create(id, 'chat', { input: { messages: [] } }),
        () => intruder.runs.cancel(id, run?.run_id ?? ''),
        () => intruder.runs.join(id, run?.run_id ?? ''),
        () => intruder.threads.delete(id),
      ];
      for (const attempt of refused) await expect(attempt()).rejects.toMatchObject({ status: 404 });
      const streamed = await t.app.request(
        `/api/langgraph/threads/${id}/runs/stream`,
        jsonRequest(
          'POST',
          { assistant_id: 'chat', input: {} },
          bearer(await signUp(t.app, t.deps)),
        ),
      );
      expect(streamed.status).toBe(404);
      expect(await intruder.threads.search({ metadata: { secret: true } })).toEqual([]);
      expect((await owner.threads.get(id)).thread_id).toBe(id);
    });
  });
}

describe('refusals and the caller', () => {
  test('malformed body 422, unknown assistant 404, resume with nothing pending 409, a failing run ends with error', async () => {
    const user = await signUp(t.app, t.deps);
    const client = sdkClient(SDK_VERSIONS[0].Client, t.app, user);
    const thread = await client.threads.create();
    const path = `/api/langgraph/threads/${thread.thread_id}/runs/stream`;
    const malformed = await t.app.request(
      path,
      jsonRequest('POST', { input: { messages: [] } }, bearer(user)),
    );
    expect(malformed.status).toBe(422);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe(
      'VALIDATION_FAILED',
    );
    const modes = await t.app.request(
      path,
      jsonRequest('POST', { assistant_id: 'chat', stream_mode: ['nope'] }, bearer(user)),
    );
    expect(modes.status).toBe(422);
    const badThread = await t.app.request(
      '/api/langgraph/threads/not-a-uuid/runs/stream',
      jsonRequest('POST', { assistant_id: 'chat' }, bearer(user)),
    );
    expect(badThread.status).toBe(422);
    await expect(
      client.runs.wait(thread.thread_id, 'nobody', { input: { messages: [] } }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      client.runs.wait(thread.thread_id, 'chat', { command: { resume: 'yes' } }),
    ).rejects.toMatchObject({ status: 409 });
    // A model not in the allowlist fails inside the run: `error`, then the stream ends.
    const failing = await t.app.request(
      path,
      jsonRequest(
        'POST',
        {
          assistant_id: 'chat',
          input: { messages: [{ type: 'human', content: 'hi' }] },
          config: { configurable: { model: 'not-a-model' } },
        },
        bearer(user),
      ),
    );
    expect(failing.status).toBe(200);
    const events = parseSse(await failing.text());
    expect(events[0]?.event).toBe('metadata');
    const error = events.find((event) => event.event === 'error');
    expect(error?.data).toEqual({ error: 'VALIDATION_FAILED', message: expect.any(String) });
    expect(events.at(-1)?.event).toBe('end');
    expect(JSON.stringify(events)).not.toContain('stack');
    expect((await client.threads.get(thread.thread_id)).status).toBe('error');
  });

  test('user fields in config.configurable are the real caller; usage is recorded for the caller', async () => {
    const user = await signUp(t.app, t.deps);
    const victim = await signUp(t.app, t.deps);
    const client = sdkClient(SDK_VERSIONS[1].Client, t.app, user);
    const thread = await client.threads.create();
    const events = await collect(
      client.runs.stream(thread.thread_id, 'chat', {
        input: { messages: [{ type: 'human', content: 'who am i' }] },
        streamMode: 'messages-tuple',
        config: {
          configurable: { user_id: victim.id, userId: victim.id, langgraph_auth_user: victim.id },
        },
      }),
    );
    const metadata = (
      (events.find((event) => event.event === 'messages')?.data ?? []) as [
        unknown,
        Record<string, unknown>,
      ]
    )[1];
    expect(metadata.user_id).toBe(user.id);
    expect(JSON.stringify(events)).not.toContain(victim.id);
    const db = t.deps.database.db;
    expect((await db.select().from(aiUsage).where(eq(aiUsage.userId, user.id))).length).toBe(1);
    expect((await db.select().from(aiUsage).where(eq(aiUsage.userId, victim.id))).length).toBe(0);
  });

  test('the routes are in the AI rate-limit class and the OpenAPI document under their own tag', async () => {
    const { routeClassOf } = await import('../../lib/route-classes.ts');
    expect(routeClassOf('/api/langgraph/threads')).toBe('ai');
    const document = (await (await t.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    const operation = document.paths['/api/langgraph/threads/{thread_id}/runs/stream']?.post;
    expect(operation?.tags).toEqual(['LangGraph Platform']);
  });
});

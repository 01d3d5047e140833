/**
 * Durable runs through the real SDK Client (both versions): stored events with SSE ids, join
 * and replay by event id, a reconnect after a cut connection, cancel, one active run per
 * thread, background runs on the job queue, and a run whose worker died.
 */
import { describe, expect, test } from 'bun:test';
import { lgRuns } from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import { signUp, type TestUser } from '../../../test/accounts.ts';
import { API_URL, SDK_VERSIONS, sdkClient } from '../../../test/langgraph.ts';
import { parseSse } from '../../../test/sse.ts';
import { useTestApp } from '../../../test/test-app.ts';

// The local model paces its tokens, so a run lasts long enough to be joined or cancelled.
const t = useTestApp({ env: { AI_LOCAL_TOKEN_DELAY_MS: '5', LANGGRAPH_POLL_MS: '20' } });

interface Event {
  id?: string;
  event: string;
  data: unknown;
}

const human = (content: string) => ({ messages: [{ type: 'human', content }] });
const LONG = Array.from({ length: 120 }, (_, index) => `word${index}`).join(' ');

/** The events of an SSE response, with their ids. */
function withIds(text: string): Event[] {
  const ids = text
    .split(/\n\n/)
    .filter((block) => /^event:/m.test(block))
    .map((block) => /^id: ?(.*)$/m.exec(block)?.[1]);
  return parseSse(text).map((event, index) => ({ ...event, id: ids[index] }));
}

const joinStream = (user: TestUser, threadId: string, runId: string, lastEventId?: string) =>
  t.app.request(`/api/langgraph/threads/${threadId}/runs/${runId}/stream`, {
    headers: {
      authorization: `Bearer ${user.bearer}`,
      ...(lastEventId !== undefined ? { 'last-event-id': lastEventId } : {}),
    },
  });

for (const { name, Client } of SDK_VERSIONS) {
  describe(name, () => {
    test('a resumable run numbers its events; join replays them after Last-Event-ID', async () => {
      const user = await signUp(t.app, t.deps);
      const client = sdkClient(Client, t.app, user);
      const thread = await client.threads.create();
      let runId = '';
      const live: Event[] = [];
      for await (const chunk of client.runs.stream(thread.thread_id, 'chat', {
        input: human('number these'),
        streamMode: ['values', 'messages-tuple'],
        streamResumable: true,
        onRunCreated: (meta: { run_id: string }) => {
          runId = meta.run_id;
        },
      })) {
        live.push(chunk as Event);
      }
      expect(runId).not.toBe('');
      expect(live[0]?.event).toBe('metadata');
      // Joined from the start: the same events, numbered 0, 1, 2 … on this run.
      const replay = withIds(await (await joinStream(user, thread.thread_id, runId, '-1')).text());
      expect(replay.map((event) => event.id)).toEqual(replay.map((_, index) => String(index)));
      expect(replay.map(({ event, data }) => ({ event, data }))).toEqual(
        live.map(({ event, data }) => ({ event, data })),
      );
      // After an id: the rest only.
      const rest = withIds(await (await joinStream(user, thread.thread_id, runId, '2')).text());
      expect(rest.map((event) => event.id)).toEqual(replay.slice(3).map((event) => event.id));
      // Beyond the end, or not an id of this run: an empty replay, not an error.
      for (const id of ['999999', 'abc', `${runId}:4`]) {
        const response = await joinStream(user, thread.thread_id, runId, id);
        expect(response.status).toBe(200);
        expect(withIds(await response.text())).toEqual([]);
      }
      // The SDK's own join.
      const joined: Event[] = [];
      for await (const chunk of client.runs.joinStream(thread.thread_id, runId, {
        lastEventId: '-1',
      })) {
        joined.push(chunk as Event);
      }
      expect(joined.map((event) => event.event)).toEqual(live.map((event) => event.event));
    });

    test('a cut connection reconnects through Location with Last-Event-ID: no gaps, no duplicates', async () => {
      const user = await signUp(t.app, t.deps);
      let cuts = 0;
      const headersSeen: Array<string | null> = [];
      const client = new Client({
        apiUrl: API_URL,
        apiKey: null,
        defaultHeaders: { authorization: `Bearer ${user.bearer}` },
        callerOptions: {
          maxRetries: 0,
          fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
            const response = await t.app.request(String(input), init);
            headersSeen.push(new Headers(init?.headers).get('last-event-id'));
            if (!String(input).endsWith('/runs/stream') || !response.body) return response;
            // The first stream breaks after its fourth event, as a dropped connection would.
            cuts += 1;
            const reader = response.body.getReader();
            let events = 0;
            const broken = new ReadableStream<Uint8Array>({
              async pull(controller) {
                const { done, value } = await reader.read();
                if (done) return controller.close();
                controller.enqueue(value);
                events += new TextDecoder().decode(value).split('\n\n').length - 1;
                if (events >= 4) {
                  await reader.cancel();
                  controller.error(new TypeError('fetch failed: connection reset'));
                }
              },
            });
            return new Response(broken, { status: response.status, headers: response.headers });
          },
        },
      });
      const thread = await client.threads.create();
      const received: Event[] = [];
      for await (const chunk of client.runs.stream(thread.thread_id, 'chat', {
        input: human(LONG),
        streamMode: ['messages-tuple'],
        streamResumable: true,
        onDisconnect: 'continue',
      })) {
        received.push(chunk as Event);
      }
      expect(cuts).toBe(1);
      expect(headersSeen.some((header) => header !== null && header !== '-1')).toBe(true);
      const [run] = await client.runs.list(thread.thread_id);
      const stored = withIds(
        await (await joinStream(user, thread.thread_id, run?.run_id ?? '', '-1')).text(),
      );
      expect(received.map(({ event, data }) => ({ event, data }))).toEqual(
        stored.map(({ event, data }) => ({ event, data })),
      );
      const text = received
        .filter((event) => event.event === 'messages')
        .map((event) => (event.data as [{ content: string }])[0].content)
        .join('');
      expect(text).toContain('word119');
    }, 20_000);

    test('background runs go through the job queue; join waits; a second run on a busy thread is refused; cancel stops a run', async () => {
      const user = await signUp(t.app, t.deps);
      const client = sdkClient(Client, t.app, user);
      const thread = await client.threads.create();
      const run = await client.runs.create(thread.thread_id, 'chat', { input: human(LONG) });
      expect(['pending', 'running']).toContain(run.status);
      // One active run per thread.
      await expect(
        client.runs.create(thread.thread_id, 'chat', {
          input: human('me too'),
          multitaskStrategy: 'reject',
        }),
      ).rejects.toMatchObject({ status: 409 });
      const values = (await client.runs.join(thread.thread_id, run.run_id)) as {
        messages: Array<{ type: string; content: string }>;
      };
      expect(values.messages.map((message) => message.type)).toEqual(['human', 'ai']);
      expect((await client.runs.get(thread.thread_id, run.run_id)).status).toBe('success');
      // Its events were stored: joinable after the end.
      const events = withIds(
        await (await joinStream(user, thread.thread_id, run.run_id, '-1')).text(),
      );
      expect(events[0]?.event).toBe('metadata');

      // Cancel: the flag in the database stops the executing loop.
      const long = await client.runs.create(thread.thread_id, 'chat', {
        input: human(`${LONG} ${LONG} ${LONG}`),
        streamMode: ['messages-tuple'],
      });
      const firstToken = (async () => {
        for await (const chunk of client.runs.joinStream(thread.thread_id, long.run_id, {
          lastEventId: '-1',
        })) {
          if ((chunk as Event).event === 'messages') return;
        }
      })();
      await firstToken;
      const started = Date.now();
      await client.runs.cancel(thread.thread_id, long.run_id, true);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect((await client.runs.get(thread.thread_id, long.run_id)).status).toBe('interrupted');
      const listed = await client.runs.list(thread.thread_id);
      expect(listed.map((entry) => entry.run_id)).toEqual([long.run_id, run.run_id]);
      // The thread is free again.
      const next = await client.runs.wait(thread.thread_id, 'chat', { input: human('again') });
      expect((next as { messages: unknown[] }).messages.length).toBeGreaterThan(2);
    }, 20_000);
  });
}

describe('a worker that died', () => {
  test('its run is marked failed when read, and the thread takes a new run', async () => {
    const user = await signUp(t.app, t.deps);
    const client = sdkClient(SDK_VERSIONS[0].Client, t.app, user);
    const thread = await client.threads.create();
    const [row] = await t.deps.database.db
      .insert(lgRuns)
      .values({
        threadId: thread.thread_id,
        userId: user.id,
        assistantId: 'chat',
        status: 'running',
        leaseUntil: new Date(Date.now() - 1_000),
      })
      .returning();
    expect((await client.runs.get(thread.thread_id, row?.id ?? '')).status).toBe('error');
    const values = await client.runs.wait(thread.thread_id, 'chat', { input: human('hello') });
    expect((values as { messages: unknown[] }).messages).toHaveLength(2);
    const [after] = await t.deps.database.db
      .select()
      .from(lgRuns)
      .where(eq(lgRuns.id, row?.id ?? ''));
    expect(after?.status).toBe('error');
  });
});

/**
 * A second run on a busy thread through the real SDK Client (both versions), by
 * `multitask_strategy`: interrupt stops the active run and runs the new one; rollback also
 * deletes the stopped run; enqueue is refused with a 422 naming it (reject: runs.test.ts).
 */
import { describe, expect, test } from 'bun:test';
import { signUp } from '../../../test/accounts.ts';
import { SDK_VERSIONS, sdkClient } from '../../../test/langgraph.ts';
import { useTestApp } from '../../../test/test-app.ts';

// The local model paces its tokens, so the first run is still going when the second comes.
const t = useTestApp({ env: { AI_LOCAL_TOKEN_DELAY_MS: '5', LANGGRAPH_POLL_MS: '20' } });

const human = (content: string) => ({ messages: [{ type: 'human', content }] });
const LONG = Array.from({ length: 360 }, (_, index) => `word${index}`).join(' ');

type Client = ReturnType<typeof sdkClient>;
interface Message {
  type: string;
  content: string;
}

/** A thread with a long background run under way (its first token streamed). */
async function busyThread(client: Client) {
  const thread = await client.threads.create();
  const first = await client.runs.create(thread.thread_id, 'chat', {
    input: human(LONG),
    streamMode: ['messages-tuple'],
  });
  for await (const chunk of client.runs.joinStream(thread.thread_id, first.run_id, {
    streamMode: ['messages-tuple'],
  })) {
    if (chunk.event === 'messages') break;
  }
  return { threadId: thread.thread_id, first };
}

for (const { name, Client } of SDK_VERSIONS) {
  describe(name, () => {
    test('interrupt: the active run stops as interrupted and the new run answers', async () => {
      const client = sdkClient(Client, t.app, await signUp(t.app, t.deps));
      const { threadId, first } = await busyThread(client);
      const started = Date.now();
      const values = (await client.runs.wait(threadId, 'chat', {
        input: human('short one'),
        multitaskStrategy: 'interrupt',
      })) as { messages: Message[] };
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(values.messages.at(-1)?.type).toBe('ai');
      expect(values.messages.at(-2)).toMatchObject({ type: 'human', content: 'short one' });
      expect((await client.runs.get(threadId, first.run_id)).status).toBe('interrupted');
      const runs = await client.runs.list(threadId);
      expect(runs.map((run) => run.status)).toEqual(['success', 'interrupted']);
      expect((await client.threads.get(threadId)).status).toBe('idle');
    }, 20_000);

    test('rollback: the active run stops and is deleted; the new run answers', async () => {
      const client = sdkClient(Client, t.app, await signUp(t.app, t.deps));
      const { threadId, first } = await busyThread(client);
      const run = await client.runs.create(threadId, 'chat', {
        input: human('instead'),
        multitaskStrategy: 'rollback',
      });
      await client.runs.join(threadId, run.run_id);
      expect((await client.runs.get(threadId, run.run_id)).status).toBe('success');
      await expect(client.runs.get(threadId, first.run_id)).rejects.toMatchObject({
        status: 404,
      });
      expect((await client.runs.list(threadId)).map((entry) => entry.run_id)).toEqual([run.run_id]);
      expect((await client.threads.get(threadId)).status).toBe('idle');
    }, 20_000);

    test('enqueue is refused with a 422 naming the strategy; the active run goes on', async () => {
      const user = await signUp(t.app, t.deps);
      const client = sdkClient(Client, t.app, user);
      const { threadId, first } = await busyThread(client);
      const response = await t.app.request(`/api/langgraph/threads/${threadId}/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${user.bearer}` },
        body: JSON.stringify({
          assistant_id: 'chat',
          input: human('later'),
          multitask_strategy: 'enqueue',
        }),
      });
      expect(response.status).toBe(422);
      const body = (await response.json()) as { error: { message: string; details: unknown } };
      expect(body.error.message).toContain('enqueue');
      expect(body.error.details).toEqual([expect.objectContaining({ path: 'multitask_strategy' })]);
      await client.runs.join(threadId, first.run_id);
      expect((await client.runs.get(threadId, first.run_id)).status).toBe('success');
    }, 20_000);
  });
}

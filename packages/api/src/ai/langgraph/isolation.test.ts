/**
 * Owner isolation through the real SDK Client (both versions), on the routes and references
 * the per-route 404 test leaves out: a state at another user's checkpoint, joining another
 * user's run stream, claiming another user's thread id, and another thread's run or
 * checkpoint named under one's own thread.
 */
import { describe, expect, test } from 'bun:test';
import { signUp } from '../../../test/accounts.ts';
import { collect, SDK_VERSIONS, sdkClient } from '../../../test/langgraph.ts';
import { useTestApp } from '../../../test/test-app.ts';

const t = useTestApp();

interface Message {
  type: string;
  content: unknown;
}
const human = (content: string) => ({ messages: [{ type: 'human', content }] });
const SECRET = 'the owner wrote this';

for (const { name, Client } of SDK_VERSIONS) {
  describe(name, () => {
    /** An owner's thread with one finished run; an intruder with a thread of its own. */
    async function setUp() {
      const owner = sdkClient(Client, t.app, await signUp(t.app, t.deps));
      const thread = await owner.threads.create({ metadata: { mine: true } });
      await owner.runs.wait(thread.thread_id, 'chat', { input: human(SECRET) });
      const [run] = await owner.runs.list(thread.thread_id);
      const state = await owner.threads.getState(thread.thread_id);
      const intruder = sdkClient(Client, t.app, await signUp(t.app, t.deps));
      const own = await intruder.threads.create();
      await intruder.runs.wait(own.thread_id, 'chat', { input: human('hello') });
      return {
        owner,
        intruder,
        threadId: thread.thread_id,
        runId: run?.run_id ?? '',
        checkpointId: state.checkpoint.checkpoint_id ?? '',
        ownThreadId: own.thread_id,
      };
    }

    test("another user's checkpoint, run stream and thread id answer 404 or conflict, never the owner's data", async () => {
      const { owner, intruder, threadId, runId, checkpointId } = await setUp();
      await expect(intruder.threads.getState(threadId, checkpointId)).rejects.toMatchObject({
        status: 404,
      });
      await expect(
        collect(intruder.runs.joinStream(threadId, runId, { lastEventId: '-1' })),
      ).rejects.toMatchObject({ status: 404 });
      // The id is taken: creating it again is refused, `do_nothing` included, without
      // handing over the owner's thread.
      for (const ifExists of [undefined, 'do_nothing'] as const) {
        const status = await intruder.threads.create({ threadId, ifExists }).then(
          () => 200,
          (error: { status: number }) => error.status,
        );
        expect([404, 409]).toContain(status);
      }
      expect((await owner.threads.get(threadId)).metadata).toEqual({
        mine: true,
        graph_id: 'chat',
        assistant_id: expect.any(String),
      });
    });

    test("another thread's run or checkpoint, named under one's own thread, is not reached", async () => {
      const { owner, intruder, threadId, runId, checkpointId, ownThreadId } = await setUp();
      const refused = [
        () => intruder.runs.get(ownThreadId, runId),
        () => intruder.runs.cancel(ownThreadId, runId),
        () => intruder.runs.join(ownThreadId, runId),
        () => collect(intruder.runs.joinStream(ownThreadId, runId, { lastEventId: '-1' })),
      ];
      const statuses = await Promise.all(
        refused.map((attempt) =>
          attempt().then(
            () => 200,
            (error: { status: number }) => error.status,
          ),
        ),
      );
      expect(statuses).toEqual(refused.map(() => 404));

      // A checkpoint of another thread is not one of this thread's: an empty state, as the
      // reference server answers for a checkpoint id it does not know.
      const foreign = await intruder.threads.getState<{ messages?: Message[] }>(
        ownThreadId,
        checkpointId,
      );
      expect(foreign.values.messages ?? []).toEqual([]);
      expect(JSON.stringify(foreign)).not.toContain(SECRET);
      // A fork or a state update from the owner's checkpoint never reads the owner's state.
      const forked = await intruder.runs
        .wait(ownThreadId, 'chat', {
          input: human('fork'),
          checkpointId,
        })
        .catch((error: { status: number }) => error);
      expect(JSON.stringify(forked)).not.toContain(SECRET);
      const updated = await intruder.threads
        .updateState(ownThreadId, {
          values: { messages: [] },
          checkpointId,
        })
        .catch((error: { status: number }) => error);
      expect(JSON.stringify(updated)).not.toContain(SECRET);
      const history = await intruder.threads.getHistory(ownThreadId, {
        limit: 20,
        before: { configurable: { checkpoint_id: checkpointId } },
      });
      expect(JSON.stringify(history)).not.toContain(SECRET);
      const state = await intruder.threads.getState<{ messages: Message[] }>(ownThreadId);
      expect(JSON.stringify(state)).not.toContain(SECRET);

      // The owner's run and thread are as they were.
      expect((await owner.runs.get(threadId, runId)).status).toBe('success');
      const mine = await owner.threads.getState<{ messages: Message[] }>(threadId);
      expect(mine.checkpoint.checkpoint_id).toBe(checkpointId);
    });
  });
}

/**
 * Editing a message and regenerating a reply through the SDK (both versions), as Agent Chat
 * UI does: a run from an earlier checkpoint makes a branch whose values are its own.
 */
import { describe, expect, test } from 'bun:test';
import { signUp } from '../../../test/accounts.ts';
import { SDK_VERSIONS, sdkClient } from '../../../test/langgraph.ts';
import { useTestApp } from '../../../test/test-app.ts';

const t = useTestApp();

interface Message {
  id?: string;
  type: string;
  content: unknown;
}
type Values = { messages: Message[] };
const human = (content: string) => ({ messages: [{ type: 'human', content }] });
const contents = (values: Values) => values.messages.map((message) => String(message.content));

for (const { name, Client } of SDK_VERSIONS) {
  describe(name, () => {
    test('an edited message forks the thread: the run answers the edit, and the thread shows it', async () => {
      const client = sdkClient(Client, t.app, await signUp(t.app, t.deps));
      const { thread_id } = await client.threads.create();
      await client.runs.wait(thread_id, 'chat', { input: human('first question') });
      const firstTurn = await client.threads.getState<Values>(thread_id);
      const original = (await client.runs.wait(thread_id, 'chat', {
        input: human('second question'),
      })) as Values;

      // Agent Chat UI's edit: the new message, from the checkpoint before the one it replaces.
      const edited = (await client.runs.wait(thread_id, 'chat', {
        input: human('edited question'),
        checkpointId: firstTurn.checkpoint.checkpoint_id ?? '',
      })) as Values;
      expect(contents(edited).slice(2)).toEqual([
        'edited question',
        expect.stringContaining('edited question'),
      ]);
      const state = await client.threads.getState<Values>(thread_id);
      expect(contents(state.values)).toEqual(contents(edited));
      expect(state.parent_checkpoint?.checkpoint_id).not.toBe(firstTurn.checkpoint.checkpoint_id);

      // Regenerate the original second reply: a new reply on the original branch.
      const history = await client.threads.getHistory<Values>(thread_id, { limit: 20 });
      const beforeReply = history.find(
        (snapshot) =>
          snapshot.values.messages?.at(-1)?.content === 'second question' &&
          snapshot.next.includes('agent'),
      );
      expect(beforeReply).toBeDefined();
      const regenerated = (await client.runs.wait(thread_id, 'chat', {
        input: null,
        checkpointId: beforeReply?.checkpoint.checkpoint_id ?? '',
      })) as Values;
      expect(contents(regenerated)).toEqual(contents(original));
      expect(regenerated.messages.at(-1)?.id).not.toBe(original.messages.at(-1)?.id);
    });
  });
}

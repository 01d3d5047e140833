/**
 * The approval workflow through the SDK as Agent Chat UI drives it: its interrupt in the
 * human-in-the-loop shape (in `updates`, in the state's tasks and on the thread) and its
 * `{decisions: […]}` resume; `command.update` and `goto`.
 */
import { describe, expect, test } from 'bun:test';
import { chats, messages } from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import { signUp } from '../../../test/accounts.ts';
import { SDK_VERSIONS, sdkClient } from '../../../test/langgraph.ts';
import { useTestApp } from '../../../test/test-app.ts';

const t = useTestApp();

interface Interrupt {
  id: string;
  value: {
    action_requests: Array<{ name: string; args: { text: string } }>;
    review_configs: Array<{ action_name: string; allowed_decisions: string[] }>;
  };
}

for (const { name, Client } of SDK_VERSIONS) {
  describe(name, () => {
    test('the approval interrupt appears in updates, state and thread; an edit decision resumes it', async () => {
      const user = await signUp(t.app, t.deps);
      const client = sdkClient(Client, t.app, user);
      const thread = await client.threads.create();
      const events: Array<{ event: string; data: unknown }> = [];
      for await (const chunk of client.runs.stream(thread.thread_id, 'approval', {
        // What Agent Chat UI sends: messages, content as blocks.
        input: {
          messages: [{ type: 'human', content: [{ type: 'text', text: 'A welcome note' }] }],
        },
        streamMode: ['updates', 'values'],
      })) {
        events.push(chunk as { event: string; data: unknown });
      }
      const update = events.find(
        (event) => event.event === 'updates' && '__interrupt__' in (event.data as object),
      )?.data as { __interrupt__: Interrupt[] };
      const [pending] = update.__interrupt__;
      expect(pending?.value.action_requests[0]?.name).toBe('publish_draft');
      expect(pending?.value.action_requests[0]?.args.text).toContain('A welcome note');
      expect(pending?.value.review_configs[0]?.allowed_decisions).toEqual([
        'approve',
        'edit',
        'reject',
      ]);

      const waiting = await client.threads.get(thread.thread_id);
      expect(waiting.status).toBe('interrupted');
      expect(Object.values(waiting.interrupts ?? {}).flat()).toHaveLength(1);
      const state = await client.threads.getState(thread.thread_id);
      expect((state.tasks[0]?.interrupts[0] as Interrupt | undefined)?.id).toBe(pending?.id);

      // A malformed decision is refused before anything runs.
      await expect(
        client.runs.wait(thread.thread_id, 'approval', {
          command: { resume: { decisions: [{ type: 'maybe' }] } },
        }),
      ).rejects.toMatchObject({ status: 422 });

      const done = (await client.runs.wait(thread.thread_id, 'approval', {
        input: {},
        command: {
          resume: {
            decisions: [
              {
                type: 'edit',
                edited_action: { name: 'publish_draft', args: { text: 'Edited by a person' } },
              },
            ],
          },
        },
      })) as { status: string; chatId: string };
      expect(done.status).toBe('approved');
      const [stored] = await t.deps.database.db
        .select()
        .from(messages)
        .where(eq(messages.chatId, done.chatId));
      expect(stored?.content).toBe('Edited by a person');
      const [chat] = await t.deps.database.db.select().from(chats).where(eq(chats.id, done.chatId));
      expect(chat?.userId).toBe(user.id);
      const after = await client.threads.get(thread.thread_id);
      expect(after.status).toBe('idle');
      expect(after.interrupts).toEqual({});
      // Nothing waits any more: 409.
      await expect(
        client.runs.wait(thread.thread_id, 'approval', {
          command: { resume: { decisions: [{ type: 'approve' }] } },
        }),
      ).rejects.toMatchObject({ status: 409 });
    });
  });
}

describe('commands', () => {
  test('a reject decision ends the workflow; command.update and goto steer a thread', async () => {
    const user = await signUp(t.app, t.deps);
    const client = sdkClient(SDK_VERSIONS[1].Client, t.app, user);
    const thread = await client.threads.create();
    const waiting = (await client.runs.wait(thread.thread_id, 'approval', {
      input: { topic: 'A short poem' },
    })) as { __interrupt__?: Interrupt[] };
    expect(waiting.__interrupt__?.[0]?.value.action_requests).toHaveLength(1);
    const rejected = (await client.runs.wait(thread.thread_id, 'approval', {
      command: { resume: { decisions: [{ type: 'reject', message: 'Not now' }] } },
    })) as { status: string; decision: { reason?: string } };
    expect(rejected.status).toBe('rejected');
    expect(rejected.decision.reason).toBe('Not now');

    // On another thread: an update and a goto skip the draft.
    const other = await client.threads.create();
    const steered = (await client.runs.wait(other.thread_id, 'approval', {
      command: {
        update: {
          topic: 'Given',
          chatTitle: 'Steered',
          model: 'local',
          draft: 'Written by hand',
          status: 'awaiting_approval',
        },
        goto: 'review',
      },
    })) as { draft: string; __interrupt__?: Interrupt[] };
    expect(steered.draft).toBe('Written by hand');
    expect(steered.__interrupt__?.[0]?.value.action_requests[0]?.args.text).toBe('Written by hand');
  });
});

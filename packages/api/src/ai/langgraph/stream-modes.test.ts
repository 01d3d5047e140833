/**
 * The `events` and `debug` stream modes through the real SDK Client (both versions), in the
 * reference server's shapes: LangChain's stream events v2, and debug checkpoints with their
 * `checkpoint` / `parent_checkpoint` refs and configs without internal keys.
 */
import { describe, expect, test } from 'bun:test';
import { signUp } from '../../../test/accounts.ts';
import { SDK_VERSIONS, sdkClient } from '../../../test/langgraph.ts';
import { useTestApp } from '../../../test/test-app.ts';

const t = useTestApp();

interface Event {
  event: string;
  data: Record<string, unknown>;
}

const human = (content: string) => ({ messages: [{ type: 'human', content }] });

for (const { name, Client } of SDK_VERSIONS) {
  describe(name, () => {
    const streamed = async (streamMode: string[]) => {
      const client = sdkClient(Client, t.app, await signUp(t.app, t.deps));
      const thread = await client.threads.create();
      const events: Event[] = [];
      for await (const chunk of client.runs.stream(thread.thread_id, 'chat', {
        input: human('Hello there'),
        streamMode: streamMode as never,
      })) {
        events.push(chunk as unknown as Event);
      }
      return events;
    };

    test('stream mode events: LangChain stream events v2, the model tokens among them', async () => {
      const events = await streamed(['events']);
      expect(events[0]?.event).toBe('metadata');
      const names = new Set(events.slice(1).map((event) => event.event));
      expect([...names]).toEqual(['events']);
      const kinds = events.slice(1).map((event) => event.data.event);
      expect(kinds).toContain('on_chain_start');
      expect(kinds).toContain('on_chat_model_stream');
      expect(kinds.at(-1)).toBe('on_chain_end');
      const token = events.find((event) => event.data.event === 'on_chat_model_stream');
      // The token's message chunk is a plain dict like every message the API sends.
      expect(token?.data).toMatchObject({
        run_id: expect.any(String),
        name: expect.any(String),
        data: { chunk: { type: 'ai', content: expect.any(String) } },
      });
    });

    test('events beside another mode: both streams, nothing of a mode not asked for', async () => {
      const events = await streamed(['events', 'updates']);
      const names = new Set(events.map((event) => event.event));
      expect(names).toEqual(new Set(['metadata', 'events', 'updates']));
      const updates = events.filter((event) => event.event === 'updates');
      expect(updates.some((event) => 'agent' in event.data)).toBe(true);
    });

    test('stream mode debug: checkpoints with refs and public configs, task results', async () => {
      const events = await streamed(['debug']);
      const debug = events.filter((event) => event.event === 'debug').map((event) => event.data);
      const types = new Set(debug.map((chunk) => chunk.type));
      expect(types.has('checkpoint')).toBe(true);
      expect(types.has('task_result')).toBe(true);
      for (const chunk of debug) {
        expect(chunk).toMatchObject({ timestamp: expect.anything(), step: expect.any(Number) });
      }
      const checkpoints = debug
        .filter((chunk) => chunk.type === 'checkpoint')
        .map((chunk) => chunk.payload as Record<string, unknown>);
      const last = checkpoints.at(-1) as Record<string, unknown>;
      expect(last).toHaveProperty('parent_config');
      expect(last).not.toHaveProperty('parentConfig');
      expect(last.checkpoint).toMatchObject({ checkpoint_id: expect.any(String) });
      expect(last.parent_checkpoint).toMatchObject({ checkpoint_id: expect.any(String) });
      const configurable = (last.config as { configurable: Record<string, unknown> }).configurable;
      expect(Object.keys(configurable).filter((key) => key.startsWith('__'))).toEqual([]);
      expect(last.values).toMatchObject({ messages: expect.any(Array) });
    });
  });
}

/**
 * A chat run that streams tokens sends its first model call as soon as its row is written and
 * its reservation taken, while the graph starts; the graph's call is answered by that request.
 * Through the real SDK against a provider (the scripted OpenAI-compatible server): every run
 * sends each model call exactly once, with the thread's history, the tools and the input,
 * whatever the stream modes.
 */
import { beforeEach, describe, expect, test } from 'bun:test';
import { Client } from '@langchain/langgraph-sdk';
import { collect, sdkClient } from '../../../test/langgraph.ts';
import { useOpenAiTestApp } from '../../../test/test-app.ts';

const t = useOpenAiTestApp();

const human = (content: string) => ({ messages: [{ type: 'human', content }] });
const completions = () => t.server.requests.filter((r) => r.path.endsWith('/chat/completions'));
const text = (events: Awaited<ReturnType<typeof collect>>) =>
  events
    .filter((event) => event.event === 'messages')
    .map((event) => (event.data as [{ content: string }])[0].content)
    .join('');

beforeEach(() => t.server.reset());

describe('a chat run streaming tokens from a provider', () => {
  test('sends its first model call once, and a second run sends the history with it', async () => {
    const client = sdkClient(Client, t.app, t.user);
    const thread = await client.threads.create();
    t.server.script({ content: 'First answer.' }, { content: 'Second answer.' });
    const first = await collect(
      client.runs.stream(thread.thread_id, 'chat', {
        input: human('One'),
        streamMode: ['messages-tuple'],
      }),
    );
    expect(text(first)).toBe('First answer.');
    expect(completions()).toHaveLength(1);
    const second = await collect(
      client.runs.stream(thread.thread_id, 'chat', {
        input: human('Two'),
        streamMode: ['messages-tuple', 'values'],
      }),
    );
    expect(text(second)).toBe('Second answer.');
    expect(completions()).toHaveLength(2);
    const sent = completions()[1]?.body;
    expect(sent?.stream).toBe(true);
    expect(sent?.messages?.map((message) => [message.role, message.content])).toEqual([
      ['system', expect.any(String)],
      ['user', 'One'],
      ['assistant', 'First answer.'],
      ['user', 'Two'],
    ]);
    expect(sent?.tools?.map((tool) => tool.function.name)).toContain('calculator');
  });

  test('a reply that calls a tool: the second call is the graph’s own, each sent once', async () => {
    const client = sdkClient(Client, t.app, t.user);
    const thread = await client.threads.create();
    t.server.script(
      { toolCalls: [{ id: 'call-1', name: 'calculator', arguments: '{"expression":"6*7"}' }] },
      { content: 'It is 42.' },
    );
    const events = await collect(
      client.runs.stream(thread.thread_id, 'chat', {
        input: human('What is 6*7?'),
        streamMode: ['messages-tuple'],
      }),
    );
    expect(text(events)).toContain('It is 42.');
    expect(completions()).toHaveLength(2);
    expect(completions()[1]?.body.messages?.at(-1)).toMatchObject({ role: 'tool' });
  });

  test('a run that streams no tokens makes its one call as the graph reaches it', async () => {
    const client = sdkClient(Client, t.app, t.user);
    const thread = await client.threads.create();
    t.server.script({ content: 'Values only.' });
    const events = await collect(
      client.runs.stream(thread.thread_id, 'chat', {
        input: human('Hello'),
        streamMode: ['values'],
      }),
    );
    expect(events.at(-1)?.event).toBe('values');
    expect(completions()).toHaveLength(1);
  });

  test('a run edited from an earlier checkpoint sends the prompt of that branch, once', async () => {
    const client = sdkClient(Client, t.app, t.user);
    const thread = await client.threads.create();
    t.server.script({ content: 'Original.' }, { content: 'Edited.' });
    await collect(
      client.runs.stream(thread.thread_id, 'chat', {
        input: human('Original question'),
        streamMode: ['messages-tuple'],
      }),
    );
    const history = await client.threads.getHistory(thread.thread_id);
    const before = history.find(
      (state) => state.next.includes('agent') === false && state.metadata?.step === -1,
    );
    const events = await collect(
      client.runs.stream(thread.thread_id, 'chat', {
        input: human('Edited question'),
        streamMode: ['messages-tuple'],
        ...(before?.checkpoint ? { checkpoint: before.checkpoint } : {}),
      }),
    );
    expect(text(events)).toBe('Edited.');
    expect(completions()).toHaveLength(2);
    const contents = completions()[1]?.body.messages?.map((message) => message.content);
    expect(contents).toContain('Edited question');
    expect(contents).not.toContain('Original question');
  });
});

/**
 * Every event of every stream matches the schema the document declares for it: the chat
 * reply, the agent run (chosen by `Accept: text/event-stream`, or `stream: true` as before)
 * and the workflow run, on success and on failure, checked by the same response checker
 * the fuzz suite uses.
 */
import { describe, expect, test } from 'bun:test';
import { jsonRequest } from '../accounts.ts';
import { parseSse } from '../sse.ts';
import { useOpenAiTestApp } from '../test-app.ts';
import { listOperations, type Operation, useDocument } from './document.ts';

const t = useOpenAiTestApp();
const spec = useDocument(t);

const operation = (key: string): Operation => {
  const found = listOperations(spec.doc).find((op) => op.key === key);
  if (!found) throw new Error(`${key} is not in the document`);
  return found;
};

/** Checks the response against the document; answers the names of its events. */
async function conforming(key: string, response: Response, type = 'text/event-stream') {
  if (!response.headers.get('content-type')?.includes(type))
    throw new Error(`${key} answered ${response.status} ${await response.text()}`);
  const result = await spec.check(operation(key), response);
  expect(result.problems).toEqual([]);
  return typeof result.body === 'string' ? parseSse(result.body).map((event) => event.event) : [];
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  t.app.request(path, jsonRequest('POST', body, { ...t.user.headers, ...headers }));

const CHAT = 'POST /api/ai/chat/stream';
const RUN = 'POST /api/ai/agents/{agentId}/runs';
const GRAPH = 'POST /api/ai/graphs/{graphId}/stream';

describe('the document types every stream event', () => {
  test('each stream operation declares its events as a named union, not a string', () => {
    for (const [key, name] of [
      [CHAT, 'AiChatStreamEvent'],
      [RUN, 'AiAgentRunEvent'],
      [GRAPH, 'AiGraphStreamEvent'],
    ] as const) {
      const content = operation(key).operation.responses['200']?.content;
      expect(content?.['text/event-stream']?.schema).toEqual({
        $ref: `#/components/schemas/${name}`,
      });
    }
    // JSON and the stream are two media types of the agent run, each with its own schema.
    expect(
      operation(RUN).operation.responses['200']?.content?.['application/json']?.schema,
    ).toEqual({ $ref: '#/components/schemas/AiAgentRun' });
  });

  test('a chat reply: start, tokens, end', async () => {
    t.server.reset();
    t.server.script({ chunks: ['Typed', ' events'] });
    const names = await conforming(CHAT, await post('/api/ai/chat/stream', { message: 'hi' }));
    expect(names).toEqual(['start', 'token', 'token', 'end']);
  });

  test('a chat reply the provider drops: error, then end', async () => {
    t.server.reset();
    t.server.script({ chunks: ['one', ' two', ' three'], failAfterChunks: 2, tokenDelayMs: 20 });
    const names = await conforming(CHAT, await post('/api/ai/chat/stream', { message: 'fail' }));
    expect(names.slice(-2)).toEqual(['error', 'end']);
  });

  const toolThenAnswer = () => {
    t.server.reset();
    t.server.script(
      { toolCalls: [{ name: 'calculator', arguments: { expression: '12 * (3 + 4)' } }] },
      { content: 'It is 84.' },
    );
  };

  test('an agent run with Accept: text/event-stream streams tool calls, results, tokens, end', async () => {
    toolThenAnswer();
    const names = await conforming(
      RUN,
      await post(
        '/api/ai/agents/assistant/runs',
        { input: 'What is 12 * (3 + 4)?' },
        { accept: 'text/event-stream' },
      ),
    );
    expect(names[0]).toBe('tool_call');
    expect(names).toContain('tool_result');
    expect(names).toContain('token');
    expect(names.at(-1)).toBe('end');
  });

  test('an agent run with stream: true still streams; without either it answers JSON', async () => {
    toolThenAnswer();
    const streamed = await conforming(
      RUN,
      await post('/api/ai/agents/assistant/runs', {
        input: 'What is 2 + 2?',
        stream: true,
      }),
    );
    expect(streamed.at(-1)).toBe('end');
    toolThenAnswer();
    const json = await post('/api/ai/agents/assistant/runs', {
      input: 'What is 2 + 2?',
    });
    expect(json.status).toBe(200);
    await conforming(RUN, json, 'application/json');
  });

  test('an agent run that exceeds its steps: error, then end', async () => {
    toolThenAnswer();
    const names = await conforming(
      RUN,
      await post(
        '/api/ai/agents/assistant/runs',
        { input: 'What is 12 * (3 + 4)?', maxSteps: 1 },
        { accept: 'text/event-stream' },
      ),
    );
    expect(names.slice(-2)).toEqual(['error', 'end']);
  });

  test('a workflow run: updates, values, messages, end', async () => {
    const started = await post('/api/ai/graphs', {
      graph: 'approval',
      input: { topic: 'Typed streams', model: 'gpt-test' },
    });
    expect(started.status).toBe(201);
    const { graphId } = (await started.json()) as { graphId: string };
    t.server.reset();
    t.server.script({ content: 'A typed draft.' });
    const names = await conforming(GRAPH, await post(`/api/ai/graphs/${graphId}/stream`, {}));
    expect(names.at(-1)).toBe('end');
    expect(new Set(names)).toEqual(new Set(['updates', 'values', 'messages', 'end']));
  });

  test('a useChat turn (the AI SDK UI message stream): every chunk as declared', async () => {
    t.server.reset();
    t.server.script({ chunks: ['UI', ' chunks'] });
    const response = await post('/api/ai/chat/ui', {
      id: 'conformance',
      messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'hi' }] }],
    });
    const names = await conforming('POST /api/ai/chat/ui', response);
    // Unnamed events: each is one chunk, `[DONE]` last.
    expect(names.every((name) => name === 'message')).toBe(true);
  });

  test('an agent run for useChat (the AI SDK UI message stream, with tool chunks): every chunk as declared', async () => {
    toolThenAnswer();
    const response = await post('/api/ai/agents/assistant/runs/ui', {
      id: 'conformance',
      messages: [
        { id: 'm1', role: 'user', parts: [{ type: 'text', text: 'What is 12 * (3 + 4)?' }] },
      ],
    });
    const names = await conforming('POST /api/ai/agents/{agentId}/runs/ui', response);
    expect(names.length).toBeGreaterThan(5);
  });

  test('the check fails an event the document does not declare, or a payload of the wrong shape', async () => {
    const stream = (text: string) =>
      new Response(text, { headers: { 'content-type': 'text/event-stream' } });
    const unknown = await spec.check(operation(CHAT), stream('event: surprise\ndata: {}\n\n'));
    expect(unknown.problems.join()).toContain('does not match the declared schema');
    const wrong = await spec.check(operation(CHAT), stream('event: token\ndata: {"text":42}\n\n'));
    expect(wrong.problems.join()).toContain('does not match the declared schema');
    const chunk = await spec.check(
      operation('POST /api/ai/chat/ui'),
      stream('data: {"type":"text-delta","delta":"no id"}\n\n'),
    );
    expect(chunk.problems.join()).toContain('does not match the declared schema');
  });
});

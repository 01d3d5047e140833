/**
 * POST /api/ai/agents/{agentId}/runs/ui: an agent run as the AI SDK's UI message stream,
 * read by the `ai` package's own `DefaultChatTransport` and `readUIMessageStream`: tool calls
 * and their results become the protocol's tool parts, the answer a text part.
 */
import { describe, expect, test } from 'bun:test';
import type { UIMessage } from 'ai';
import { useOpenAiTestApp } from '../../../test/test-app.ts';
import { sendUiMessages } from '../../../test/ui-transport.ts';

type Metadata = { agent?: string; steps?: number; toolCalls?: number };

const t = useOpenAiTestApp();

const run = (agent: string, text: string, body: Record<string, unknown> = {}) =>
  sendUiMessages<UIMessage<Metadata>>(t.app, {
    path: `/api/ai/agents/${agent}/runs/ui`,
    headers: t.user.headers,
    body,
    chatId: 'agent-ui',
    messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text }] }],
  });

describe('an agent run through the AI SDK transport', () => {
  test('tool calls and results arrive as tool parts, then the answer as text, with the run in metadata', async () => {
    t.server.reset();
    t.server.script(
      {
        toolCalls: [
          { id: 'call-1', name: 'calculator', arguments: { expression: '12 * (3 + 4)' } },
        ],
      },
      { content: 'It is 84.' },
    );
    const { message, errors } = await run('assistant', 'What is 12 * (3 + 4)?');
    expect(errors).toEqual([]);
    const tool = message?.parts.find((part) => part.type === 'tool-calculator') as
      | { type: string; toolCallId: string; state: string; input: unknown; output: unknown }
      | undefined;
    expect(tool).toMatchObject({
      toolCallId: 'call-1',
      state: 'output-available',
      input: { expression: '12 * (3 + 4)' },
      output: '84',
    });
    const text = message?.parts.filter((part) => part.type === 'text').map((part) => part.text);
    expect(text).toEqual(['It is 84.']);
    expect(message?.metadata).toMatchObject({ agent: 'assistant', steps: 2, toolCalls: 1 });
  });

  test('a run over its step limit ends with an error chunk', async () => {
    t.server.reset();
    t.server.script(
      { toolCalls: [{ name: 'calculator', arguments: { expression: '1 + 1' } }] },
      { content: 'never reached' },
    );
    const { errors } = await run('assistant', 'Loop', { maxSteps: 1 });
    expect(errors.length).toBe(1);
  });

  test('an unknown agent is a JSON 404 before any stream', async () => {
    const response = await t.app.request('/api/ai/agents/nobody/runs/ui', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...t.user.headers },
      body: JSON.stringify({
        id: 'x',
        messages: [{ id: 'u', role: 'user', parts: [{ type: 'text', text: 'hi' }] }],
      }),
    });
    expect(response.status).toBe(404);
  });
});

/**
 * POST /api/ai/chat/ui speaks the AI SDK's UI message stream protocol: driven here by the
 * `ai` package's own `DefaultChatTransport` and `readUIMessageStream`, the way `useChat`
 * drives it (useChat itself: use-chat.test.ts).
 */
import { describe, expect, test } from 'bun:test';
import { DefaultChatTransport, readUIMessageStream, type UIMessage } from 'ai';
import { jsonRequest, signUp } from '../../../test/accounts.ts';
import { useOpenAiTestApp } from '../../../test/test-app.ts';

type Metadata = {
  chatId?: string;
  messageId?: string;
  status?: string;
  usage?: { promptTokens: number; completionTokens: number; totalTokens: number };
};

const t = useOpenAiTestApp();

/** The AI SDK's transport, sending through the app (with the user's session). */
const transport = () =>
  new DefaultChatTransport<UIMessage<Metadata>>({
    api: 'http://localhost/api/ai/chat/ui',
    headers: t.user.headers,
    fetch: ((input: RequestInfo | URL, init?: RequestInit) =>
      t.app.request(String(input), init)) as typeof fetch,
  });

const userMessage = (text: string): UIMessage<Metadata> => ({
  id: crypto.randomUUID(),
  role: 'user',
  parts: [{ type: 'text', text }],
});

/** Sends `messages` as useChat does and reads the reply to its last state. */
async function send(chatId: string, messages: UIMessage<Metadata>[]) {
  const errors: unknown[] = [];
  const chunks = await transport().sendMessages({
    chatId,
    messages,
    trigger: 'submit-message',
    messageId: undefined,
    abortSignal: undefined,
  });
  let last: UIMessage<Metadata> | undefined;
  for await (const message of readUIMessageStream<UIMessage<Metadata>>({
    stream: chunks,
    onError: (error) => errors.push(error),
  })) {
    last = message;
  }
  return { message: last, errors };
}

const textOf = (message: UIMessage | undefined) =>
  (message?.parts ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('');

describe('POST /api/ai/chat/ui with the AI SDK transport', () => {
  test('answers the UI message stream protocol, marked with its header', async () => {
    t.server.reset();
    t.server.script({ chunks: ['Hi'] });
    const response = await t.app.request(
      '/api/ai/chat/ui',
      jsonRequest(
        'POST',
        { id: 'new-chat', messages: [userMessage('hello')], trigger: 'submit-message' },
        t.user.headers,
      ),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    const text = await response.text();
    expect(text).not.toContain('event:');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  test('a new chat: the reply streams as text, usage and the stored ids arrive as metadata, both turns are stored', async () => {
    t.server.reset();
    t.server.script({
      chunks: ['Hello', ' from', ' the', ' model'],
      usage: { prompt: 7, completion: 4 },
    });
    const { message, errors } = await send('client-side-id', [userMessage('Say hello')]);
    expect(errors).toEqual([]);
    expect(message?.role).toBe('assistant');
    expect(textOf(message)).toBe('Hello from the model');
    const metadata = message?.metadata;
    expect(metadata?.status).toBe('complete');
    expect(metadata?.usage).toMatchObject({
      promptTokens: 7,
      completionTokens: 4,
      totalTokens: 11,
    });
    const stored = await t.app.request(`/api/chats/${metadata?.chatId}/messages`, {
      headers: t.user.headers,
    });
    expect(stored.status).toBe(200);
    const { items } = (await stored.json()) as {
      items: Array<{ id: string; role: string; content: string }>;
    };
    expect(items.map((item) => [item.role, item.content])).toEqual([
      ['user', 'Say hello'],
      ['assistant', 'Hello from the model'],
    ]);
    expect(items[1]?.id).toBe(metadata?.messageId ?? '');
  });

  test("useChat's id set to a chat's id continues that chat, with its history as the model's memory", async () => {
    t.server.reset();
    t.server.script({ content: 'First answer' });
    const first = await send('fresh', [userMessage('Remember the number 42')]);
    const chatId = first.message?.metadata?.chatId ?? '';
    t.server.script({ content: 'It was 42' });
    const second = await send(chatId, [
      userMessage('Remember the number 42'),
      first.message as UIMessage<Metadata>,
      userMessage('Which number?'),
    ]);
    expect(textOf(second.message)).toBe('It was 42');
    expect(second.message?.metadata?.chatId).toBe(chatId);
    const prompt = JSON.stringify(t.server.requests.at(-1)?.body);
    expect(prompt).toContain('Remember the number 42');
    expect(prompt).toContain('First answer');
  });

  test('the model failing mid-way reaches the client as an error chunk; what streamed is stored, incomplete', async () => {
    t.server.reset();
    t.server.script({ chunks: ['one', ' two', ' three'], failAfterChunks: 2, tokenDelayMs: 20 });
    const { message, errors } = await send('failing', [userMessage('fail me')]);
    expect(errors.length).toBe(1);
    expect(String(errors[0])).toContain('provider');
    expect(message?.metadata?.status).toBe('incomplete');
  });

  test('a last message that is not the user’s, or a regenerate, is a 422 in the error shape', async () => {
    const assistantLast = await t.app.request(
      '/api/ai/chat/ui',
      jsonRequest(
        'POST',
        {
          id: 'x',
          messages: [{ id: 'a', role: 'assistant', parts: [{ type: 'text', text: 'hi' }] }],
        },
        t.user.headers,
      ),
    );
    expect(assistantLast.status).toBe(422);
    const regenerate = await t.app.request(
      '/api/ai/chat/ui',
      jsonRequest(
        'POST',
        { id: 'x', messages: [userMessage('hi')], trigger: 'regenerate-message' },
        t.user.headers,
      ),
    );
    expect(regenerate.status).toBe(422);
    expect(((await regenerate.json()) as { error: { code: string } }).error.code).toBe(
      'VALIDATION_FAILED',
    );
  });

  test("another user's chat id answers 404, as for every chat route", async () => {
    const other = await signUp(t.app, t.deps);
    const chat = await t.app.request(
      '/api/chats',
      jsonRequest('POST', { title: 'theirs' }, other.headers),
    );
    const { id } = (await chat.json()) as { id: string };
    const response = await t.app.request(
      '/api/ai/chat/ui',
      jsonRequest('POST', { id, messages: [userMessage('hi')] }, t.user.headers),
    );
    expect(response.status).toBe(404);
  });
});

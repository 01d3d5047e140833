/**
 * POST /api/ai/chat/ui speaks the AI SDK's UI message stream protocol: driven here by the
 * `ai` package's own `DefaultChatTransport` and `readUIMessageStream`, the way `useChat`
 * drives it (useChat itself: use-chat.test.ts).
 */
import { describe, expect, test } from 'bun:test';
import type { UIMessage } from 'ai';
import { jsonRequest, signUp } from '../../../test/accounts.ts';
import { useOpenAiTestApp } from '../../../test/test-app.ts';
import { sendUiMessages } from '../../../test/ui-transport.ts';

type Metadata = {
  chatId?: string;
  messageId?: string;
  status?: string;
  usage?: { promptTokens: number; completionTokens: number; totalTokens: number };
};

const t = useOpenAiTestApp();

const userMessage = (text: string): UIMessage<Metadata> => ({
  id: crypto.randomUUID(),
  role: 'user',
  parts: [{ type: 'text', text }],
});

/** Sends `messages` as useChat does (with the user's session) and reads the reply. */
const send = (chatId: string, messages: UIMessage<Metadata>[]) =>
  sendUiMessages(t.app, { path: '/api/ai/chat/ui', headers: t.user.headers, chatId, messages });

/** Posts `body` to the UI stream route with the user's session, as a raw request. */
const postUi = (body: unknown) =>
  t.app.request('/api/ai/chat/ui', jsonRequest('POST', body, t.user.headers));

const textOf = (message: UIMessage | undefined) =>
  (message?.parts ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('');

describe('POST /api/ai/chat/ui with the AI SDK transport', () => {
  test('answers the UI message stream protocol, marked with its header', async () => {
    t.server.reset();
    t.server.script({ chunks: ['Hi'] });
    const response = await postUi({
      id: 'new-chat',
      messages: [userMessage('hello')],
      trigger: 'submit-message',
    });
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
    const assistantLast = await postUi({
      id: 'x',
      messages: [{ id: 'a', role: 'assistant', parts: [{ type: 'text', text: 'hi' }] }],
    });
    expect(assistantLast.status).toBe(422);
    const regenerate = await postUi({
      id: 'x',
      messages: [userMessage('hi')],
      trigger: 'regenerate-message',
    });
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
    const response = await postUi({ id, messages: [userMessage('hi')] });
    expect(response.status).toBe(404);
  });
});

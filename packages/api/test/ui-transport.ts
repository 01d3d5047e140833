/**
 * The AI SDK's own client side of the UI message stream: `DefaultChatTransport` sending
 * through `app.request`, and `readUIMessageStream` reading the reply, as `useChat` does.
 */
import { DefaultChatTransport, readUIMessageStream, type UIMessage } from 'ai';
import type { App } from '../src/app.ts';

export interface UiSend<M extends UIMessage> {
  /** The route, e.g. `/api/ai/chat/ui`. */
  path: string;
  /** The caller's headers (its session). */
  headers: Record<string, string>;
  chatId: string;
  messages: M[];
  /** Fields the transport adds to the request body. @default none */
  body?: Record<string, unknown>;
}

/** Sends `messages` as useChat does and reads the reply to its last state. */
export async function sendUiMessages<M extends UIMessage>(
  app: App,
  { path, headers, chatId, messages, body }: UiSend<M>,
): Promise<{ message: M | undefined; errors: unknown[] }> {
  const transport = new DefaultChatTransport<M>({
    api: `http://localhost${path}`,
    headers,
    body,
    fetch: ((input: RequestInfo | URL, init?: RequestInit) =>
      app.request(String(input), init)) as typeof fetch,
  });
  const chunks = await transport.sendMessages({
    chatId,
    messages,
    trigger: 'submit-message',
    messageId: undefined,
    abortSignal: undefined,
  });
  const errors: unknown[] = [];
  let last: M | undefined;
  for await (const message of readUIMessageStream<M>({
    stream: chunks,
    onError: (error) => errors.push(error),
  })) {
    last = message;
  }
  return { message: last, errors };
}

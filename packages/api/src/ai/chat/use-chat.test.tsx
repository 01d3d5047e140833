/**
 * `useChat` from `@ai-sdk/react` against POST /api/ai/chat/ui, in React 19 under happy-dom:
 * the component is the `tsx` block of docs/clients.md's "useChat" section, run as written.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ComponentType } from 'react';
import { jsonRequest, signUp, type TestUser } from '../../../test/accounts.ts';
import { registerDom, type Testing, unregisterDom } from '../../../test/dom.ts';
import {
  type OpenAiTestServer,
  openAiTestEnv,
  startOpenAiServer,
} from '../../../test/openai-server.ts';
import { createTestDeps } from '../../../test/test-deps.ts';
import { createApp } from '../../app.ts';
import type { AppDeps } from '../../deps.ts';

const DOC = fileURLToPath(new URL('../../../../../docs/clients.md', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../../../test/artifacts/', import.meta.url));

/** The `tsx` block of the doc's "useChat" section. */
function exampleFromDoc(): string {
  const doc = readFileSync(DOC, 'utf8');
  const section = doc.slice(doc.indexOf('## useChat'));
  const block = /```tsx\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('docs/clients.md has no tsx block under "## useChat"');
  return block;
}

type ChatProps = { apiUrl: string; chatId?: string; headers?: Record<string, string> };

let server: OpenAiTestServer;
let deps: AppDeps;
let api: ReturnType<typeof Bun.serve>;
let apiUrl: string;
let user: TestUser;
let Chat: ComponentType<ChatProps>;
let rtl: Testing;

beforeAll(async () => {
  server = await startOpenAiServer();
  deps = await createTestDeps({ env: openAiTestEnv(server) });
  const app = createApp(deps);
  api = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (request) => app.fetch(request) });
  apiUrl = `http://127.0.0.1:${api.port}`;
  user = await signUp(app, deps);

  rtl = await registerDom();

  mkdirSync(ARTIFACTS, { recursive: true });
  const file = `${ARTIFACTS}use-chat-example.tsx`;
  writeFileSync(file, exampleFromDoc());
  ({ Chat } = (await import(file)) as { Chat: ComponentType<ChatProps> });
}, 60_000);

afterAll(async () => {
  await unregisterDom(rtl);
  api?.stop(true);
  await deps?.close();
  await server?.close();
});

async function type(text: string) {
  const { fireEvent, screen } = rtl;
  fireEvent.change(screen.getByLabelText('Message'), { target: { value: text } });
  fireEvent.click(screen.getByRole('button', { name: 'Send' }));
}

describe("the docs' useChat component", () => {
  test('sends a message, streams the reply in, shows its usage, and the turn is stored', async () => {
    const { render, screen, waitFor } = rtl;
    server.reset();
    server.script({ chunks: ['Hello', ' from', ' useChat'], usage: { prompt: 5, completion: 3 } });
    render(<Chat apiUrl={apiUrl} headers={{ authorization: `Bearer ${user.bearer}` }} />);
    await type('Hi there');
    await waitFor(
      () => {
        const replies = document.querySelectorAll('[data-role="assistant"]');
        expect(replies[0]?.textContent).toBe('Hello from useChat (8 tokens)');
      },
      { timeout: 10_000 },
    );
    expect(document.querySelector('[data-role="user"]')?.textContent).toBe('Hi there');
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Send' }).hasAttribute('disabled')).toBe(false),
    );
    const chats = await api.fetch(
      new Request(`${apiUrl}/api/chats`, { headers: { authorization: `Bearer ${user.bearer}` } }),
    );
    const { items } = (await chats.json()) as { items: Array<{ id: string }> };
    expect(items.length).toBe(1);
    rtl.cleanup();
  }, 30_000);

  test("continues a stored chat given its id, and shows the API's error when the model fails", async () => {
    const { render, screen, waitFor } = rtl;
    const created = await api.fetch(
      new Request(
        `${apiUrl}/api/chats`,
        jsonRequest('POST', { title: 'Existing' }, { authorization: `Bearer ${user.bearer}` }),
      ),
    );
    const { id } = (await created.json()) as { id: string };
    server.reset();
    server.script({ chunks: ['partial', ' reply', ' lost'], failAfterChunks: 2, tokenDelayMs: 20 });
    render(
      <Chat apiUrl={apiUrl} chatId={id} headers={{ authorization: `Bearer ${user.bearer}` }} />,
    );
    await type('Break please');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('provider'), {
      timeout: 10_000,
    });
    // The turn is stored as the stream ends, just after the error chunk.
    await waitFor(
      async () => {
        const stored = await api.fetch(
          new Request(`${apiUrl}/api/chats/${id}/messages`, {
            headers: { authorization: `Bearer ${user.bearer}` },
          }),
        );
        const { items } = (await stored.json()) as {
          items: Array<{ role: string; status: string }>;
        };
        expect(items.map((item) => [item.role, item.status])).toEqual([
          ['user', 'complete'],
          ['assistant', 'incomplete'],
        ]);
      },
      { timeout: 10_000 },
    );
    rtl.cleanup();
  }, 30_000);
});

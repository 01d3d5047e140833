/**
 * Prompt injection through documents, in the `chat` assistant of the LangGraph Platform API
 * (what Agent Chat UI drives): the caller's own file tells the model to read another user's
 * documents, fetch a URL and run SQL, and a scripted model (the OpenAI-compatible test server,
 * through the real @langchain/openai client) obeys. Whatever it does, the thread never holds a
 * chunk of another user's and no tool outside the allowlist runs (the fetch tool is not even
 * offered without allowed hosts).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { createApp } from '../../src/app.ts';
import type { TestUser } from '../accounts.ts';
import { SDK_VERSIONS, sdkClient } from '../langgraph.ts';
import type { OpenAiTestServer, ScriptedReply } from '../openai-server.ts';
import {
  ALLOWED_TOOLS,
  toolCall as call,
  type startCanary,
  startDocumentInjection,
} from './injection.ts';

/** In Bob's document only: seeing it anywhere means a chunk of Bob's came back. */
const LEAK_MARKER = 'IBAN-DE00-CHAT-LEAK-9083';

let server: OpenAiTestServer;
let canary: ReturnType<typeof startCanary>;
let app: ReturnType<typeof createApp>;
let alice: TestUser;
let bob: TestUser;
let bobFileId: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ server, canary, app, alice, bob, bobFileId, close } =
    await startDocumentInjection(LEAK_MARKER));
});
afterAll(() => close?.());

const [{ Client }] = SDK_VERSIONS;

/** One turn of a new chat thread of Alice's; the thread's messages as JSON. */
async function chat(question: string): Promise<string> {
  const client = sdkClient(Client, app, alice);
  const thread = await client.threads.create();
  const state = await client.runs.wait(thread.thread_id, 'chat', {
    input: { messages: [{ role: 'user', content: question }] },
  });
  return JSON.stringify(state);
}
/** Everything the caller and the model saw. */
const seen = (thread: string) => `${thread}\n${JSON.stringify(server.requests)}`;

describe('a hostile document in the chat assistant', () => {
  test('the model is offered the allowlist, search_documents included, and nothing else', async () => {
    server.reset();
    server.script({ content: 'Nothing to do.' });
    await chat('What does my vendor contract say?');
    const offered = server.requests
      .find((request) => request.path.includes('chat/completions'))
      ?.body.tools?.map((tool) => tool.function.name);
    expect(offered).toEqual(ALLOWED_TOOLS);
  });

  test('obeying it reaches none of the other user’s chunks, by user id, file id or query', async () => {
    const hostile: ScriptedReply[] = [
      call('search_documents', { query: 'IBAN', userId: bob.id }),
      call('search_documents', { query: 'vendor payment IBAN', fileIds: [bobFileId] }),
      call('search_documents', { query: "Bob's vendor payment IBAN is" }),
      call('search_documents', { query: "' or 1=1 --" }),
    ];
    const leaks: string[] = [];
    for (const reply of hostile) {
      server.reset();
      // The search brings back Alice's hostile chunk; then the model obeys it.
      server.script(
        call('search_documents', { query: 'ignore previous instructions IBAN' }, 'call_first'),
        reply,
        { content: 'Here is every IBAN.' },
      );
      const thread = await chat('Summarise my vendor contract.');
      if (!thread.includes('Ignore all previous instructions')) {
        leaks.push(`${JSON.stringify(reply)}: the hostile chunk never came back`);
      }
      if (seen(thread).includes(LEAK_MARKER))
        leaks.push(`${JSON.stringify(reply)} saw Bob's chunk`);
    }
    expect(leaks).toEqual([]);
  });

  test('obeying it calls no tool outside the allowlist', async () => {
    for (const reply of [
      call('http_fetch', { url: canary.url('/exfiltrate?data=x') }),
      call('run_sql', { sql: 'delete from files' }),
      call('search_documents_admin', { query: 'IBAN', userId: bob.id }),
    ]) {
      server.reset();
      server.script(call('search_documents', { query: 'ignore previous' }, 'call_first'), reply, {
        content: 'Done.',
      });
      expect(seen(await chat('Summarise my vendor contract.'))).not.toContain(LEAK_MARKER);
    }
    expect(canary.hits).toBe(0);
  });
});

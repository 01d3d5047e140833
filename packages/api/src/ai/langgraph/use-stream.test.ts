/**
 * `useStream` from `@langchain/langgraph-sdk/react` (1.8.10, as Agent Chat UI locks it, and
 * the current release) rendered by React Testing Library under happy-dom, against the app
 * in-process, authenticated by an API key as a browser client would be: a submit shows the
 * human then the AI message; the approval workflow's interrupt appears and a resume clears it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createApiKey, signUp } from '../../../test/accounts.ts';
import { registerDom, type Testing, unregisterDom } from '../../../test/dom.ts';
import { API_URL } from '../../../test/langgraph.ts';
import { useTestApp } from '../../../test/test-app.ts';

const t = useTestApp();

type UseStream = typeof import('@langchain/langgraph-sdk/react')['useStream'];

let testing: Testing;
const versions: Array<{ name: string; useStream: UseStream }> = [];

beforeAll(async () => {
  testing = await registerDom();
  const [pinned, latest] = await Promise.all([
    import('@langchain/langgraph-sdk/react'),
    import('langgraph-sdk-latest/react'),
  ]);
  versions.push(
    { name: 'sdk 1.8.10', useStream: pinned.useStream },
    { name: 'sdk latest', useStream: latest.useStream as unknown as UseStream },
  );
});

afterAll(() => unregisterDom(testing));

interface Message {
  type: string;
  content: unknown;
}
interface State extends Record<string, unknown> {
  messages: Message[];
  status?: string;
}
interface Interrupt {
  value: {
    action_requests: Array<{ name: string; args: Record<string, unknown> }>;
    review_configs: Array<{ action_name: string; allowed_decisions: string[] }>;
  };
}

/** Renders `useStream` for `assistantId` as a signed-in user's browser would hold it. */
async function renderStream(useStream: UseStream, assistantId: string) {
  const user = await signUp(t.app, t.deps);
  const { key } = await createApiKey(t.app, user);
  // The message types of every render, in order.
  const renders: string[] = [];
  const rendered = testing.renderHook(() => {
    const stream = useStream<State>({
      assistantId,
      apiUrl: API_URL,
      apiKey: key,
      callerOptions: {
        maxRetries: 0,
        fetch: (input: RequestInfo | URL, init?: RequestInit) =>
          t.app.request(input instanceof Request ? input : String(input), init),
      },
    });
    renders.push(stream.messages.map((message) => message.type).join(' '));
    return stream;
  });
  return { ...rendered, renders };
}

const WAIT = { timeout: 10_000 };

describe.each(['sdk 1.8.10', 'sdk latest'])('useStream, %s', (name) => {
  const hook = () => {
    const found = versions.find((version) => version.name === name);
    if (!found) throw new Error(`no useStream for ${name}`);
    return found.useStream;
  };

  test('a submit shows the human message, then the AI reply from the model', async () => {
    const { result, renders } = await renderStream(hook(), 'chat');
    expect(result.current.isLoading).toBe(false);
    void result.current.submit({ messages: [{ type: 'human', content: 'hello from React' }] });
    await testing.waitFor(() => {
      expect(result.current.isLoading).toBe(false);
      expect(result.current.messages.map((message) => message.type)).toEqual(['human', 'ai']);
    }, WAIT);
    expect(result.current.error).toBeUndefined();
    // The human message showed first, then the AI message joined it.
    const shown = [...new Set(renders.filter(Boolean))];
    expect(shown[0]).toBe('human');
    expect(shown.at(-1)).toBe('human ai');
    const messages = result.current.messages;
    expect(messages[0]?.content).toBe('hello from React');
    expect(String(messages[1]?.content)).toContain('hello from React');
  });

  test('the approval workflow interrupts in the human-in-the-loop shape; an approve resumes it', async () => {
    const { result } = await renderStream(hook(), 'approval');
    void result.current.submit({ messages: [{ type: 'human', content: 'A note to approve' }] });
    await testing.waitFor(() => expect(result.current.interrupt).toBeDefined(), WAIT);
    await testing.waitFor(() => expect(result.current.isLoading).toBe(false), WAIT);
    const pending = result.current.interrupt as Interrupt;
    expect(pending.value.action_requests[0]?.name).toBe('publish_draft');
    expect(String(pending.value.action_requests[0]?.args.text)).toContain('A note to approve');
    expect(pending.value.review_configs[0]?.allowed_decisions).toContain('approve');

    void result.current.submit(undefined, {
      command: { resume: { decisions: [{ type: 'approve' }] } },
    });
    await testing.waitFor(() => expect(result.current.values.status).toBe('approved'), WAIT);
    await testing.waitFor(() => expect(result.current.isLoading).toBe(false), WAIT);
    expect(result.current.interrupt).toBeUndefined();
    expect(result.current.error).toBeUndefined();
  });
});

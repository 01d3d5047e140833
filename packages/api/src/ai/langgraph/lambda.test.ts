/**
 * The real `@langchain/langgraph-sdk` Client (1.8.10 and latest) over HTTP through the bundled
 * Lambda handler under Node, each request a Function URL event and each response streamed as
 * the runtime streams it: a thread, a streamed run in three modes, state and history, join
 * with replay by event id, cancel, and another user's 404.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { PASSWORD, uniqueEmail } from '../../../test/accounts.ts';
import {
  type BundledLambda,
  bundleForTest,
  type LambdaServer,
  lambdaTestEnv,
} from '../../../test/lambda.ts';
import { collect, SDK_VERSIONS, type StreamEvent } from '../../../test/langgraph.ts';

const ORIGIN = 'http://localhost:3000';

let lambda: BundledLambda;
let server: LambdaServer;
let closeEnv: (() => Promise<void>) | undefined;

beforeAll(async () => {
  lambda = await bundleForTest();
  // The local model paces its tokens, so a run lasts long enough to be cancelled.
  const { env, close } = await lambdaTestEnv({
    AI_LOCAL_TOKEN_DELAY_MS: '5',
    LANGGRAPH_POLL_MS: '20',
  });
  closeEnv = close;
  server = await lambda.serve(env);
}, 120_000);

afterAll(async () => {
  await server?.close();
  await lambda?.dispose();
  await closeEnv?.();
});

interface Message {
  type: string;
  content: unknown;
}

/** `stream`, noting when each event arrived (ms, this process's clock) in `times`. */
async function* timed(stream: AsyncIterable<unknown>, times: number[]) {
  for await (const chunk of stream) {
    times.push(performance.now());
    yield chunk;
  }
}

/** Signs up a new user over HTTP; its bearer token. */
async function signUpOverHttp(): Promise<string> {
  const response = await fetch(`${server.url}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN },
    body: JSON.stringify({ email: uniqueEmail('lambda'), password: PASSWORD, name: 'Lambda' }),
  });
  if (response.status !== 200) throw new Error(`sign-up: ${response.status} ${server.stderr()}`);
  return response.headers.get('set-auth-token') ?? '';
}

const human = (content: string) => ({ messages: [{ type: 'human', content }] });
const LONG = Array.from({ length: 400 }, (_, index) => `word${index}`).join(' ');

for (const { name, Client } of SDK_VERSIONS) {
  describe(`${name} over HTTP through the bundled handler`, () => {
    const clientFor = (bearer: string) =>
      new Client({
        apiUrl: `${server.url}/api/langgraph`,
        apiKey: null,
        defaultHeaders: { authorization: `Bearer ${bearer}` },
        callerOptions: { maxRetries: 0 },
      });

    test('a thread, a streamed run, its state and history, joined and replayed by event id; another user gets 404', async () => {
      const client = clientFor(await signUpOverHttp());
      const thread = await client.threads.create({ metadata: { via: 'lambda' } });
      let runId = '';
      const times: number[] = [];
      const live = await collect(
        timed(
          client.runs.stream(thread.thread_id, 'chat', {
            input: human(`say ${LONG.slice(0, 400)}`),
            streamMode: ['values', 'messages-tuple', 'updates'],
            streamResumable: true,
            onRunCreated: (meta: { run_id: string }) => {
              runId = meta.run_id;
            },
          }),
          times,
        ),
      );
      expect(live[0]).toMatchObject({ event: 'metadata', data: { run_id: runId } });
      expect([...new Set(live.map((event) => event.event))].sort()).toEqual([
        'messages',
        'metadata',
        'updates',
        'values',
      ]);
      // Streamed, not buffered: the tokens arrived over the model's own pace.
      const tokenTimes = times.filter((_, index) => live[index]?.event === 'messages');
      expect(tokenTimes.length).toBeGreaterThan(20);
      expect((tokenTimes.at(-1) ?? 0) - (tokenTimes[0] ?? 0)).toBeGreaterThan(100);
      const last = live.filter((event) => event.event === 'values').at(-1)?.data as {
        messages: Message[];
      };
      expect(last.messages.map((message) => message.type)).toEqual(['human', 'ai']);

      const state = await client.threads.getState<{ messages: Message[] }>(thread.thread_id);
      expect(state.values.messages).toEqual(last.messages);
      const history = await client.threads.getHistory<{ messages: Message[] }>(thread.thread_id, {
        limit: 10,
      });
      expect(history[0]?.checkpoint.checkpoint_id).toBe(state.checkpoint.checkpoint_id ?? '');
      expect(history.at(-1)?.values.messages ?? []).toHaveLength(0);
      expect((await client.threads.get(thread.thread_id)).status).toBe('idle');

      // Joined after the end: every event from the start, then the rest after an id.
      const replay = await collect(
        client.runs.joinStream(thread.thread_id, runId, { lastEventId: '-1' }),
      );
      expect(replay).toEqual(live);
      const rest = await collect(
        client.runs.joinStream(thread.thread_id, runId, { lastEventId: '2' }),
      );
      expect(rest).toEqual(live.slice(3));

      const intruder = clientFor(await signUpOverHttp());
      const id = thread.thread_id;
      const refused = [
        () => intruder.threads.get(id),
        () => intruder.threads.getState(id),
        () => intruder.threads.getHistory(id),
        () => intruder.runs.list(id),
        () => intruder.runs.get(id, runId),
        () => intruder.runs.cancel(id, runId),
        () => collect(intruder.runs.joinStream(id, runId, { lastEventId: '-1' })),
        () => collect(intruder.runs.stream(id, 'chat', { input: human('not mine') })),
      ];
      for (const attempt of refused) await expect(attempt()).rejects.toMatchObject({ status: 404 });
      expect(await intruder.threads.search({ metadata: { via: 'lambda' } })).toEqual([]);
    }, 20_000);

    test('a background run is cancelled while it streams; the thread then takes a new run', async () => {
      const client = clientFor(await signUpOverHttp());
      const thread = await client.threads.create();
      const run = await client.runs.create(thread.thread_id, 'chat', {
        input: human(LONG),
        streamMode: ['messages-tuple'],
      });
      for await (const chunk of client.runs.joinStream(thread.thread_id, run.run_id, {
        lastEventId: '-1',
      })) {
        if ((chunk as StreamEvent).event === 'messages') break;
      }
      await client.runs.cancel(thread.thread_id, run.run_id, true);
      expect((await client.runs.get(thread.thread_id, run.run_id)).status).toBe('interrupted');
      const next = (await client.runs.wait(thread.thread_id, 'chat', {
        input: human('again'),
      })) as { messages: Message[] };
      expect(next.messages.at(-1)?.type).toBe('ai');
    }, 20_000);
  });
}

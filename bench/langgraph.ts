/**
 * The LangGraph Platform API (`just perf langgraph`):
 *  1. time to the first `messages` event of `POST /api/langgraph/threads/{id}/runs/stream`
 *     (stream mode messages-tuple, the chat assistant) over the model server's own first
 *     token, measured as bench/ai-ttfb.ts does for /api/ai/chat/stream (target ≤ 5 ms
 *     median): the app runs in its own process (bench/ai-server.ts) against the
 *     OpenAI-compatible test server, and each request is timed beside a direct one;
 *  2. the cost of resumable streams: the same long reply streamed with and without
 *     `stream_resumable` (every event stored in lg_run_events), its wall time, the events
 *     written per second, and the overhead per event.
 *
 * Beside them, the floor of one more HTTP hop on this runtime: a bare Bun server relaying the
 * model's stream (`bench/bare-proxy.ts`), timed the same way.
 *
 *   bun bench/langgraph.ts [requests=100] [firstTokenMs=20] [replyTokens=400] [runs=20]
 */
import { fileURLToPath } from 'node:url';
import { startOpenAiServer } from '../packages/api/test/openai-server.ts';
import { median, saveResults, startAiBenchApp, table } from './lib.ts';

const requests = Number(process.argv[2] ?? 100);
const FIRST_TOKEN_MS = Number(process.argv[3] ?? 20);
const REPLY_TOKENS = Number(process.argv[4] ?? 400);
const STORAGE_RUNS = Number(process.argv[5] ?? 20);
const WARMUP = 10;
const PORT = 3212;

const model = await startOpenAiServer();
const { proc, token } = await startAiBenchApp(PORT, model);
const base = `http://127.0.0.1:${PORT}/api/langgraph`;
const relay = Bun.spawn(
  [
    process.execPath,
    fileURLToPath(new URL('./bare-proxy.ts', import.meta.url)),
    String(PORT + 1),
    model.url,
  ],
  { stdout: 'pipe', stderr: 'inherit' },
);
await relay.stdout.getReader().read();
const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };

async function newThread(): Promise<string> {
  const response = await fetch(`${base}/threads`, { method: 'POST', headers, body: '{}' });
  return ((await response.json()) as { thread_id: string }).thread_id;
}

/** Milliseconds to the first chunk satisfying `isFirst`, and to the end; drains the body. */
async function timed(url: string, init: RequestInit, isFirst: (text: string) => boolean) {
  const started = performance.now();
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  const body = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = '';
  let first: number | null = null;
  for (;;) {
    const { value, done } = await body.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
    if (first === null && isFirst(seen)) first = performance.now() - started;
  }
  return { first: first ?? Number.NaN, total: performance.now() - started, text: seen };
}

const direct = (url = `${model.url}/chat/completions`) => {
  sent.direct += 1;
  model.script({
    content: 'The quick brown fox jumps over the lazy dog.',
    firstTokenDelayMs: FIRST_TOKEN_MS,
  });
  return timed(
    url,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${model.apiKey}` },
      body: JSON.stringify({
        model: 'bench-model',
        stream: true,
        messages: [{ role: 'user', content: 'Say something' }],
      }),
    },
    (text) => /"content":"[^"]/.test(text),
  );
};

/** Runs streamed and direct requests made: the model server's other requests are the runs'. */
const sent = { runs: 0, direct: 0 };
const completions = () =>
  model.requests.filter((request) => request.path.endsWith('/chat/completions')).length;

const runStream = async (resumable: boolean, reply: Parameters<typeof model.script>[0]) => {
  const threadId = await newThread();
  sent.runs += 1;
  model.script(reply);
  return timed(
    `${base}/threads/${threadId}/runs/stream`,
    {
      method: 'POST',
      headers,
      body: JSON.stringify({
        assistant_id: 'chat',
        input: { messages: [{ type: 'human', content: 'Say something' }] },
        stream_mode: ['messages-tuple'],
        stream_resumable: resumable,
      }),
    },
    (text) => /event: messages\n(id: \d+\n)?data: \[\{"content":"[^"]/.test(text),
  );
};

const p = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))] ??
  0;

try {
  const directMs: number[] = [];
  const fullMs: number[] = [];
  const overheads: number[] = [];
  const relayedMs: number[] = [];
  const relayOverheads: number[] = [];
  const relayed = () => direct(`http://127.0.0.1:${PORT + 1}/chat/completions`);
  const reply = {
    content: 'The quick brown fox jumps over the lazy dog.',
    firstTokenDelayMs: FIRST_TOKEN_MS,
  };
  for (let i = 0; i < WARMUP; i++) {
    await direct();
    await runStream(false, reply);
    await relayed();
  }
  for (let i = 0; i < requests; i++) {
    let d: number;
    let f: number;
    if (i % 2) {
      d = (await direct()).first;
      f = (await runStream(false, reply)).first;
    } else {
      f = (await runStream(false, reply)).first;
      d = (await direct()).first;
    }
    directMs.push(d);
    fullMs.push(f);
    overheads.push(f - d);
    const r = (await relayed()).first;
    relayedMs.push(r);
    relayOverheads.push(r - d);
  }

  const long = { content: Array.from({ length: REPLY_TOKENS }, (_, i) => `w${i}`).join(' ') };
  const plainMs: number[] = [];
  const resumableMs: number[] = [];
  let events = 0;
  for (let i = 0; i < STORAGE_RUNS; i++) {
    plainMs.push((await runStream(false, long)).total);
    const stored = await runStream(true, long);
    resumableMs.push(stored.total);
    events = (stored.text.match(/^id: /gm) ?? []).length;
  }
  const plain = median(plainMs);
  const resumable = median(resumableMs);
  const results = {
    date: new Date().toISOString(),
    requests,
    firstTokenDelayMs: FIRST_TOKEN_MS,
    firstMessages: {
      'model server alone, first token': { p50Ms: median(directMs), p90Ms: p(directMs, 0.9) },
      'full stack, first messages event': { p50Ms: median(fullMs), p90Ms: p(fullMs, 0.9) },
      'overhead (full stack - model)': { p50Ms: median(overheads), p90Ms: p(overheads, 0.9) },
      'bare relay, first token': { p50Ms: median(relayedMs), p90Ms: p(relayedMs, 0.9) },
      'overhead (bare relay - model)': {
        p50Ms: median(relayOverheads),
        p90Ms: p(relayOverheads, 0.9),
      },
    },
    // Each run's one model call is sent once: sent early and taken by the graph, never twice.
    modelRequestsPerRun: (completions() - sent.direct) / sent.runs,
    storage: {
      eventsPerRun: events,
      plainRunMs: plain,
      resumableRunMs: resumable,
      eventsWrittenPerSecond: events / (resumable / 1000),
      overheadPerEventMs: (resumable - plain) / events,
    },
    targetMedianOverheadMs: 5,
    met: median(overheads) <= 5,
  };
  process.stdout.write(
    `First messages event, ${requests} requests, model first-token delay ${FIRST_TOKEN_MS} ms\n${table(
      Object.entries(results.firstMessages).map(([variant, f]) => ({
        variant,
        'p50 ms': f.p50Ms.toFixed(2),
        'p90 ms': f.p90Ms.toFixed(2),
      })),
    )}\n`,
  );
  process.stdout.write(
    `Resumable streams, ${STORAGE_RUNS} runs of ${events} events: plain ${plain.toFixed(1)} ms, resumable ${resumable.toFixed(1)} ms, ` +
      `${results.storage.eventsWrittenPerSecond.toFixed(0)} events/s written, ${results.storage.overheadPerEventMs.toFixed(3)} ms per event\n`,
  );
  process.stdout.write(`model requests per run: ${results.modelRequestsPerRun}\n`);
  process.stdout.write(`written to ${await saveResults('langgraph', results)}\n`);
} finally {
  proc.kill('SIGTERM');
  relay.kill('SIGTERM');
  await Promise.all([proc.exited, relay.exited]);
  await model.close();
}

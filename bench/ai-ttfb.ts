/**
 * Time to first SSE byte of `POST /api/ai/chat/stream` through the full stack, less the
 * model server's own first-token delay (`just perf ai`). Target: ≤ 5 ms median.
 *
 * The model is the OpenAI-compatible test server (packages/api/test/openai-server.ts) on
 * 127.0.0.1, holding back its first token for FIRST_TOKEN_MS; the app runs in its own process
 * (bench/ai-server.ts) and reaches it through the real `@langchain/openai` client. Each
 * round starts a fresh app process, warms it up, then times both alternately from this
 * process:
 *  - direct: the model server alone, from request to its first content chunk;
 *  - full stack: the app, from request to the first `token` event of the stream (nothing is
 *    sent before the model's first token is in: session, rate limit, budget and history, the
 *    model call, then the headers, the `start` event and that token together). Counting to
 *    the first token rather than the first byte is the stricter measure of the two.
 * The overhead is full stack − direct: what the stack adds before the first token reaches
 * the client (the model's delay and its HTTP cost cancel out). The figure checked against the
 * target is the median of the rounds' medians: a stretch of noise on a shared machine moves
 * one round, not the result.
 *
 *   bun bench/ai-ttfb.ts [requests per round=200] [firstTokenMs=20] [rounds=5]
 */
import { startOpenAiServer } from '../packages/api/test/openai-server.ts';
import { median, saveResults, startAiBenchApp, table } from './lib.ts';

const requests = Number(process.argv[2] ?? 200);
const FIRST_TOKEN_MS = Number(process.argv[3] ?? 20);
const rounds = Number(process.argv[4] ?? 5);
const WARMUP = 20;
const PORT = 3211;

const model = await startOpenAiServer();

const startApp = () => startAiBenchApp(PORT, model);

async function stopApp(proc: ReturnType<typeof Bun.spawn>) {
  proc.kill('SIGTERM');
  await proc.exited;
}

const REPLY = {
  content: 'The quick brown fox jumps over the lazy dog.',
  firstTokenDelayMs: FIRST_TOKEN_MS,
};

/** Milliseconds from sending to the first body chunk that satisfies `isFirst`, then drains. */
async function timeToFirst(
  url: string,
  init: RequestInit,
  isFirst: (text: string) => boolean,
): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  const body = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = '';
  let elapsed: number | null = null;
  for (;;) {
    const { value, done } = await body.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
    if (elapsed === null && isFirst(seen)) elapsed = performance.now() - started;
  }
  if (elapsed === null) throw new Error(`${url}: no first chunk`);
  return elapsed;
}

const direct = () => {
  model.script(REPLY);
  return timeToFirst(
    `${model.url}/chat/completions`,
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

const fullStack = (token: string) => {
  model.script(REPLY);
  return timeToFirst(
    `http://127.0.0.1:${PORT}/api/ai/chat/stream`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ message: 'Say something' }),
    },
    // The first token event, not merely the first byte: the opening `start` event carries none.
    (text) => text.includes('event: token'),
  );
};

const p = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))] ??
  0;

const directMs: number[] = [];
const fullMs: number[] = [];
const overheads: number[] = [];
const roundMedians: number[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    const app = await startApp();
    try {
      for (let i = 0; i < WARMUP; i++) {
        await direct();
        await fullStack(app.token);
      }
      const roundOverheads: number[] = [];
      for (let i = 0; i < requests; i++) {
        // Alternate which goes first, so drift in the machine's load hits both alike.
        let d: number;
        let f: number;
        if (i % 2) {
          d = await direct();
          f = await fullStack(app.token);
        } else {
          f = await fullStack(app.token);
          d = await direct();
        }
        directMs.push(d);
        fullMs.push(f);
        roundOverheads.push(f - d);
      }
      overheads.push(...roundOverheads);
      roundMedians.push(median(roundOverheads));
      process.stderr.write(
        `round ${round + 1}/${rounds}: median overhead ${median(roundOverheads).toFixed(2)} ms\n`,
      );
    } finally {
      await stopApp(app.proc);
    }
  }
  const result = median(roundMedians);
  const results = {
    date: new Date().toISOString(),
    requests,
    rounds,
    firstTokenDelayMs: FIRST_TOKEN_MS,
    variants: {
      'model server alone, first token': { p50Ms: median(directMs), p90Ms: p(directMs, 0.9) },
      'full stack, first token event': { p50Ms: median(fullMs), p90Ms: p(fullMs, 0.9) },
      'overhead (full stack - model)': { p50Ms: median(overheads), p90Ms: p(overheads, 0.9) },
    },
    roundMedianOverheadsMs: roundMedians,
    medianOverheadMs: result,
    targetMedianOverheadMs: 5,
    met: result <= 5,
  };
  const rows = Object.entries(results.variants).map(([variant, figures]) => ({
    variant,
    'p50 ms': figures.p50Ms.toFixed(2),
    'p90 ms': figures.p90Ms.toFixed(2),
  }));
  process.stdout.write(
    `Time to first token event, ${rounds} rounds of ${requests} requests, model first-token delay ${FIRST_TOKEN_MS} ms\n${table(rows)}\n`,
  );
  process.stdout.write(
    `round medians ${roundMedians.map((m) => m.toFixed(2)).join(', ')} ms\n` +
      `median overhead ${result.toFixed(2)} ms (median of the rounds; target ≤ 5 ms): ${results.met ? 'met' : 'NOT met'}\n`,
  );
  process.stdout.write(`written to ${await saveResults('ai-ttfb', results)}\n`);
} finally {
  await model.close();
}

/**
 * What a request's logs and metrics cost (`just perf logs`): the request logger's work for
 * one request — a child logger bound to the request, the request line, the EMF metrics line
 * and their write to stdout — in-process, against the same loop without them. Run under Node
 * (the recipe passes Node 22, as on Lambda) or Bun; stdout goes to a file, as on Lambda.
 * Target: ≤ 15 µs a request together. Lines are written per request the way the app writes
 * them; a macrotask between requests lets the stdout writer drain as it would under load.
 *
 *   node --import tsx bench/logs.ts [requests=20000] [requests per event-loop turn=1] > /tmp/log.txt   (figures on stderr)
 */
import { randomUUID } from 'node:crypto';
import { createLogger } from '../packages/api/src/lib/logger.ts';
import { createMetrics } from '../packages/api/src/lib/observability/metrics.ts';
import { median, saveResults } from './lib.ts';

const requests = Number(process.argv[2] ?? 20_000);
const BATCH = Number(process.argv[3] ?? 1);
const logger = createLogger({ level: 'info' });
const metrics = createMetrics({ enabled: true, namespace: 'Bench', serviceName: 'api', logger });
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One request's observability, as middleware/request-logger.ts does it. */
function observe(i: number, on: boolean) {
  const requestId = randomUUID();
  if (!on) return requestId;
  const log = logger.child({ requestId, userId: () => `user-${i % 10}` });
  const fields = {
    method: 'GET',
    path: '/api/chats',
    route: '/api/chats',
    status: 200,
    durationMs: 1.23,
    // A header in a line is redacted at any depth (never here on the request line).
  };
  log.info('request', fields);
  metrics.request({ route: '/api/chats', method: 'GET', status: 200, durationMs: 1.23, requestId });
  metrics.flush();
  return requestId;
}

async function run(on: boolean): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < requests; i++) {
    observe(i, on);
    if (i % BATCH === BATCH - 1) await tick();
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / requests;
}

const on: number[] = [];
const off: number[] = [];
await run(true);
await run(false);
for (let round = 0; round < 5; round++) {
  on.push(await run(true));
  off.push(await run(false));
}
const results = {
  date: new Date().toISOString(),
  runtime: typeof Bun === 'undefined' ? `node ${process.version}` : `bun ${Bun.version}`,
  requests,
  requestsPerTurn: BATCH,
  variants: {
    'request line + EMF line + write': { 'µs/request': median(on) - median(off) },
  },
  ratios: { 'µs/request (target ≤ 15)': median(on) - median(off) },
};
const path = await saveResults('logs', results);
process.stderr.write(`${JSON.stringify(results.variants)}\nwritten to ${path}\n`);

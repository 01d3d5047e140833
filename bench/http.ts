/**
 * The middleware stack's cost, side by side (`just perf http`). Each variant runs in a
 * fresh server process; variants alternate within a round; the figures are medians over
 * the rounds. The load generator is autocannon on 127.0.0.1.
 *
 * 1. a bare Hono JSON GET vs the same GET through the full stack (no Redis): target ≥ 0.75×
 * 2. the full stack with Redis rate limiting: target ≥ 0.5× bare, p50 added by the limiter ≤ 1 ms
 * 3. a 100 KB JSON response compressed vs uncompressed: target ≥ 0.5× throughput
 * 4. a cached GET /api/chats vs uncached
 *
 * Load: CONNECTIONS keep-alive connections, one request in flight on each (no pipelining),
 * a 1 s warm-up, then `seconds` measured. The server is a separate process, so on a two-core
 * machine the load generator and the server each have a core. The full app logs as deployed
 * (info level, a JSON line and an EMF metrics line per request on stdout); its stdout is a
 * file, as fast a reader as the Lambda runtime's, where an undrained pipe would stall it.
 * Latency: autocannon's p50/p99 (whole milliseconds) and the exact mean from Little's law,
 * connections / throughput, which resolves the fraction of a millisecond the stack adds.
 *
 *   bun bench/http.ts [rounds=5] [seconds=4]
 */

import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadEnv } from '../packages/api/src/env.ts';
import { benchLogLevel, median, saveResults, table } from './lib.ts';

const rounds = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 4);
const CONNECTIONS = 10;
const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));
const SERVER_LOG = join(tmpdir(), `bench-http-${process.pid}.log`);
const hasRedis = Boolean(loadEnv().REDIS_URL);

interface Case {
  name: string;
  server: 'bare' | 'full' | 'full-redis' | 'uncached';
  path: string;
  headers?: Record<string, string>;
  auth?: boolean;
}

const CASES: Case[] = [
  { name: 'bare GET', server: 'bare', path: '/api/bench' },
  { name: 'full stack GET', server: 'full', path: '/api/bench' },
  ...(hasRedis
    ? [{ name: 'full stack GET, Redis limiter', server: 'full-redis', path: '/api/bench' } as Case]
    : []),
  { name: '100 KB JSON, identity', server: 'full', path: '/api/bench/big' },
  {
    name: '100 KB JSON, br',
    server: 'full',
    path: '/api/bench/big',
    headers: { 'accept-encoding': 'br' },
  },
  {
    name: '100 KB JSON, gzip',
    server: 'full',
    path: '/api/bench/big',
    headers: { 'accept-encoding': 'gzip' },
  },
  { name: 'GET /api/chats, cached', server: 'full', path: '/api/chats', auth: true },
  { name: 'GET /api/chats, uncached', server: 'uncached', path: '/api/chats', auth: true },
];

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** Mean latency in ms: connections / throughput (Little's law). */
  mean: number;
  /** Bytes the server wrote to stdout (its logs) per measured request. */
  logBytes: number;
  non2xx: number;
}

async function runCase(testCase: Case, port: number): Promise<Sample> {
  const log = openSync(SERVER_LOG, 'w');
  const { promise: listening, resolve } = Promise.withResolvers<string>();
  const proc = Bun.spawn([process.execPath, SERVER, testCase.server, String(port)], {
    stdout: log,
    stderr: 'inherit',
    ipc: (message: { ready?: boolean; token?: string }) => {
      if (message.ready) resolve(message.token ?? '-');
    },
  });
  const token = await Promise.race([
    listening,
    proc.exited.then(() => {
      throw new Error(`${testCase.server} server exited before it was ready`);
    }),
  ]);
  try {
    const headers = {
      ...testCase.headers,
      ...(testCase.auth ? { authorization: `Bearer ${token}` } : {}),
    };
    const url = `http://127.0.0.1:${port}${testCase.path}`;
    // A short warm-up, then the measured run.
    await autocannon({ url, headers, connections: CONNECTIONS, duration: 1 });
    const logBefore = statSync(SERVER_LOG).size;
    const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: seconds });
    const logBytes = statSync(SERVER_LOG).size - logBefore;
    return {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      mean: (CONNECTIONS * 1000) / result.requests.average,
      logBytes: Math.round(logBytes / Math.max(1, result.requests.total)),
      non2xx: result.non2xx + result.errors,
    };
  } finally {
    proc.kill();
    await proc.exited;
    closeSync(log);
  }
}

const samples = new Map<string, Sample[]>(CASES.map((c) => [c.name, []]));
let port = 3100;
for (let round = 0; round < rounds; round++) {
  // Alternate the order each round so no variant always runs on a warmer machine.
  const order = round % 2 === 0 ? CASES : [...CASES].reverse();
  for (const testCase of order) {
    samples.get(testCase.name)?.push(await runCase(testCase, port++));
  }
  process.stderr.write(`round ${round + 1}/${rounds} done\n`);
}
unlinkSync(SERVER_LOG);

const summary = Object.fromEntries(
  [...samples].map(([name, runs]) => [
    name,
    {
      rps: median(runs.map((r) => r.rps)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      mean: median(runs.map((r) => r.mean)),
      logBytes: median(runs.map((r) => r.logBytes)),
      non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    },
  ]),
);
const get = (name: string) =>
  summary[name] ?? {
    rps: Number.NaN,
    p50: Number.NaN,
    p99: Number.NaN,
    mean: Number.NaN,
    logBytes: 0,
    non2xx: 0,
  };
const ratios = {
  'full / bare (target ≥ 0.75)': get('full stack GET').rps / get('bare GET').rps,
  ...(hasRedis
    ? {
        'full with Redis limiter / bare (target ≥ 0.5)':
          get('full stack GET, Redis limiter').rps / get('bare GET').rps,
        'p50 added by the Redis limiter, ms (target ≤ 1)':
          get('full stack GET, Redis limiter').p50 - get('full stack GET').p50,
        'mean added by the Redis limiter, ms':
          get('full stack GET, Redis limiter').mean - get('full stack GET').mean,
      }
    : {}),
  'br / identity, 100 KB (target ≥ 0.5)':
    get('100 KB JSON, br').rps / get('100 KB JSON, identity').rps,
  'gzip / identity, 100 KB (target ≥ 0.5)':
    get('100 KB JSON, gzip').rps / get('100 KB JSON, identity').rps,
  'chats cached / uncached':
    get('GET /api/chats, cached').rps / get('GET /api/chats, uncached').rps,
};
const results = {
  date: new Date().toISOString(),
  rounds,
  secondsPerRun: seconds,
  connections: CONNECTIONS,
  pipelining: 1,
  logLevel: benchLogLevel(),
  database: loadEnv().DATABASE_URL ? 'postgres' : 'pglite',
  variants: summary,
  ratios,
};
const path = await saveResults('http', results);
process.stdout.write(
  `${table(
    Object.entries(summary).map(([name, s]) => ({
      variant: name,
      'req/s': Math.round(s.rps),
      'p50 ms': s.p50,
      'p99 ms': s.p99,
      'mean ms': s.mean.toFixed(3),
      'log B/req': s.logBytes,
      'non-2xx': s.non2xx,
    })),
  )}\n\n${table(Object.entries(ratios).map(([ratio, value]) => ({ ratio, value: value.toFixed(2) })))}\nwritten to ${path}\n`,
);

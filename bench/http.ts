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
 *   bun bench/http.ts [rounds=5] [seconds=4]
 */

import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadEnv } from '../packages/api/src/env.ts';
import { median, saveResults, table } from './lib.ts';

const rounds = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 4);
const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));
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
  non2xx: number;
}

async function runCase(testCase: Case, port: number): Promise<Sample> {
  const proc = Bun.spawn([process.execPath, SERVER, testCase.server, String(port)], {
    stdout: 'pipe',
    stderr: 'inherit',
  });
  const reader = proc.stdout.getReader();
  let output = '';
  while (!output.includes('\n')) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${testCase.server} server exited before it was ready`);
    output += new TextDecoder().decode(value);
  }
  const token = output.trim().split(' ')[1] ?? '-';
  try {
    const headers = {
      ...testCase.headers,
      ...(testCase.auth ? { authorization: `Bearer ${token}` } : {}),
    };
    const url = `http://127.0.0.1:${port}${testCase.path}`;
    // A short warm-up, then the measured run.
    await autocannon({ url, headers, connections: 10, duration: 1 });
    const result = await autocannon({ url, headers, connections: 10, duration: seconds });
    return {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx + result.errors,
    };
  } finally {
    proc.kill();
    await proc.exited;
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

const summary = Object.fromEntries(
  [...samples].map(([name, runs]) => [
    name,
    {
      rps: median(runs.map((r) => r.rps)),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    },
  ]),
);
const get = (name: string) =>
  summary[name] ?? { rps: Number.NaN, p50: Number.NaN, p99: Number.NaN, non2xx: 0 };
const ratios = {
  'full / bare (target ≥ 0.75)': get('full stack GET').rps / get('bare GET').rps,
  ...(hasRedis
    ? {
        'full with Redis limiter / bare (target ≥ 0.5)':
          get('full stack GET, Redis limiter').rps / get('bare GET').rps,
        'p50 added by the Redis limiter, ms (target ≤ 1)':
          get('full stack GET, Redis limiter').p50 - get('full stack GET').p50,
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
  connections: 10,
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
      'non-2xx': s.non2xx,
    })),
  )}\n\n${table(Object.entries(ratios).map(([ratio, value]) => ({ ratio, value: value.toFixed(2) })))}\nwritten to ${path}\n`,
);

/**
 * Our full stack against peer stacks built the same way (`just perf node`): GET /api/chats
 * (one session query per request, the list from an in-process cache, ~1 KB of the same
 * response headers, one request log line, rate limiting in memory or on Redis) and a 4 KB
 * page compressed with brotli, served by
 * - ours on Node (@hono/node-server) and on Bun (Bun.serve): bench/peers/ours.ts
 * - Fastify 5 with helmet, cors, compress, rate-limit, etag and pino: bench/peers/fastify.ts
 * - Express 5 with helmet, cors, compression, express-rate-limit and pino: bench/peers/express.ts
 * all on one PostgreSQL database the driver prepares (a user, a signed bearer token, 20 chats).
 *
 * Load: wrk (one thread, CONNECTIONS keep-alive connections) on 127.0.0.1, a warm-up, then
 * `seconds` measured; each case in a fresh server process, cases alternating order by round,
 * medians over the rounds. Server CPU per request is the server process's user + system time
 * over the measured run (from /proc) divided by the requests answered. Node is BENCH_NODE
 * (the recipe passes Node 22, as on Lambda), else `node`. Needs DATABASE_URL; the Redis
 * variants need REDIS_URL. Fairness checklist: docs/performance.md.
 *
 *   bun bench/node.ts [rounds=3] [seconds=4]
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnv } from '../packages/api/src/env.ts';
import { prepareDatabase } from './fixture.ts';
import { median, saveResults, table } from './lib.ts';

const rounds = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 4);
const CONNECTIONS = 10;
const NODE = process.env.BENCH_NODE || 'node';
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const SERVER_LOG = join(tmpdir(), `bench-node-${process.pid}.log`);
const services = loadEnv();
if (!services.DATABASE_URL) throw new Error('bench/node.ts needs DATABASE_URL (PostgreSQL)');
const hasRedis = Boolean(services.REDIS_URL);

type Stack = 'ours-node' | 'ours-bun' | 'fastify' | 'express';
const STACKS: Record<Stack, { label: string; command: (script: string) => string[] }> = {
  'ours-node': { label: 'ours on Node', command: (s) => [NODE, '--import', 'tsx', s] },
  'ours-bun': { label: 'ours on Bun', command: (s) => [process.execPath, s] },
  fastify: { label: 'Fastify 5', command: (s) => [NODE, '--import', 'tsx', s] },
  express: { label: 'Express 5', command: (s) => [NODE, '--import', 'tsx', s] },
};
const SCRIPT: Record<Stack, string> = {
  'ours-node': here('./peers/ours.ts'),
  'ours-bun': here('./peers/ours.ts'),
  fastify: here('./peers/fastify.ts'),
  express: here('./peers/express.ts'),
};

interface Variant {
  name: string;
  path: string;
  redis: boolean;
  headers: Record<string, string>;
}
const VARIANTS: Variant[] = [
  { name: 'chats', path: '/api/chats', redis: false, headers: {} },
  ...(hasRedis
    ? [{ name: 'chats, Redis limiter', path: '/api/chats', redis: true, headers: {} }]
    : []),
  {
    name: '4 KB page, br',
    path: '/api/bench/page',
    redis: false,
    headers: { 'accept-encoding': 'br' },
  },
];

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerReq: number;
  logBytes: number;
  headerBytes: number;
  bodyBytes: number;
  non2xx: number;
}

/** user + system CPU time of a process, in µs (from /proc; clock ticks are 10 ms). */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** Every process in the tree under `pid` (a runtime may start helpers). */
function treeCpuMicros(pid: number): number {
  let total = cpuMicros(pid);
  for (const task of Bun.spawnSync(['pgrep', '-P', String(pid)])
    .stdout.toString()
    .split('\n')) {
    if (task.trim()) total += treeCpuMicros(Number(task));
  }
  return total;
}

/** wrk's figures: requests/s, p50 and p99 in ms, requests, non-2xx/3xx responses. */
function parseWrk(out: string) {
  const ms = (text: string | undefined) => {
    const match = /([\d.]+)(us|ms|s)/.exec(text ?? '');
    if (!match) return Number.NaN;
    const value = Number(match[1]);
    return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
  };
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    requests: Number(/(\d+) requests in/.exec(out)?.[1]),
    p50: ms(/\s50%\s+(\S+)/.exec(out)?.[1]),
    p99: ms(/\s99%\s+(\S+)/.exec(out)?.[1]),
    non2xx:
      Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) +
      Number(/Socket errors: .*?(\d+) timeout/.exec(out)?.[1] ?? 0),
  };
}

const wrk = (url: string, headers: Record<string, string>, duration: number) =>
  Bun.spawnSync([
    'wrk',
    '-t1',
    `-c${CONNECTIONS}`,
    `-d${duration}s`,
    '--latency',
    ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    url,
  ]).stdout.toString();

// One database for every server: a user with a signed bearer token and 20 chats.
const fixture = await prepareDatabase();
const { secret } = fixture;
const databaseUrl = fixture.url;
const auth = { authorization: `Bearer ${fixture.bearer}` };

async function runCase(stack: Stack, variant: Variant, port: number): Promise<Sample> {
  const log = openSync(SERVER_LOG, 'w');
  const proc = Bun.spawn(STACKS[stack].command(SCRIPT[stack]), {
    env: {
      ...process.env,
      BENCH_PORT: String(port),
      BENCH_DATABASE_URL: databaseUrl,
      BENCH_SECRET: secret,
      BENCH_REDIS_URL: variant.redis ? (services.REDIS_URL ?? '') : '',
    },
    stdout: log,
    stderr: 'inherit',
  });
  const url = `http://127.0.0.1:${port}${variant.path}`;
  const headers = { ...auth, ...variant.headers };
  try {
    let probe: Response | undefined;
    for (let tries = 0; tries < 300 && !probe; tries++) {
      probe = await fetch(url, { headers, decompress: false }).catch(() => undefined);
      if (!probe) await Bun.sleep(100);
    }
    if (probe?.status !== 200) {
      throw new Error(`${stack} ${variant.path} answered ${probe?.status ?? 'nothing'}`);
    }
    let headerBytes = 0;
    for (const [name, value] of probe.headers) headerBytes += name.length + value.length + 4;
    const bodyBytes = (await probe.arrayBuffer()).byteLength;
    wrk(url, headers, 1);
    const logBefore = statSync(SERVER_LOG).size;
    const cpuBefore = treeCpuMicros(proc.pid);
    const out = wrk(url, headers, seconds);
    const cpu = treeCpuMicros(proc.pid) - cpuBefore;
    const logBytes = statSync(SERVER_LOG).size - logBefore;
    const result = parseWrk(out);
    if (!result.requests) throw new Error(`wrk measured nothing:\n${out}`);
    return {
      rps: result.rps,
      p50: result.p50,
      p99: result.p99,
      cpuUsPerReq: cpu / result.requests,
      logBytes: Math.round(logBytes / result.requests),
      headerBytes,
      bodyBytes,
      non2xx: result.non2xx,
    };
  } finally {
    proc.kill();
    await proc.exited;
    closeSync(log);
  }
}

const stacks = (process.env.BENCH_STACKS?.split(',') as Stack[] | undefined) ?? [
  'ours-node',
  'ours-bun',
  'fastify',
  'express',
];
const cases = VARIANTS.flatMap((variant) => stacks.map((stack) => ({ stack, variant })));
const samples = new Map<string, Sample[]>();
const keyOf = (stack: Stack, variant: Variant) => `${variant.name} | ${STACKS[stack].label}`;
/** A port nothing listens on now. */
function freePort(): number {
  const server = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const { port } = server;
  server.stop(true);
  return port;
}
try {
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? cases : [...cases].reverse();
    for (const { stack, variant } of order) {
      const key = keyOf(stack, variant);
      samples.set(key, [...(samples.get(key) ?? []), await runCase(stack, variant, freePort())]);
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
} finally {
  try {
    unlinkSync(SERVER_LOG);
  } catch {}
  await fixture.close();
}

const variants = Object.fromEntries(
  [...samples].map(([name, runs]) => [
    name,
    {
      rps: median(runs.map((r) => r.rps)),
      'p50 ms': median(runs.map((r) => r.p50)),
      'p99 ms': median(runs.map((r) => r.p99)),
      'CPU µs/req': median(runs.map((r) => r.cpuUsPerReq)),
      'log B/req': median(runs.map((r) => r.logBytes)),
      'header B': median(runs.map((r) => r.headerBytes)),
      'body B': median(runs.map((r) => r.bodyBytes)),
      non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    },
  ]),
);
const ratios: Record<string, number> = {};
for (const variant of VARIANTS) {
  const fastify = variants[keyOf('fastify', variant)]?.rps;
  for (const stack of stacks) {
    if (stack === 'fastify' || !fastify) continue;
    const target =
      stack === 'ours-node' ? ' (target ≥ 1.25)' : stack === 'ours-bun' ? ' (target ≥ 1.5)' : '';
    ratios[`${variant.name}: ${STACKS[stack].label} / Fastify${target}`] =
      (variants[keyOf(stack, variant)]?.rps ?? Number.NaN) / fastify;
  }
}
const results = {
  date: new Date().toISOString(),
  node: Bun.spawnSync([NODE, '--version']).stdout.toString().trim(),
  bun: Bun.version,
  rounds,
  secondsPerRun: seconds,
  connections: CONNECTIONS,
  loadGenerator: 'wrk -t1',
  variants,
  ratios,
};
const path = await saveResults('node', results);
process.stdout.write(
  `${table(
    Object.entries(variants).map(([name, v]) => ({
      case: name,
      'req/s': Math.round(v.rps),
      'p50 ms': v['p50 ms'].toFixed(2),
      'p99 ms': v['p99 ms'].toFixed(2),
      'CPU µs/req': Math.round(v['CPU µs/req']),
      'log B/req': v['log B/req'],
      'header B': v['header B'],
      'body B': v['body B'],
      'non-2xx': v.non2xx,
    })),
  )}\n\n${table(Object.entries(ratios).map(([ratio, value]) => ({ ratio, value: value.toFixed(2) })))}\nwritten to ${path}\n`,
);
process.exit(0);

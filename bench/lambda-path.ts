/**
 * CPU per Lambda invocation on the deployed path (`just perf lambda`): the bundled handler
 * (`index.mjs` and its chunks, as deployed) invoked in-process under Node (BENCH_NODE, the
 * recipe passes Node 22) with Function URL events, through a stand-in for the runtime's
 * response streaming (bench/lambda-invoke.mjs), against a bare Hono `streamHandle` handler
 * that makes the one session query (bench/bare-hono-query.ts), bundled the same way.
 * Authenticated GET /api/chats on a real PostgreSQL database (DATABASE_URL), logs and
 * metrics on, as deployed. Each variant runs in a fresh process per round (a warm
 * container: a warm-up, then the measured invocations); rounds alternate; medians.
 * Target: ours ≤ 1.5× the bare handler.
 *
 *   bun bench/lambda-path.ts [rounds=3] [invocations=2000]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleLambda } from '../packages/api/src/bundle.ts';
import { functionUrlRequest } from '../packages/api/test/lambda.ts';
import { prepareDatabase } from './fixture.ts';
import { median, saveResults, table } from './lib.ts';

const rounds = Number(process.argv[2] ?? 3);
const invocations = Number(process.argv[3] ?? 2000);
const NODE = process.env.BENCH_NODE || 'node';
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const API_DIR = here('../packages/api');
const TARGET = 1.5;

const fixture = await prepareDatabase();
await mkdir(join(API_DIR, 'dist'), { recursive: true });
const outRoot = await mkdtemp(join(API_DIR, 'dist', 'bench-lambda-'));
try {
  const app = await bundleLambda(join(outRoot, 'app'));
  const bare = await bundleLambda(join(outRoot, 'bare'), here('./bare-hono-query.ts'));
  const eventsFile = join(outRoot, 'events.json');
  await writeFile(
    eventsFile,
    JSON.stringify([
      functionUrlRequest({
        path: '/api/chats',
        headers: { authorization: `Bearer ${fixture.bearer}`, 'accept-encoding': 'identity' },
      }),
    ]),
  );
  const env = {
    PATH: process.env.PATH ?? '',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    AWS_REGION: 'eu-west-1',
    DATABASE_URL: fixture.url,
    BETTER_AUTH_SECRET: fixture.secret,
    PUBLIC_URL: 'https://api.example.com',
    LOG_LEVEL: 'info',
    // The limiter's cost is measured, never its refusals.
    RATE_LIMIT_DEFAULT: '1000000000',
  };
  async function run(bundle: string): Promise<number> {
    const logFile = Bun.file(join(outRoot, 'stdout.log'));
    const proc = Bun.spawn(
      [NODE, here('./lambda-invoke.mjs'), bundle, eventsFile, '300', String(invocations)],
      { env, stdout: logFile, stderr: 'pipe' },
    );
    const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    if (code !== 0) throw new Error(`invocations of ${bundle} failed: ${err}`);
    const result = JSON.parse(err.slice(err.lastIndexOf('{"cpuUs'))) as {
      cpuUsPerInvocation: number;
      statuses: Record<string, number>;
    };
    if (Object.keys(result.statuses).join() !== '200') {
      throw new Error(`${bundle} answered ${JSON.stringify(result.statuses)}`);
    }
    return result.cpuUsPerInvocation;
  }
  const ours: number[] = [];
  const yardstick: number[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      ours.push(await run(app.outfile));
      yardstick.push(await run(bare.outfile));
    } else {
      yardstick.push(await run(bare.outfile));
      ours.push(await run(app.outfile));
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
  const results = {
    date: new Date().toISOString(),
    node: Bun.spawnSync([NODE, '--version']).stdout.toString().trim(),
    rounds,
    invocations,
    variants: {
      'ours, authenticated GET /api/chats (streaming)': { 'CPU µs/invocation': median(ours) },
      'bare Hono streamHandle + the one query': { 'CPU µs/invocation': median(yardstick) },
    },
    ratios: { [`ours / bare (target ≤ ${TARGET})`]: median(ours) / median(yardstick) },
  };
  const path = await saveResults('lambda-path', results);
  process.stdout.write(
    `${table(
      Object.entries(results.variants).map(([variant, v]) => ({
        variant,
        'CPU µs/invocation': Math.round(v['CPU µs/invocation']),
      })),
    )}\nratio ${(median(ours) / median(yardstick)).toFixed(2)} (target ≤ ${TARGET})\nwritten to ${path}\n`,
  );
} finally {
  await rm(outRoot, { recursive: true, force: true });
  await fixture.close();
}

/**
 * Cold start as whole processes (`just perf cold-start`): a fresh Node process (BENCH_NODE,
 * the recipe passes Node 22) imports the Lambda bundle (split, as deployed) configured as
 * on AWS, and answers its first request, a Function URL GET /health, through a stand-in for
 * the runtime's response streaming (bench/lambda-invoke.mjs); then exits. Against a bare
 * Hono Lambda bundle (bench/bare-hono.ts) built the same way. Runs alternate; medians of
 * the wall time from spawn to exit and of the peak RSS the process reports. With
 * `--compile-cache`, also the app with Node's module compile cache in a writable directory
 * (NODE_COMPILE_CACHE, as /tmp on Lambda), filled by one run before the measured ones.
 * Targets: time ≤ 2× bare, peak memory ≤ 1.3× bare.
 *
 *   bun bench/cold-start.ts [runs=15]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleLambda } from '../packages/api/src/bundle.ts';
import { functionUrlRequest } from '../packages/api/test/lambda.ts';
import { lambdaEnv, median, saveResults, table } from './lib.ts';

const runs = Number(process.argv[2] ?? 15);
const NODE = process.env.BENCH_NODE || 'node';
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const API_DIR = here('../packages/api');
const TARGETS = { time: 2, memory: 1.3 };

// Configured as on AWS, logging as deployed: /health touches no network.
const LAMBDA_ENV = lambdaEnv('info');

interface Run {
  ms: number;
  rssKiB: number;
  /** CPU time of the whole process: steadier than wall time on a busy machine. */
  cpuMs: number;
}

await mkdir(join(API_DIR, 'dist'), { recursive: true });
const outRoot = await mkdtemp(join(API_DIR, 'dist', 'bench-cold-'));
try {
  const app = await bundleLambda(join(outRoot, 'app'));
  const bare = await bundleLambda(join(outRoot, 'bare'), here('./bare-hono.ts'));
  const eventsFile = join(outRoot, 'events.json');
  await writeFile(eventsFile, JSON.stringify([functionUrlRequest({ path: '/health' })]));
  const cacheDir = join(outRoot, 'compile-cache');

  async function coldStart(bundle: string, extraEnv: Record<string, string> = {}): Promise<Run> {
    const started = performance.now();
    const proc = Bun.spawn([NODE, here('./lambda-invoke.mjs'), bundle, eventsFile, '0', '1'], {
      env: { ...LAMBDA_ENV, ...extraEnv },
      stdout: 'ignore',
      stderr: 'pipe',
    });
    const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    const ms = performance.now() - started;
    if (code !== 0) throw new Error(`cold start of ${bundle} failed: ${err}`);
    const result = JSON.parse(err.slice(err.lastIndexOf('{"status'))) as {
      status: number;
      rssKiB: number;
      cpuMs: number;
    };
    if (result.status !== 200) throw new Error(`${bundle} answered ${result.status}`);
    return { ms, rssKiB: result.rssKiB, cpuMs: result.cpuMs };
  }

  const cached = { NODE_COMPILE_CACHE: cacheDir };
  await coldStart(app.outfile, cached);
  const variants: Record<string, { bundle: string; env?: Record<string, string> }> = {
    'bare Hono': { bundle: bare.outfile },
    app: { bundle: app.outfile },
    'app, compile cache': { bundle: app.outfile, env: cached },
  };
  const samples = new Map<string, Run[]>(Object.keys(variants).map((name) => [name, []]));
  for (let i = 0; i < runs; i++) {
    const names = Object.keys(variants);
    for (const name of i % 2 === 0 ? names : names.reverse()) {
      const variant = variants[name];
      if (variant) samples.get(name)?.push(await coldStart(variant.bundle, variant.env));
    }
  }
  const summary = Object.fromEntries(
    [...samples].map(([name, list]) => [
      name,
      {
        'ms (median)': median(list.map((r) => r.ms)),
        'ms (min)': Math.min(...list.map((r) => r.ms)),
        'CPU ms (median)': median(list.map((r) => r.cpuMs)),
        'peak RSS MiB (median)': median(list.map((r) => r.rssKiB)) / 1024,
      },
    ]),
  );
  const bareFigures = summary['bare Hono'];
  const ratios: Record<string, number> = {};
  for (const name of ['app', 'app, compile cache']) {
    const figures = summary[name];
    if (!figures || !bareFigures) continue;
    ratios[`${name} / bare, time (target ≤ ${TARGETS.time})`] =
      figures['ms (median)'] / bareFigures['ms (median)'];
    ratios[`${name} / bare, CPU time`] =
      figures['CPU ms (median)'] / bareFigures['CPU ms (median)'];
    ratios[`${name} / bare, peak memory (target ≤ ${TARGETS.memory})`] =
      figures['peak RSS MiB (median)'] / bareFigures['peak RSS MiB (median)'];
  }
  const results = {
    date: new Date().toISOString(),
    node: Bun.spawnSync([NODE, '--version']).stdout.toString().trim(),
    runs,
    coreKiB: app.coreBytes / 1024,
    variants: summary,
    ratios,
  };
  const path = await saveResults('cold-start', results);
  process.stdout.write(
    `${table(
      Object.entries(summary).map(([variant, v]) => ({
        variant,
        'ms (median)': v['ms (median)'].toFixed(0),
        'ms (min)': v['ms (min)'].toFixed(0),
        'CPU ms': v['CPU ms (median)'].toFixed(0),
        'peak RSS MiB': v['peak RSS MiB (median)'].toFixed(1),
      })),
    )}\n\n${table(Object.entries(ratios).map(([ratio, value]) => ({ ratio, value: value.toFixed(2) })))}\ncore ${(app.coreBytes / 1024).toFixed(1)} KiB; written to ${path}\n`,
  );
} finally {
  await rm(outRoot, { recursive: true, force: true });
}

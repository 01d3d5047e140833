/**
 * Size and cold import time of the Lambda bundle against a bare Hono bundle built the same
 * way (split, as deployed). Each import runs in a fresh `node` process; the two alternate.
 *
 * Sizes (JavaScript only, source maps excluded):
 * - core: `index.mjs` and every chunk it imports statically, what every cold start loads;
 * - at init: what importing the bundle configured as on AWS (PostgreSQL, Redis, SES) loads,
 *   the core plus the chunks init reaches through dynamic `import()`;
 * - lazy: chunks reached only through dynamic `import()`; total: every file.
 * Targets: core ≤ 1 MiB; cold import ≤ 1.5× the bare bundle's.
 *
 *   bun bench/bundle.ts [rounds]   (default 9)
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BundleResult,
  bundleLambda,
  CORE_BUNDLE_BUDGET_BYTES,
} from '../packages/api/src/bundle.ts';
import { lambdaEnv, median, saveResults, table } from './lib.ts';

const rounds = Number(process.argv[2] ?? 9);
const IMPORT_TIME = fileURLToPath(new URL('./import-time.mjs', import.meta.url));
const BARE_ENTRY = fileURLToPath(new URL('./bare-hono.ts', import.meta.url));
const API_DIR = fileURLToPath(new URL('../packages/api', import.meta.url));
const IMPORT_RATIO_TARGET = 1.5;

const LAMBDA_ENV = lambdaEnv('silent');

async function runImport(bundle: string, ...args: string[]): Promise<string> {
  const proc = Bun.spawn(['node', IMPORT_TIME, bundle, ...args], {
    env: LAMBDA_ENV,
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [code, out, err] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  if (code !== 0) throw new Error(`import of ${bundle} failed: ${err}`);
  return out;
}

interface ImportTiming {
  /** Wall time of the import. */
  ms: number;
  /** CPU time the process spent during the import (less sensitive to a busy machine). */
  cpuMs: number;
}

const importTiming = async (bundle: string): Promise<ImportTiming> =>
  JSON.parse(await runImport(bundle)) as ImportTiming;

/** The bundle's own files that one import loads (configured as on AWS), and their bytes. */
async function loadedAtInit(bundle: BundleResult): Promise<{ files: string[]; bytes: number }> {
  const dir = dirname(bundle.outfile) + sep;
  const urls = JSON.parse(await runImport(bundle.outfile, '--loaded')) as string[];
  const files = [
    ...new Set(
      urls
        .filter((url) => url.startsWith('file:'))
        .map((url) => fileURLToPath(url))
        .filter((path) => path.startsWith(dir)),
    ),
  ];
  const sizes = await Promise.all(files.map(async (path) => (await stat(path)).size));
  return {
    files: files.map((path) => path.slice(dir.length)).sort(),
    bytes: sizes.reduce((total, bytes) => total + bytes, 0),
  };
}

const kib = (bytes: number) => (bytes / 1024).toFixed(1);

await Bun.$`mkdir -p ${join(API_DIR, 'dist')}`;
// Inside the package, so Node resolves the modules the bundle leaves external.
const outRoot = await mkdtemp(join(API_DIR, 'dist', 'bench-'));
try {
  const app = await bundleLambda(join(outRoot, 'app'));
  const bare = await bundleLambda(join(outRoot, 'bare'), BARE_ENTRY);
  const appTimes: ImportTiming[] = [];
  const bareTimes: ImportTiming[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always gets the warmer disk cache.
    if (round % 2 === 0) {
      appTimes.push(await importTiming(app.outfile));
      bareTimes.push(await importTiming(bare.outfile));
    } else {
      bareTimes.push(await importTiming(bare.outfile));
      appTimes.push(await importTiming(app.outfile));
    }
  }
  const summary = async (bundle: BundleResult, times: ImportTiming[]) => {
    const init = await loadedAtInit(bundle);
    return {
      coreBytes: bundle.coreBytes,
      initBytes: init.bytes,
      lazyBytes: bundle.lazyBytes,
      totalBytes: bundle.totalBytes,
      files: bundle.files.length,
      /** Lazy chunks the import loads besides the core (configured as on AWS). */
      lazyAtInit: init.files.filter((path) => !bundle.files.some((f) => f.path === path && f.core)),
      importMsMedian: median(times.map((t) => t.ms)),
      importCpuMsMedian: median(times.map((t) => t.cpuMs)),
      importMs: times.map((t) => t.ms),
      importCpuMs: times.map((t) => t.cpuMs),
    };
  };
  const results = {
    date: new Date().toISOString(),
    rounds,
    node: (await Bun.$`node --version`.text()).trim(),
    app: await summary(app, appTimes),
    bare: await summary(bare, bareTimes),
    importRatio: median(appTimes.map((t) => t.ms)) / median(bareTimes.map((t) => t.ms)),
    budget: { coreBytes: CORE_BUNDLE_BUDGET_BYTES, importRatio: IMPORT_RATIO_TARGET },
  };
  const path = await saveResults('bundle', results);
  const row = (name: string, r: typeof results.app) => ({
    bundle: name,
    'core KiB': kib(r.coreBytes),
    'at init KiB': kib(r.initBytes),
    'lazy KiB': kib(r.lazyBytes),
    'total KiB': kib(r.totalBytes),
    files: r.files,
    'cold import ms (median)': r.importMsMedian.toFixed(1),
    'CPU ms (median)': r.importCpuMsMedian.toFixed(1),
  });
  process.stdout.write(
    `${table([row('app', results.app), row('bare Hono', results.bare)])}\n` +
      `import ratio app/bare: ${results.importRatio.toFixed(2)} (target ≤ ${IMPORT_RATIO_TARGET}); ` +
      `app core ${kib(app.coreBytes)} KiB (budget ≤ ${kib(CORE_BUNDLE_BUDGET_BYTES)})\n` +
      `written to ${path}\n`,
  );
} finally {
  await rm(outRoot, { recursive: true, force: true });
}

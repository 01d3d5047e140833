/**
 * Bundle size and cold import time of the Lambda entry against a bare Hono bundle built
 * the same way. Each import runs in a fresh `node` process; the two alternate.
 * Targets: core bundle ≤ 1 MiB; cold import ≤ 1.5× the bare bundle's.
 *
 *   bun bench/bundle.ts [rounds]   (default 9)
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleLambda } from '../packages/api/src/bundle.ts';
import { median, saveResults, table } from './lib.ts';

const rounds = Number(process.argv[2] ?? 9);
const IMPORT_TIME = fileURLToPath(new URL('./import-time.mjs', import.meta.url));
const BARE_ENTRY = fileURLToPath(new URL('./bare-hono.ts', import.meta.url));
const API_DIR = fileURLToPath(new URL('../packages/api', import.meta.url));

// Configured as on AWS: postgres.js and ioredis connect lazily, so importing touches no network.
const LAMBDA_ENV = {
  PATH: process.env.PATH ?? '',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  STAGE: 'prod',
  EMAIL_PROVIDER: 'ses',
  DATABASE_URL: 'postgres://bench@127.0.0.1:5432/bench',
  REDIS_URL: 'redis://127.0.0.1:6379',
  PUBLIC_URL: 'https://api.example.com',
  BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
  LOG_LEVEL: 'silent',
};

async function importMs(bundle: string): Promise<number> {
  const proc = Bun.spawn(['node', IMPORT_TIME, bundle], {
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
  return Number(out);
}

await Bun.$`mkdir -p ${join(API_DIR, 'dist')}`;
// Inside the package, so Node resolves the modules the bundle leaves external.
const outRoot = await mkdtemp(join(API_DIR, 'dist', 'bench-'));
try {
  const app = await bundleLambda(join(outRoot, 'app'));
  const bare = await bundleLambda(join(outRoot, 'bare'), BARE_ENTRY);
  const appTimes: number[] = [];
  const bareTimes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always gets the warmer disk cache.
    if (round % 2 === 0) {
      appTimes.push(await importMs(app.outfile));
      bareTimes.push(await importMs(bare.outfile));
    } else {
      bareTimes.push(await importMs(bare.outfile));
      appTimes.push(await importMs(app.outfile));
    }
  }
  const results = {
    date: new Date().toISOString(),
    rounds,
    node: (await Bun.$`node --version`.text()).trim(),
    app: { bytes: app.bytes, importMsMedian: median(appTimes), importMs: appTimes },
    bare: { bytes: bare.bytes, importMsMedian: median(bareTimes), importMs: bareTimes },
    importRatio: median(appTimes) / median(bareTimes),
    budget: { bytes: 1024 * 1024, importRatio: 1.5 },
  };
  const path = await saveResults('bundle', results);
  process.stdout.write(
    `${table([
      {
        bundle: 'app (core)',
        KiB: (app.bytes / 1024).toFixed(1),
        'cold import ms (median)': results.app.importMsMedian.toFixed(1),
      },
      {
        bundle: 'bare Hono',
        KiB: (bare.bytes / 1024).toFixed(1),
        'cold import ms (median)': results.bare.importMsMedian.toFixed(1),
      },
    ])}\nimport ratio app/bare: ${results.importRatio.toFixed(2)} (target ≤ 1.5); app bundle ${(app.bytes / 1024).toFixed(1)} KiB (target ≤ 1024)\nwritten to ${path}\n`,
  );
} finally {
  await rm(outRoot, { recursive: true, force: true });
}

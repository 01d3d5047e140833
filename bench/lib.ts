/** Helpers shared by the benchmarks. */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('./results', import.meta.url));

/** The level the benchmarked app logs at: info, as deployed, unless BENCH_LOG_LEVEL is set. */
export function benchLogLevel(): string {
  return process.env.BENCH_LOG_LEVEL ?? 'info';
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Writes `results` to bench/results/<name>.json and returns the path. */
export async function saveResults(name: string, results: unknown): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const path = `${RESULTS_DIR}/${name}.json`;
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
  return path;
}

export function table(rows: Array<Record<string, string | number>>): string {
  const columns = Object.keys(rows[0] ?? {});
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => String(row[column]).length)),
  );
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  return [
    line(columns),
    ...rows.map((row) => line(columns.map((column) => String(row[column])))),
  ].join('\n');
}

/**
 * The environment of a Lambda bundle configured as on AWS (production stage, PostgreSQL,
 * Redis, SES): postgres.js and ioredis connect lazily, so importing touches no network.
 */
export function lambdaEnv(logLevel: 'silent' | 'info'): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    AWS_REGION: 'eu-west-1',
    STAGE: 'prod',
    EMAIL_PROVIDER: 'ses',
    DATABASE_URL: 'postgres://bench@127.0.0.1:5432/bench',
    REDIS_URL: 'redis://127.0.0.1:6379',
    PUBLIC_URL: 'https://api.example.com',
    BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: logLevel,
  };
}

const AI_SERVER = fileURLToPath(new URL('./ai-server.ts', import.meta.url));

/**
 * A fresh app process (bench/ai-server.ts) on `port` against the OpenAI-compatible `model`;
 * resolves with it and its user's bearer token once it is ready.
 */
export async function startAiBenchApp(port: number, model: { url: string; apiKey: string }) {
  const proc = Bun.spawn([process.execPath, AI_SERVER, String(port), model.url, model.apiKey], {
    stdout: 'pipe',
    stderr: 'inherit',
  });
  const reader = proc.stdout.getReader();
  let output = '';
  while (!output.includes('\n')) {
    const { value, done } = await reader.read();
    if (done) throw new Error('the AI bench server exited before it was ready');
    output += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return { proc, token: output.trim().split(' ')[1] ?? '' };
}

/**
 * Bundles the Lambda entries as deployed (split: `index.mjs` and its chunks) and invokes them
 * under Node (see lambda-runtime.mjs and worker-runtime.mjs).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS_FOLDER } from '@backend/shared/migrations';
import { type BundleResult, bundleLambda, WORKER_ENTRY } from '../src/bundle.ts';
import httpApiEvent from './fixtures/apigw-v2-request-no-authorizer.json';
import functionUrlEvent from './fixtures/lambda-urls-request.json';
import { createTestDatabase, services, uniqueName } from './test-deps.ts';

export interface LambdaResult {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: string;
  /** Body writes the handler made. */
  chunks: number;
}

export interface RequestSpec {
  method?: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string;
}

function fromSample<E extends typeof functionUrlEvent | typeof httpApiEvent>(
  sample: E,
  spec: RequestSpec,
) {
  const method = spec.method ?? 'GET';
  // The samples hold placeholders such as `<url-id>`; a real event holds a real host.
  const domainName = sample.requestContext.domainName.replace(/<[^>]*>/g, 'a1b2c3d4e5f6g7h8');
  return {
    ...sample,
    routeKey: '$default',
    rawPath: spec.path,
    rawQueryString: spec.query ?? '',
    queryStringParameters: Object.fromEntries(new URLSearchParams(spec.query ?? '')),
    headers: { host: domainName, ...spec.headers },
    cookies: spec.cookies ?? [],
    requestContext: {
      ...sample.requestContext,
      domainName,
      http: { ...sample.requestContext.http, method, path: spec.path },
    },
    body: spec.body ?? '',
    isBase64Encoded: false,
  };
}

/** A Function URL event for `spec`, made from the documented sample. */
export const functionUrlRequest = (spec: RequestSpec) => fromSample(functionUrlEvent, spec);

/** An API Gateway HTTP API (v2) event for `spec`, made from the documented sample. */
export const httpApiRequest = (spec: RequestSpec) => fromSample(httpApiEvent, spec);

const API_DIR = fileURLToPath(new URL('..', import.meta.url));
const RUNTIME = fileURLToPath(new URL('./lambda-runtime.mjs', import.meta.url));
const HTTP_RUNTIME = fileURLToPath(new URL('./lambda-http.mjs', import.meta.url));
const WORKER_RUNTIME = fileURLToPath(new URL('./worker-runtime.mjs', import.meta.url));

export interface BundledLambda {
  /** The split bundle: its files, core and lazy sizes, and esbuild's metafile. */
  bundle: BundleResult;
  /** The directory that holds `index.mjs` and `chunks/`. */
  outdir: string;
  /** Runs `events` in order in one fresh Node process (one warm container). */
  invoke(events: object[], env: Record<string, string>): Promise<LambdaResult[]>;
  /** As `invoke`, with every line the function wrote to stdout (its logs and metrics). */
  run(events: object[], env: Record<string, string>): Promise<LambdaRun>;
  /**
   * Serves HTTP through the handler in one Node process (one warm container), each request a
   * Function URL event (see lambda-http.mjs).
   */
  serve(env: Record<string, string>): Promise<LambdaServer>;
  dispose(): Promise<void>;
}

export interface LambdaServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** What the process wrote to stderr so far. */
  stderr(): string;
  close(): Promise<void>;
}

export interface LambdaRun {
  results: LambdaResult[];
  /** Lines the function wrote to stdout, in order. */
  stdout: string[];
}

/** The line lambda-http.mjs writes once it listens, before its port. */
const LISTENING_MARKER = '@@lambda-http-listening@@ ';

/** Reads `stream` to its end, calling `onText` with everything read so far after each part. */
async function drain(stream: ReadableStream<Uint8Array>, onText: (text: string) => void) {
  const decoder = new TextDecoder();
  let text = '';
  const reader = stream.getReader();
  for (let part = await reader.read(); !part.done; part = await reader.read()) {
    // The function's own lines are not kept past the last 64 KiB.
    text = (text + decoder.decode(part.value, { stream: true })).slice(-65_536);
    onText(text);
  }
}

/** The line lambda-runtime.mjs writes before its results. */
const RESULTS_MARKER = '\n@@lambda-runtime-results@@\n';

/**
 * The environment of a bundled handler under test: a fresh PostgreSQL database and Redis
 * under its own prefix when this run has them, else in-memory PGlite; logs silent.
 * `close` drops the database.
 */
export async function lambdaTestEnv(
  extra: Record<string, string> = {},
): Promise<{ env: Record<string, string>; close(): Promise<void> }> {
  const database = services.databaseUrl ? await createTestDatabase() : undefined;
  const env: Record<string, string> = database
    ? {
        DATABASE_URL: database.url ?? '',
        // Keys of their own: rate-limit counters shared with other suites would refuse requests.
        ...(services.redisUrl
          ? { REDIS_URL: services.redisUrl, CACHE_PREFIX: `${uniqueName('lambda')}:` }
          : {}),
      }
    : { PGLITE_DATA_DIR: 'memory://', MIGRATIONS_DIR: MIGRATIONS_FOLDER };
  return {
    env: { ...env, LOG_LEVEL: 'silent', ...extra },
    close: async () => database?.close(),
  };
}

/** Runs `runtime` on `outfile` under Node with `events` on stdin; its results and stdout lines. */
async function runRuntime<R>(
  runtime: string,
  outfile: string,
  events: object[],
  env: Record<string, string>,
  functionName: string,
): Promise<{ results: R[]; stdout: string[] }> {
  const proc = Bun.spawn(['node', runtime, outfile], {
    env: { PATH: process.env.PATH ?? '', AWS_LAMBDA_FUNCTION_NAME: functionName, ...env },
    stdin: new Blob([JSON.stringify(events)]),
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [code, stdout, stderr] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  if (code !== 0) throw new Error(`node exited ${code}: ${stderr}`);
  const at = stdout.lastIndexOf(RESULTS_MARKER);
  if (at < 0) throw new Error(`no results from the runtime: ${stdout.slice(-2_000)}`);
  const { results } = JSON.parse(stdout.slice(at + RESULTS_MARKER.length)) as { results: R[] };
  return { results, stdout: stdout.slice(0, at).split('\n').filter(Boolean) };
}

/** A fresh directory inside the package, so Node resolves the modules the bundle leaves external. */
async function testOutdir(): Promise<string> {
  await mkdir(join(API_DIR, 'dist'), { recursive: true });
  return mkdtemp(join(API_DIR, 'dist', 'test-'));
}

export async function bundleForTest(): Promise<BundledLambda> {
  const outdir = await testOutdir();
  const bundle = await bundleLambda(outdir);
  const lambda: BundledLambda = {
    bundle,
    outdir,
    async invoke(events, env) {
      return (await this.run(events, env)).results;
    },
    run: (events, env) => runRuntime<LambdaResult>(RUNTIME, bundle.outfile, events, env, 'api'),
    async serve(env) {
      const proc = Bun.spawn(['node', HTTP_RUNTIME, bundle.outfile], {
        env: { PATH: process.env.PATH ?? '', AWS_LAMBDA_FUNCTION_NAME: 'api', ...env },
        stdin: new Blob([JSON.stringify(functionUrlRequest({ path: '/' }))]),
        stdout: 'pipe',
        stderr: 'pipe',
      });
      let stderr = '';
      void drain(proc.stderr, (text) => {
        stderr = text;
      });
      const port = await new Promise<string>((resolve, reject) => {
        // Read on after the port, or the function's own output would fill the pipe.
        void drain(proc.stdout, (text) => {
          const port = new RegExp(`${LISTENING_MARKER}(\\d+)\n`).exec(text)?.[1];
          if (port) resolve(port);
        });
        void proc.exited.then((code) => reject(new Error(`node exited ${code}: ${stderr}`)));
      });
      return {
        url: `http://127.0.0.1:${port}`,
        stderr: () => stderr,
        async close() {
          proc.kill();
          await proc.exited;
        },
      };
    },
    dispose: () => rm(outdir, { recursive: true, force: true }),
  };
  return lambda;
}

export interface BundledWorker {
  bundle: BundleResult;
  outdir: string;
  /**
   * Runs `events` (SQS events) in order in one fresh Node process (one warm container): each
   * handler's answer, and every line the function wrote to stdout.
   */
  run(
    events: object[],
    env: Record<string, string>,
  ): Promise<{ results: unknown[]; stdout: string[] }>;
  dispose(): Promise<void>;
}

/** Bundles the worker entry as deployed; invokes it under Node (see worker-runtime.mjs). */
export async function bundleWorkerForTest(): Promise<BundledWorker> {
  const outdir = await testOutdir();
  const bundle = await bundleLambda(outdir, WORKER_ENTRY);
  return {
    bundle,
    outdir,
    run: (events, env) => runRuntime(WORKER_RUNTIME, bundle.outfile, events, env, 'worker'),
    dispose: () => rm(outdir, { recursive: true, force: true }),
  };
}

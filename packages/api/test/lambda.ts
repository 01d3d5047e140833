/**
 * Bundles the Lambda entries as deployed (split: `index.mjs` and its chunks) and invokes them
 * under Node (see lambda-runtime.mjs and worker-runtime.mjs).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundleResult, bundleLambda, WORKER_ENTRY } from '../src/bundle.ts';
import httpApiEvent from './fixtures/apigw-v2-request-no-authorizer.json';
import functionUrlEvent from './fixtures/lambda-urls-request.json';

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
  dispose(): Promise<void>;
}

export interface LambdaRun {
  results: LambdaResult[];
  /** Lines the function wrote to stdout, in order. */
  stdout: string[];
}

/** The line lambda-runtime.mjs writes before its results. */
const RESULTS_MARKER = '\n@@lambda-runtime-results@@\n';

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

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BundledLambda,
  bundleForTest,
  functionUrlRequest,
  httpApiRequest,
  type LambdaResult,
  lambdaTestEnv,
} from '../test/lambda.ts';
import {
  CORE_BUNDLE_BUDGET_BYTES,
  LAMBDA_BUNDLE,
  LAMBDA_ENTRY,
  LAZY_ONLY_MODULES,
  measureBundle,
  staticImportsOf,
} from './bundle.ts';
import { ASSETS_DIR, IMMUTABLE, SCALAR_ASSET } from './lib/docs-assets.ts';
import { ERROR_CODES } from './lib/errors.ts';
import { DOCS_ASSET_PATH } from './lib/openapi.ts';

// The entry is bundled exactly as the CDK bundles it, then invoked under Node with
// documented event shapes, through a stand-in for the runtime's response streaming.
let lambda: BundledLambda;
let closeEnv: (() => Promise<void>) | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  lambda = await bundleForTest();
  ({ env, close: closeEnv } = await lambdaTestEnv());
});
afterAll(async () => {
  await lambda?.dispose();
  await closeEnv?.();
});

const json = (result: LambdaResult) => JSON.parse(result.body);
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe.each([
  ['a Lambda Function URL', functionUrlRequest],
  ['an API Gateway HTTP API (v2)', httpApiRequest],
])('the bundled handler, invoked with %s event', (_name, makeEvent) => {
  // One warm container per event shape: every request below, in order.
  let health: LambdaResult;
  let missing: LambdaResult;
  let tagged: LambdaResult;
  let ready: LambdaResult;
  let signUp: LambdaResult;
  let signIn: LambdaResult;
  let me: LambdaResult;
  let anonymous: LambdaResult;
  const email = `lambda-${Math.random().toString(36).slice(2)}@example.com`;
  const credentials = { email, password: 'correct horse battery' };
  const jsonHeaders = { 'content-type': 'application/json', origin: 'http://localhost:3000' };
  beforeAll(async () => {
    [health, missing, tagged, ready, signUp, signIn, me, anonymous] = (await lambda.invoke(
      [
        makeEvent({ path: '/health' }),
        makeEvent({ path: '/no/such/route' }),
        makeEvent({ path: '/health', headers: { 'x-request-id': 'trace-from-client-1' } }),
        makeEvent({ path: '/health/ready' }),
        makeEvent({
          method: 'POST',
          path: '/api/auth/sign-up/email',
          headers: jsonHeaders,
          body: JSON.stringify({ ...credentials, name: 'Lambda User' }),
        }),
        // Without "remember me" Better Auth sets a session cookie and a marker cookie.
        makeEvent({
          method: 'POST',
          path: '/api/auth/sign-in/email',
          headers: jsonHeaders,
          body: JSON.stringify({ ...credentials, rememberMe: false }),
        }),
        { ...makeEvent({ path: '/api/me' }), cookiesFrom: 5 },
        makeEvent({ path: '/api/me' }),
      ],
      env,
    )) as LambdaResult[] as [
      LambdaResult,
      LambdaResult,
      LambdaResult,
      LambdaResult,
      LambdaResult,
      LambdaResult,
      LambdaResult,
      LambdaResult,
    ];
  });

  test('GET /health answers 200 JSON', () => {
    expect(health.statusCode).toBe(200);
    expect(health.headers['content-type']).toContain('application/json');
    expect(json(health)).toEqual({ status: 'ok' });
  });

  test('an unknown path answers 404 in the error shape', () => {
    expect(missing.statusCode).toBe(404);
    const body = json(missing);
    expect(body.error.code).toBe(ERROR_CODES.NOT_FOUND);
    expect(body.error.requestId).toBe(missing.headers['x-request-id']);
  });

  test('echoes the request id it was given', () => {
    expect(tagged.headers['x-request-id']).toBe('trace-from-client-1');
  });

  test('GET /health/ready reaches the configured database', () => {
    expect(ready.statusCode).toBe(200);
    expect(json(ready).checks.database).toBe('ok');
  });

  test('a POST with a JSON body reaches its handler', () => {
    expect(signUp.statusCode).toBe(200);
    expect(json(signUp).user.email).toBe(email);
  });

  test('sign-in returns every Set-Cookie header Better Auth sets', () => {
    expect(signIn.statusCode).toBe(200);
    const names = signIn.cookies.map((cookie) => cookie.split('=')[0]);
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(names).toContain('better-auth.session_token');
    expect(names).toContain('better-auth.dont_remember');
    expect(Object.keys(signIn.headers)).not.toContain('set-cookie');
  });

  test('the next request with those cookies is authenticated; without them it is not', () => {
    expect(me.statusCode).toBe(200);
    expect(json(me)).toMatchObject({ email, authMethod: 'cookie' });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('the bundle', () => {
  const coreFiles = () => lambda.bundle.files.filter((file) => file.core);

  test('its core imports no module it leaves external (AWS SDK, PGlite) until one is used', async () => {
    // esbuild hoists an external module's static import to the top of an ESM file, where it
    // would load at every cold start; external modules must be reached by dynamic import().
    expect(lambda.bundle.coreStaticExternals).toEqual([]);
    // The same, read from the files on disk rather than from esbuild's account of them.
    const staticExternal = (
      await Promise.all(
        coreFiles().map(async (file) =>
          staticImportsOf(await Bun.file(join(lambda.outdir, file.path)).text()),
        ),
      )
    )
      .flat()
      .filter((specifier) => !specifier.startsWith('.'))
      .filter((specifier) => !specifier.startsWith('node:') && !builtinModules.includes(specifier));
    expect(staticExternal).toEqual([]);
  });

  test('its core (the entry and the chunks it imports statically) is within the 1 MiB budget', () => {
    expect(lambda.bundle.coreBytes).toBeGreaterThan(10_000);
    expect(lambda.bundle.coreBytes).toBeLessThanOrEqual(CORE_BUNDLE_BUDGET_BYTES);
  });

  test('code reached only by dynamic import() is in lazy chunks, out of the core', () => {
    expect(lambda.bundle.lazyBytes).toBeGreaterThan(0);
    const core = lambda.bundle.coreInputs;
    // The SES sender, postgres.js and ioredis are each imported only where configured.
    expect(core).not.toContain('packages/api/src/lib/email/ses.ts');
    expect(core.filter((input) => /node_modules\/(?:postgres|ioredis)\//.test(input))).toEqual([]);
  });

  test('no feature route definition is in its core: routers are built on first use', () => {
    const routes = lambda.bundle.coreInputs.filter((input) => input.endsWith('.routes.ts'));
    expect(routes).toEqual(['packages/api/src/routes/health/health.routes.ts']);
  });

  test('no LangChain, LangGraph or X-Ray SDK module is in its core', () => {
    const eager = lambda.bundle.coreInputs.filter((input) =>
      LAZY_ONLY_MODULES.some((pattern) => pattern.test(input)),
    );
    expect(eager).toEqual([]);
  });

  test('every file, chunks included, has the createRequire banner and a source map', async () => {
    expect(lambda.bundle.files.length).toBeGreaterThan(1);
    const mapped = new Set<string>();
    for (const file of lambda.bundle.files) {
      const path = join(lambda.outdir, file.path);
      const text = await Bun.file(path).text();
      expect(text.startsWith(LAMBDA_BUNDLE.banner)).toBe(true);
      expect(text.trimEnd().endsWith(`//# sourceMappingURL=${basename(path)}.map`)).toBe(true);
      const map = (await Bun.file(`${path}.map`).json()) as { version: number; sources: string[] };
      expect(map.version).toBe(3);
      for (const source of map.sources) mapped.add(resolve(dirname(path), source));
    }
    // Every project module in the bundle maps back to its source file, whichever chunk holds it
    // (a dependency's own map may name sources its package does not ship).
    // (Modules that only re-export leave no code, hence no mapping.)
    const projectInputs = Object.values(lambda.bundle.metafile.outputs)
      .flatMap((output) => Object.entries(output.inputs))
      .filter(([input, { bytesInOutput }]) => bytesInOutput > 0 && !input.includes('node_modules/'))
      .map(([input]) => resolve(REPO_ROOT, input));
    expect(projectInputs).toContain(LAMBDA_ENTRY);
    expect(projectInputs.filter((input) => !mapped.has(input))).toEqual([]);
    expect(projectInputs.every((input) => existsSync(input))).toBe(true);
  });

  test('every lazy chunk loads under Node (CommonJS dependencies find `require`)', async () => {
    // Evaluating a chunk runs its modules' top level, where a CommonJS dependency's
    // `require("events")` fails without the banner: each chunk is imported in one Node process.
    const lazy = lambda.bundle.files.filter((file) => !file.core);
    expect(lazy.length).toBeGreaterThan(0);
    const script = `for (const file of process.argv.slice(1)) {
      try { await import(new URL(file, 'file://${lambda.outdir}/').href); }
      catch (error) { console.log(JSON.stringify([file, String(error)])); }
    }`;
    const proc = Bun.spawn(
      ['node', '--input-type=module', '-e', script, ...lazy.map((f) => f.path)],
      { env: { PATH: process.env.PATH ?? '' }, stdout: 'pipe', stderr: 'pipe' },
    );
    const [code, out] = await Promise.all([proc.exited, new Response(proc.stdout).text()]);
    expect(out.trim().split('\n').filter(Boolean)).toEqual([]);
    expect(code).toBe(0);
  });

  test('the docs page and the OpenAPI document, served from lazy code, answer under Node', async () => {
    const [docs, document] = (await lambda.invoke(
      [functionUrlRequest({ path: '/docs' }), functionUrlRequest({ path: '/openapi.json' })],
      env,
    )) as [LambdaResult, LambdaResult];
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
    expect(docs.body).toContain('/openapi.json');
    expect(document.statusCode).toBe(200);
    expect(json(document).openapi).toBe('3.1.0');
  });

  test("the docs page's Scalar is served from the bundle's own assets/ copy", async () => {
    const copy = join(lambda.outdir, ASSETS_DIR, SCALAR_ASSET);
    expect(existsSync(copy)).toBe(true);
    const [asset] = (await lambda.invoke([functionUrlRequest({ path: DOCS_ASSET_PATH })], env)) as [
      LambdaResult,
    ];
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe(IMMUTABLE);
    expect(Buffer.byteLength(asset.body)).toBe(statSync(copy).size);
    // A static file, not a chunk: the core measure does not include it.
    expect(lambda.bundle.files.some((file) => file.path.includes(SCALAR_ASSET))).toBe(false);
  });

  test('measured on disk, as the infrastructure measures the deployed asset, it is the same', async () => {
    const measured = await measureBundle(lambda.outdir);
    expect(measured.files).toEqual(lambda.bundle.files);
    expect(measured.coreBytes).toBe(lambda.bundle.coreBytes);
  });
});

describe('the bundled handler’s logs and metrics', () => {
  const TRACE_ROOT = '1-5759e988-bd862e3fe1be46a994272793';
  const secrets = ['obs-secret-token-1', 'obs-secret-cookie-2', 'obs-secret-password-3'];
  let stdout: string[];
  let lines: Array<Record<string, unknown>>;
  let emf: Array<Record<string, unknown>>;
  let requests: Array<Record<string, unknown>>;
  beforeAll(async () => {
    ({ stdout } = await lambda.run(
      [
        functionUrlRequest({
          path: '/health',
          headers: {
            'x-request-id': 'obs-request-0',
            authorization: `Bearer ${secrets[0]}`,
            cookie: `session=${secrets[1]}`,
          },
        }),
        functionUrlRequest({
          method: 'POST',
          path: '/api/auth/sign-in/email',
          headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' },
          body: JSON.stringify({ email: 'nobody@example.com', password: secrets[2] }),
        }),
        functionUrlRequest({ path: '/no/such/route' }),
      ],
      {
        ...env,
        LOG_LEVEL: 'info',
        _X_AMZN_TRACE_ID: `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
      },
    ));
    lines = stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
    emf = lines.filter((line) => '_aws' in line);
    requests = lines.filter((line) => line.message === 'request');
  });

  test('every line on stdout is one JSON object', () => {
    expect(stdout.length).toBeGreaterThan(3);
    for (const line of lines) expect(typeof line).toBe('object');
  });

  test('one EMF line per invocation, written after its response, naming its Lambda request id', () => {
    expect(emf.map((line) => line.lambdaRequestId)).toEqual(['req-0', 'req-1', 'req-2']);
    for (const [i, line] of emf.entries()) {
      expect(line.Requests).toBe(1);
      expect(typeof line.Latency).toBe('number');
      expect(lines.indexOf(line)).toBeGreaterThan(lines.indexOf(requests[i] ?? {}));
    }
    const aws = emf[0]?._aws as { CloudWatchMetrics: Array<Record<string, unknown>> } | undefined;
    const directive = aws?.CloudWatchMetrics[0];
    expect(directive?.Namespace).toBe('AiBackend');
    expect(directive?.Dimensions).toContainEqual(['service', 'stage', 'route', 'statusClass']);
    expect(emf[0]).toMatchObject({ route: '/health', statusClass: '2xx', ColdStart: 1 });
    expect(emf[1]).toMatchObject({ statusClass: '4xx', AuthFailures: 1 });
    expect(emf[1]).not.toHaveProperty('ColdStart');
    expect(emf[2]).toMatchObject({ statusClass: '4xx' });
  });

  test('each request line has the request id with the Lambda request id, trace id and cold start', () => {
    expect(requests).toHaveLength(3);
    expect(requests[0]).toMatchObject({
      level: 'info',
      requestId: 'obs-request-0',
      lambdaRequestId: 'req-0',
      traceId: TRACE_ROOT,
      coldStart: true,
      route: '/health',
      status: 200,
    });
    expect(requests[1]).toMatchObject({ lambdaRequestId: 'req-1', coldStart: false, status: 401 });
    for (const line of requests) {
      expect(typeof line.time).toBe('string');
      expect(typeof line.durationMs).toBe('number');
      expect(typeof line.requestId).toBe('string');
    }
  });

  test('no credential the requests carried reaches the output', () => {
    const output = stdout.join('\n');
    for (const secret of secrets) expect(output).not.toContain(secret);
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { builtinModules } from 'node:module';
import { MIGRATIONS_FOLDER } from '@backend/shared/migrations';
import { CORE_BUNDLE_CEILING_BYTES } from './bundle.ts';
import { ERROR_CODES } from './lib/errors.ts';
import {
  type BundledLambda,
  bundleForTest,
  functionUrlRequest,
  httpApiRequest,
  type LambdaResult,
} from './test/lambda.ts';
import { createTestDatabase, services } from './test/test-deps.ts';

// The entry is bundled exactly as the CDK bundles it, then invoked under Node with
// documented event shapes, through a stand-in for the runtime's response streaming.
let lambda: BundledLambda;
let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  lambda = await bundleForTest();
  if (services.databaseUrl) {
    database = await createTestDatabase();
    env = {
      DATABASE_URL: database.url ?? '',
      ...(services.redisUrl ? { REDIS_URL: services.redisUrl } : {}),
    };
  } else {
    env = { PGLITE_DATA_DIR: 'memory://', MIGRATIONS_DIR: MIGRATIONS_FOLDER };
  }
  env.LOG_LEVEL = 'silent';
});
afterAll(async () => {
  await lambda?.dispose();
  await database?.close();
});

const json = (result: LambdaResult) => JSON.parse(result.body);

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
  test('imports no module it leaves external (AWS SDK, PGlite) until one is used', async () => {
    // esbuild hoists an external module's static import to the top of an ESM bundle, where it
    // would load at every cold start; external modules must be reached by dynamic import().
    const text = await Bun.file(lambda.outfile).text();
    const staticExternal = [
      ...text.matchAll(/(?:^|[;}])import(?:[^'"()]*?from)?\s*["']([^"']+)["']/g),
    ]
      .map((match) => match[1] ?? '')
      .filter((specifier) => !specifier.startsWith('node:') && !builtinModules.includes(specifier));
    expect(staticExternal).toEqual([]);
  });

  test('does not grow past its ceiling (the 1 MiB budget is not met yet)', () => {
    expect(lambda.bytes).toBeGreaterThan(0);
    expect(lambda.bytes).toBeLessThanOrEqual(CORE_BUNDLE_CEILING_BYTES);
  });
});

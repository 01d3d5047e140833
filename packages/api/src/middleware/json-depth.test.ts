import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { jsonRequest, PASSWORD, signIn, signUp, type TestUser } from '../../test/accounts.ts';
import { createTestDeps } from '../../test/test-deps.ts';
import { createApp } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { ERROR_CODES, type ErrorBody } from '../lib/errors.ts';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './json-depth.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('jsonDepthExceeds', () => {
  test('counts arrays and objects: the limit passes, one level more does not', () => {
    expect(jsonDepthExceeds(bytes(nested(MAX_JSON_DEPTH)), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(bytes(nested(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH)).toBe(true);
    const objects = `${'{"a":'.repeat(3)}1${'}'.repeat(3)}`;
    expect(jsonDepthExceeds(bytes(objects), 3)).toBe(false);
    expect(jsonDepthExceeds(bytes(objects), 2)).toBe(true);
    expect(jsonDepthExceeds(bytes('[{"a":[1]},{"b":[2]}]'), 3)).toBe(false);
  });

  test('brackets inside strings do not count, an escaped quote does not end the string', () => {
    expect(jsonDepthExceeds(bytes(JSON.stringify({ text: '[[[[[[{{{{' })), 1)).toBe(false);
    expect(jsonDepthExceeds(bytes(JSON.stringify(['say \\"[[[[', '\\'])), 1)).toBe(false);
    // The escaped quote keeps the string open: the brackets after it are text.
    expect(jsonDepthExceeds(bytes('["\\"[[[["]'), 1)).toBe(false);
    // After an escaped backslash the quote does end the string: the brackets count.
    expect(jsonDepthExceeds(bytes('["\\\\",[[["]]]]'), 2)).toBe(true);
  });

  test('stray closing brackets do not buy depth for what follows', () => {
    expect(jsonDepthExceeds(bytes(`${']'.repeat(100)}${'['.repeat(10)}`), 5)).toBe(true);
  });

  test('a body of 100,000 levels is judged in milliseconds', () => {
    const started = performance.now();
    expect(jsonDepthExceeds(bytes(nested(100_000)), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(bytes(`[${'"[{",'.repeat(200_000)}1]`), MAX_JSON_DEPTH)).toBe(false);
    expect(performance.now() - started).toBeLessThan(100);
  });
});

describe('JSON depth limit on the app', () => {
  let deps: AppDeps;
  let app: ReturnType<typeof createApp>;
  let user: TestUser;
  let server: ReturnType<typeof Bun.serve>;

  beforeAll(async () => {
    deps = await createTestDeps();
    app = createApp(deps);
    user = await signUp(app, deps);
    server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: app.fetch });
  });
  afterAll(async () => {
    await server?.stop(true);
    await deps?.close();
  });

  const ROUTES = ['/api/auth/sign-in/email', '/api/chats', '/api/ai/chat'];

  for (const depth of [20_000, 100_000]) {
    for (const path of ROUTES) {
      test(`a body nested ${depth} levels deep on POST ${path} is a 400 in milliseconds while /health answers`, async () => {
        const base = server.url;
        const started = performance.now();
        const deep = fetch(new URL(path, base), {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...user.headers },
          body: nested(depth),
        }).then(async (response) => ({
          response,
          body: (await response.json()) as ErrorBody,
          ms: performance.now() - started,
        }));
        const health = fetch(new URL('/health', base)).then((response) => ({
          status: response.status,
          ms: performance.now() - started,
        }));
        const [answer, liveness] = await Promise.all([deep, health]);
        expect(answer.response.status).toBe(400);
        expect(answer.body.error).toMatchObject({
          code: ERROR_CODES.BAD_REQUEST,
          details: { maxDepth: MAX_JSON_DEPTH },
        });
        expect(answer.ms).toBeLessThan(1_000);
        expect(liveness.status).toBe(200);
        expect(liveness.ms).toBeLessThan(1_000);
      });
    }
  }

  test('a body within the limit still reaches its handler: sign-in, chat creation and Better Auth validation work', async () => {
    expect((await signIn(app, deps, user.email, PASSWORD)).status).toBe(200);
    const created = await app.request(
      '/api/chats',
      jsonRequest('POST', { title: 'within the limit' }, user.headers),
    );
    expect(created.status).toBe(201);
    expect(((await created.json()) as { title: string }).title).toBe('within the limit');
    // Nested to exactly the limit: past the guard, refused by the schema instead.
    const atLimit = await app.request('/api/chats', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...user.headers },
      body: `{"title":${nested(MAX_JSON_DEPTH - 1)}}`,
    });
    expect(atLimit.status).toBe(422);
  });
});

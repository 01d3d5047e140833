/**
 * The bugs the fuzzing, header and outage suites found, each pinned by the request that
 * showed it, so a regression names itself.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { createApp } from '../../src/app.ts';
import { ERROR_CODES, type ErrorBody } from '../../src/lib/errors.ts';
import { jsonRequest, promoteToAdmin, signUp, type TestUser } from '../accounts.ts';
import { useTestApp } from '../test-app.ts';
import { createTestDeps } from '../test-deps.ts';
import { loadDocument } from './document.ts';

const t = useTestApp();
let user: TestUser;

beforeAll(async () => {
  user = await signUp(t.app, t.deps);
});

const cursorOf = (createdAt: string, id: string) =>
  Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');

describe('found by fuzzing', () => {
  test('a NUL character in a Better Auth body, query or path is a 422, not a 500 from PostgreSQL', async () => {
    const bearer = { authorization: `Bearer ${user.bearer}` };
    const body = await t.app.request(
      '/api/auth/update-user',
      jsonRequest('POST', { name: 'nul\u0000inside' }, bearer),
    );
    expect(body.status).toBe(422);
    expect(((await body.json()) as ErrorBody).error).toMatchObject({
      code: ERROR_CODES.VALIDATION_FAILED,
      details: [{ location: 'body', path: 'name' }],
    });
    const query = await t.app.request('/api/auth/api-key/get?id=%00', { headers: bearer });
    expect(query.status).toBe(422);
    const path = await t.app.request('/api/auth/reset-password/a%00b');
    expect(path.status).toBe(422);
  });

  test('a body nested 20,000 levels deep on a Better Auth route is a 400 in milliseconds, not a blocked event loop', async () => {
    const started = performance.now();
    const response = await t.app.request('/api/auth/update-user', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.bearer}` },
      body: `{"name":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.code).toBe(ERROR_CODES.BAD_REQUEST);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  test('a cursor whose date PostgreSQL cannot compare is a 422 on the cursor, not a 500', async () => {
    const admin = await signUp(t.app, t.deps);
    await promoteToAdmin(t.deps, admin.id);
    for (const date of [
      '+275760-09-13T00:00:00.000Z',
      '-271821-04-20T00:00:00.000Z',
      '2024-01-01',
    ]) {
      const cursor = cursorOf(date, '0192f0c4-8b1e-7c3a-9b5e-1f2a3b4c5d6e');
      for (const path of [`/api/admin/users?cursor=${cursor}`, `/api/chats?cursor=${cursor}`]) {
        const response = await t.app.request(path, { headers: admin.headers });
        expect({ path, date, status: response.status }).toEqual({ path, date, status: 422 });
      }
    }
  });

  test("Better Auth's errors are documented in the project's error shape, with the statuses the API adds", async () => {
    const doc = await loadDocument(t.app);
    const signIn = doc.paths['/api/auth/sign-in/email']?.post;
    expect(signIn?.responses['401']?.content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/Error',
    });
    for (const status of ['413', '415', '422', '429'])
      expect(signIn?.responses[status]).toBeDefined();
    expect(doc.paths['/api/chats']?.post?.responses['413']).toBeDefined();
    // Always refused as configured (405), so not offered.
    expect(doc.paths['/api/auth/get-session']?.post).toBeUndefined();
  });
});

describe('found by the header suite', () => {
  test('Better Auth responses carry X-Request-Id, the incoming one when well-formed', async () => {
    const requestId = '0192f0c4-8b1e-7c3a-9b5e-1f2a3b4c5d6e';
    for (const path of ['/api/auth/get-session', '/api/auth/list-sessions', '/api/auth/ok']) {
      const response = await t.app.request(path, { headers: { 'x-request-id': requestId } });
      expect({ path, id: response.headers.get('x-request-id') }).toEqual({ path, id: requestId });
    }
  });

  test('several Set-Cookie headers of a Better Auth answer all survive', async () => {
    const response = await t.app.request(
      '/api/auth/sign-in/email',
      jsonRequest(
        'POST',
        { email: user.email, password: 'correct horse battery' },
        { origin: new URL(t.deps.env.PUBLIC_URL).origin },
      ),
    );
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie().length).toBeGreaterThanOrEqual(1);
    expect(response.headers.get('x-request-id')).not.toBeNull();
  });
});

describe('found by the outage suites', () => {
  test('a database that does not answer is a 503 with Retry-After, also behind Better Auth’s bare 500', async () => {
    const own = await createTestDeps();
    const ownApp = createApp(own);
    const caller = await signUp(ownApp, own);
    await own.database.close();
    try {
      const requests: Array<[string, RequestInit]> = [
        [
          '/api/chats',
          jsonRequest('POST', { title: 'x' }, { authorization: `Bearer ${caller.bearer}` }),
        ],
        ['/api/me', { headers: caller.headers }],
        ['/api/auth/list-sessions', { headers: caller.headers }],
      ];
      for (const [path, init] of requests) {
        const response = await ownApp.request(path, init);
        const body = (await response.json()) as ErrorBody;
        expect({ path, status: response.status }).toEqual({ path, status: 503 });
        expect(body.error.code).toBe(ERROR_CODES.SERVICE_UNAVAILABLE);
        expect(response.headers.get('retry-after')).toBe('5');
      }
    } finally {
      await own.cache.close();
    }
  });
});

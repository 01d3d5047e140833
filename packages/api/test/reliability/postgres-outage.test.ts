/**
 * A PostgreSQL outage under a running app: the app reaches its database through a TCP proxy
 * the test controls (its own port), with the production pool settings (prepare off, a pool
 * of two). The proxy is cut — every connection dropped, new ones refused — and restored.
 * Throughout: readiness 503, writes 503 in the error shape with Retry-After, never a 500;
 * writes cut off mid-flight leave nothing half-written; the app recovers when the database
 * returns. Needs DATABASE_URL (an embedded database cannot be cut off); skipped without it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { chats, messages } from '@backend/shared/schema';
import { count, eq, inArray, sql } from 'drizzle-orm';
import { createApp } from '../../src/app.ts';
import { type AppDeps, createDeps } from '../../src/deps.ts';
import { parseEnv } from '../../src/env.ts';
import { createMemoryCache } from '../../src/lib/cache/memory.ts';
import { createPostgresDatabase, type DatabaseClient } from '../../src/lib/db/index.ts';
import { ERROR_CODES, type ErrorBody } from '../../src/lib/errors.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { jsonRequest, signUp, type TestUser, uniqueEmail } from '../accounts.ts';
import { createTestDatabase, services } from '../test-deps.ts';
import { startTcpProxy, type TcpProxy, waitFor } from './services.ts';

let direct: DatabaseClient & { url?: string };
let proxy: TcpProxy;
let deps: AppDeps;
let app: ReturnType<typeof createApp>;
let user: TestUser;
let chatId: string;
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);

async function rowCounts() {
  const db = direct.db;
  const [chatRows] = await db.select({ n: count() }).from(chats);
  const [messageRows] = await db.select({ n: count() }).from(messages);
  return { chats: chatRows?.n ?? 0, messages: messageRows?.n ?? 0 };
}

describe.skipIf(!services.databaseUrl)('a PostgreSQL outage under a running app', () => {
  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    direct = await createTestDatabase();
    const target = new URL(direct.url ?? '');
    proxy = startTcpProxy({ hostname: target.hostname, port: Number(target.port || 5432) });
    const proxied = new URL(target);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const env = parseEnv({
      STAGE: 'local',
      LOG_LEVEL: 'silent',
      BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
      RATE_LIMIT_DEFAULT: '100000',
      RATE_LIMIT_AUTH: '100000',
      // Bounds the requests whose transaction hangs on a dead connection (see the last test).
      REQUEST_TIMEOUT_MS: '3000',
      // Readiness is asked right after the connection is cut: no result of a second ago.
      READINESS_CACHE_MS: '0',
    });
    const database = await createPostgresDatabase({
      primary: { url: proxied.toString() },
      max: 2,
      prepare: false,
    });
    deps = await createDeps(env, {
      logger: createLogger({ level: 'silent' }),
      database,
      cache: createMemoryCache(),
    });
    app = createApp(deps);
    user = await signUp(app, deps);
    const created = await app.request(
      '/api/chats',
      jsonRequest('POST', { title: 'before' }, user.headers),
    );
    chatId = ((await created.json()) as { id: string }).id;
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    proxy?.restore();
    await deps?.close();
    await direct?.close();
    proxy?.cut();
  });

  const bearer = () => ({ authorization: `Bearer ${user.bearer}` });

  test('before: ready, and writes go through the proxy', async () => {
    expect((await app.request('/health/ready')).status).toBe(200);
    const posted = await app.request(
      `/api/chats/${chatId}/messages`,
      jsonRequest('POST', { content: 'before the outage' }, bearer()),
    );
    expect(posted.status).toBe(201);
  });

  test('during: readiness 503; every write 503 in the error shape with Retry-After; nothing stored', async () => {
    proxy.cut();
    const before = await rowCounts();
    const ready = await app.request('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).not.toBeNull();

    const writes = [
      ['/api/chats', jsonRequest('POST', { title: 'during' }, bearer())],
      [`/api/chats/${chatId}`, jsonRequest('PATCH', { title: 'during' }, bearer())],
      [`/api/chats/${chatId}/messages`, jsonRequest('POST', { content: 'during' }, bearer())],
      [`/api/chats/${chatId}`, { method: 'DELETE', headers: bearer() }],
      ['/api/chats', { headers: bearer() }],
      [
        '/api/auth/sign-up/email',
        jsonRequest(
          'POST',
          { email: uniqueEmail('outage'), password: 'correct horse battery', name: 'Outage' },
          { origin: new URL(deps.env.PUBLIC_URL).origin },
        ),
      ],
    ] as const;
    for (const [path, init] of writes) {
      const started = performance.now();
      const response = await app.request(path, init);
      const body = (await response.json()) as ErrorBody;
      expect({ path, status: response.status }).toEqual({ path, status: 503 });
      expect(body.error.code).toBe(ERROR_CODES.SERVICE_UNAVAILABLE);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(JSON.stringify(body)).not.toContain('ECONNREFUSED');
      expect(performance.now() - started).toBeLessThan(6_000);
    }
    expect(await rowCounts()).toEqual(before);
  }, 60_000);

  test('after: the app recovers within seconds of the database returning', async () => {
    proxy.restore();
    const restored = performance.now();
    await waitFor(
      async () => (await app.request('/health/ready')).status === 200,
      10_000,
      'readiness',
    );
    const created = await app.request(
      '/api/chats',
      jsonRequest('POST', { title: 'after' }, bearer()),
    );
    expect(created.status).toBe(201);
    expect(performance.now() - restored).toBeLessThan(10_000);
    expect(rejections).toEqual([]);
  });

  test('writes cut off mid-flight: none answers 500, every 201 is stored, each write whole', async () => {
    proxy.restore();
    await waitFor(
      async () => (await app.request('/health/ready')).status === 200,
      10_000,
      'readiness',
    );
    const before = await rowCounts();
    const inFlight = Array.from({ length: 30 }, (_, i) =>
      app.request(
        `/api/chats/${chatId}/messages`,
        jsonRequest('POST', { content: `burst ${i}` }, bearer()),
      ),
    );
    await Bun.sleep(5);
    proxy.cut();
    const responses = await Promise.all(inFlight);
    const statuses = responses.map((response) => response.status);
    // 504: a transaction whose connection died never settles in postgres.js 3.4.9
    // (porsager/postgres#1186); the request timeout answers for it.
    expect(statuses.filter((status) => ![201, 503, 504].includes(status))).toEqual([]);
    proxy.restore();
    await waitFor(
      async () => (await app.request('/health/ready')).status === 200,
      10_000,
      'readiness',
    );
    for (const response of responses.filter((r) => r.status >= 500)) {
      if (response.status === 503) expect(response.headers.get('retry-after')).not.toBeNull();
      const { code } = ((await response.json()) as ErrorBody).error;
      expect(code).toBe(
        response.status === 503 ? ERROR_CODES.SERVICE_UNAVAILABLE : ERROR_CODES.TIMEOUT,
      );
    }
    // Every acknowledged write is stored. A write cut off between its COMMIT and its answer may
    // be stored too, though answered 503/504: its outcome is unknowable to the app (a client
    // that retries such writes needs an idempotency key). Nothing else may appear.
    const acknowledged = await Promise.all(
      responses
        .filter((response) => response.status === 201)
        .map(async (response) => ((await response.json()) as { id: string }).id),
    );
    const stored = await direct.db
      .select({ id: messages.id })
      .from(messages)
      .where(inArray(messages.id, acknowledged.length > 0 ? acknowledged : [chatId]));
    expect(stored.length).toBe(acknowledged.length);
    const after = await rowCounts();
    const unacknowledged = after.messages - before.messages - acknowledged.length;
    expect(unacknowledged).toBeGreaterThanOrEqual(0);
    expect(unacknowledged).toBeLessThanOrEqual(statuses.filter((status) => status !== 201).length);
    // The message and the chat's updatedAt move together (one transaction). Read in one
    // statement, so one snapshot: a write cut off mid-flight may still commit meanwhile.
    const [row] = await direct.db
      .select({
        updatedAt: sql<string>`${chats.updatedAt}::text`,
        latest: sql<string>`(select max(${messages.createdAt}) from ${messages} where ${messages.chatId} = ${chatId})::text`,
      })
      .from(chats)
      .where(eq(chats.id, chatId));
    expect(row?.updatedAt).toBeString();
    expect(row?.updatedAt).toBe(row?.latest);
    // Nothing escaped as an unhandled rejection, which would end a Node process on Lambda.
    expect(rejections).toEqual([]);
  }, 60_000);
});

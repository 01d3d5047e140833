/**
 * The authorization matrix, generated from the OpenAPI document: every operation under
 * /api (Better Auth's own /api/auth/* aside) × every kind of caller that must be refused.
 * A new route fails this test until it declares its security and has an example request
 * here, so no route can be left out.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { apikey, chats, messages, session, user } from '@backend/shared/schema';
import { count, eq } from 'drizzle-orm';
import { createApp } from './app.ts';
import type { AppDeps } from './deps.ts';
import { ERROR_CODES, type ErrorBody } from './lib/errors.ts';
import {
  createApiKey,
  jsonRequest,
  promoteToAdmin,
  signUp,
  type TestUser,
} from './test/accounts.ts';
import { createTestDeps } from './test/test-deps.ts';

type Operation = { security?: unknown[]; responses: Record<string, unknown> };
type Document = { paths: Record<string, Record<string, Operation>> };

/** Routes anyone may call. */
const PUBLIC = new Set(['GET /health', 'GET /health/ready']);

/** A valid request body for each operation that takes one (a denied request must not need a bad body to fail). */
const EXAMPLE_BODIES: Record<string, unknown> = {
  'POST /api/chats': { title: 'matrix' },
  'PATCH /api/chats/{chatId}': { title: 'renamed by an intruder' },
  'POST /api/chats/{chatId}/messages': { content: 'written by an intruder' },
  'POST /api/api-keys': { name: 'matrix', permissions: { chat: ['read'] } },
  'PUT /api/admin/users/{userId}/role': { role: 'admin' },
  'POST /api/admin/users/{userId}/ban': { reason: 'matrix' },
  'POST /api/ai/chat': { message: 'written by an intruder' },
  'POST /api/ai/chat/stream': { message: 'written by an intruder' },
};

let deps: AppDeps;
let app: ReturnType<typeof createApp>;
let doc: Document;
let owner: TestUser;
let other: TestUser;
let target: TestUser;
let expired: TestUser;
let revoked: TestUser;
let revokedKey: string;
let chatId: string;

beforeAll(async () => {
  deps = await createTestDeps();
  app = createApp(deps);
  doc = (await (await app.request('/openapi.json')).json()) as Document;

  [owner, other, target, expired, revoked] = (await Promise.all(
    Array.from({ length: 5 }, () => signUp(app, deps)),
  )) as [TestUser, TestUser, TestUser, TestUser, TestUser];
  const chat = await app.request(
    '/api/chats',
    jsonRequest('POST', { title: 'owned' }, owner.headers),
  );
  chatId = ((await chat.json()) as { id: string }).id;
  await app.request(
    `/api/chats/${chatId}/messages`,
    jsonRequest('POST', { content: 'hello' }, owner.headers),
  );

  // An expired session, a signed-out session and a deleted API key.
  await deps.database.db
    .update(session)
    .set({ expiresAt: new Date(Date.now() - 60_000) })
    .where(eq(session.userId, expired.id));
  await app.request('/api/auth/sign-out', jsonRequest('POST', {}, revoked.headers));
  const key = await createApiKey(app, owner, { name: 'to revoke' });
  await app.request(
    '/api/auth/api-key/delete',
    jsonRequest('POST', { keyId: key.id }, owner.headers),
  );
  revokedKey = key.key;
});
afterAll(() => deps.close());

function operations() {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        operation,
        key: `${method.toUpperCase()} ${path}`,
      })),
  );
}

function ours() {
  return operations().filter(
    (op) => op.path.startsWith('/api/') && !op.path.startsWith('/api/auth/'),
  );
}

function request(
  op: { method: string; path: string; key: string },
  headers: Record<string, string>,
) {
  const url = op.path.replace('{chatId}', chatId).replace('{userId}', target.id);
  const body = EXAMPLE_BODIES[op.key];
  return app.request(
    url,
    body === undefined ? { method: op.method, headers } : jsonRequest(op.method, body, headers),
  );
}

const isAdminRoute = (path: string) => path.startsWith('/api/admin/');

describe('the route table', () => {
  test('every operation outside /api/auth is public by name or declares security, 401 and 403', () => {
    const undeclared = operations()
      .filter((op) => !op.path.startsWith('/api/auth/') && !PUBLIC.has(op.key))
      .filter(
        (op) =>
          !op.operation.security?.length ||
          !op.operation.responses['401'] ||
          !op.operation.responses['403'],
      )
      .map((op) => op.key);
    expect(undeclared).toEqual([]);
  });

  test('every operation that takes a body has an example request here', () => {
    const missing = ours()
      .filter((op) => ['POST', 'PUT', 'PATCH'].includes(op.method))
      .filter((op) => !(op.key in EXAMPLE_BODIES) && 'requestBody' in op.operation)
      .map((op) => op.key);
    expect(missing).toEqual([]);
    expect(ours().length).toBeGreaterThanOrEqual(12);
  });
});

describe('the authorization matrix', () => {
  const callers: Array<[string, () => Record<string, string>, number]> = [
    ['no credentials', () => ({}), 401],
    ['an expired session', () => expired.headers, 401],
    ['a revoked (signed-out) session', () => revoked.headers, 401],
    ['a revoked API key', () => ({ 'x-api-key': revokedKey }), 401],
    ['a malformed bearer token', () => ({ authorization: 'Bearer nonsense' }), 401],
  ];

  for (const [name, headers, status] of callers) {
    test(`${name} → ${status} on every protected operation`, async () => {
      for (const op of ours()) {
        const response = await request(op, headers());
        expect({ op: op.key, status: response.status }).toEqual({ op: op.key, status });
        expect(op.operation.responses[String(status)]).toBeDefined();
        expect(((await response.json()) as ErrorBody).error.code).toBe(ERROR_CODES.UNAUTHORIZED);
      }
    });
  }

  test("another user's chat → 404 on every operation that names a chat", async () => {
    const chatOps = ours().filter((op) => op.path.includes('{chatId}'));
    expect(chatOps.length).toBeGreaterThanOrEqual(5);
    for (const op of chatOps) {
      const response = await request(op, other.headers);
      expect({ op: op.key, status: response.status }).toEqual({ op: op.key, status: 404 });
      expect(op.operation.responses['404']).toBeDefined();
    }
  });

  test('a lower role (a plain user) → 403 on every admin operation', async () => {
    const adminOps = ours().filter((op) => isAdminRoute(op.path));
    expect(adminOps.length).toBeGreaterThanOrEqual(4);
    for (const op of adminOps) {
      const response = await request(op, other.headers);
      expect({ op: op.key, status: response.status }).toEqual({ op: op.key, status: 403 });
      expect(((await response.json()) as ErrorBody).error.code).toBe(ERROR_CODES.FORBIDDEN);
    }
  });

  test('the allowed callers get through: the owner on their chats, an admin on admin routes', async () => {
    const admin = await signUp(app, deps);
    await promoteToAdmin(deps, admin.id);
    const reads = ours().filter((op) => op.method === 'GET');
    for (const op of reads) {
      const caller = isAdminRoute(op.path) ? admin : owner;
      const response = await request(op, caller.headers);
      expect({ op: op.key, status: response.status }).toEqual({ op: op.key, status: 200 });
    }
  });

  test('no denied request ran its handler: nothing was written', async () => {
    const db = deps.database.db;
    const [chat] = await db.select().from(chats).where(eq(chats.id, chatId));
    expect(chat?.title).toBe('owned');
    const [messageCount] = await db
      .select({ n: count() })
      .from(messages)
      .where(eq(messages.chatId, chatId));
    expect(messageCount?.n).toBe(1);
    const [chatCount] = await db.select({ n: count() }).from(chats);
    expect(chatCount?.n).toBe(1);
    const [targetRow] = await db.select().from(user).where(eq(user.id, target.id));
    expect(targetRow).toMatchObject({ role: 'user', banned: false });
    const keys = await db.select().from(apikey);
    expect(keys).toHaveLength(0);
  });
});

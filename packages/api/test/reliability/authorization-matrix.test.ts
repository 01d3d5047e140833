/**
 * The authorization matrix, from the OpenAPI document: every operation × every kind of
 * caller that must be refused — no credentials, an expired session, a revoked session, a
 * session still waiting for its second factor, another user's resource, a lower role, a
 * revoked API key. Each refusal is the status the document declares for the operation, in
 * the error shape, and no refused request ran its handler: every row of every table is the
 * same afterwards and no refused response carries data.
 *
 * The operations come from the document, so a route added without an entry in MATRIX fails
 * here until someone decides who may call it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { files, session } from '@backend/shared/schema';
import { createOTP } from '@better-auth/utils/otp';
import { eq } from 'drizzle-orm';
import { createApp } from '../../src/app.ts';
import type { AppDeps } from '../../src/deps.ts';
import { ERROR_CODES } from '../../src/lib/errors.ts';
import {
  cookiesOf,
  createApiKey,
  jsonRequest,
  PASSWORD,
  promoteToAdmin,
  signIn,
  signUp,
  type TestUser,
} from '../accounts.ts';
import { createTestDeps } from '../test-deps.ts';
import {
  fillPath,
  listOperations,
  loadDocument,
  type OpenApiDocument,
  type Operation,
} from './document.ts';
import {
  AI_PREFIX,
  DENIED_CALLERS,
  type DeniedCaller,
  type Entry,
  type Ids,
  type LowerRole,
  MATRIX,
  type RequestSpec,
} from './matrix.ts';
import { diffSnapshots, snapshotDatabase } from './snapshot.ts';

let deps: AppDeps;
let app: ReturnType<typeof createApp>;
let doc: OpenApiDocument;
let owner: TestUser;
let victim: TestUser;
let adminUser: TestUser;
let own: Ids;
let victims: Ids;
const credentials = {} as Record<DeniedCaller | LowerRole | 'owner', Record<string, string>>;
const cells: Array<{ op: string; caller: string; status: number }> = [];

/** Signs in a user with TOTP enabled and returns the cookie of the half-finished sign-in. */
async function secondFactorPending(): Promise<Record<string, string>> {
  const user = await signUp(app, deps);
  const enable = await app.request(
    '/api/auth/two-factor/enable',
    jsonRequest('POST', { password: PASSWORD }, user.headers),
  );
  const { totpURI } = (await enable.json()) as { totpURI: string };
  const encoded = new URL(totpURI).searchParams.get('secret') ?? '';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of encoded.replace(/=+$/, ''))
    bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  const secret = new TextDecoder().decode(
    new Uint8Array(bits.match(/.{8}/g)?.map((byte) => Number.parseInt(byte, 2)) ?? []),
  );
  const verified = await app.request(
    '/api/auth/two-factor/verify-totp',
    jsonRequest('POST', { code: await createOTP(secret).totp() }, user.headers),
  );
  if (verified.status !== 200) throw new Error(`TOTP setup: ${verified.status}`);
  const pending = await signIn(app, deps, user.email);
  const body = (await pending.json()) as { twoFactorRedirect?: boolean };
  if (!body.twoFactorRedirect) throw new Error('sign-in did not wait for the second factor');
  const cookie = cookiesOf(pending);
  if (cookie.includes('session_token')) throw new Error('a pending sign-in carried a session');
  return { cookie, origin: user.headers.origin ?? '' };
}

async function keyWith(user: TestUser, chatActions: string[]) {
  const response = await app.request(
    '/api/api-keys',
    jsonRequest('POST', { name: 'matrix', permissions: { chat: chatActions } }, user.headers),
  );
  if (response.status !== 201) throw new Error(`key: ${response.status}`);
  return { 'x-api-key': ((await response.json()) as { key: string }).key };
}

/** A workflow run of `user`'s, or a placeholder when the routes are not mounted. */
async function graphOf(user: TestUser) {
  const response = await app.request(
    '/api/ai/graphs',
    jsonRequest('POST', { graph: 'approval', input: { topic: 'matrix' } }, user.headers),
  );
  if (response.status === 404) return '00000000-0000-4000-8000-000000000000';
  if (response.status !== 201 && response.status !== 200)
    throw new Error(`graph: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { graphId: string }).graphId;
}

/** A LangGraph thread of `user`'s with one finished run on it. */
async function threadOf(user: TestUser) {
  const created = await app.request(
    '/api/langgraph/threads',
    jsonRequest('POST', {}, user.headers),
  );
  const threadId = ((await created.json()) as { thread_id: string }).thread_id;
  const ran = await app.request(
    `/api/langgraph/threads/${threadId}/runs/wait`,
    jsonRequest(
      'POST',
      { assistant_id: 'chat', input: { messages: [{ type: 'human', content: 'hi' }] } },
      user.headers,
    ),
  );
  const runId = (ran.headers.get('content-location') ?? '').split('/').at(-1) ?? '';
  return { threadId, runId };
}

/** A file of `user`'s, as stored once its upload is confirmed. */
async function fileOf(user: TestUser) {
  const [row] = await deps.database.db
    .insert(files)
    .values({
      userId: user.id,
      name: 'owned.txt',
      contentType: 'text/plain',
      size: 5,
      storageKey: `users/${user.id}/matrix`,
      status: 'ready',
      completedAt: new Date(),
    })
    .returning({ id: files.id });
  return row?.id ?? '';
}

async function chatOf(user: TestUser) {
  const response = await app.request(
    '/api/chats',
    jsonRequest('POST', { title: 'owned' }, user.headers),
  );
  const id = ((await response.json()) as { id: string }).id;
  await app.request(
    `/api/chats/${id}/messages`,
    jsonRequest('POST', { content: 'hello' }, user.headers),
  );
  return id;
}

beforeAll(async () => {
  deps = await createTestDeps();
  app = createApp(deps);
  doc = await loadDocument(app);
  const origin = new URL(deps.env.PUBLIC_URL).origin;

  [owner, victim, adminUser] = (await Promise.all([
    signUp(app, deps),
    signUp(app, deps),
    signUp(app, deps),
  ])) as [TestUser, TestUser, TestUser];
  await promoteToAdmin(deps, adminUser.id);
  const [ownKey, victimKey] = [await createApiKey(app, owner), await createApiKey(app, victim)];
  own = {
    ...(await threadOf(owner)),
    graphId: await graphOf(owner),
    chatId: await chatOf(owner),
    fileId: await fileOf(owner),
    keyId: ownKey.id,
    userId: owner.id,
    sessionToken: owner.token,
  };
  victims = {
    ...(await threadOf(victim)),
    graphId: await graphOf(victim),
    chatId: await chatOf(victim),
    fileId: await fileOf(victim),
    keyId: victimKey.id,
    userId: victim.id,
    sessionToken: victim.token,
  };

  const expired = await signUp(app, deps);
  await deps.database.db
    .update(session)
    .set({ expiresAt: new Date(Date.now() - 60_000) })
    .where(eq(session.userId, expired.id));
  const revoked = await signUp(app, deps);
  await app.request('/api/auth/sign-out', jsonRequest('POST', {}, revoked.headers));
  const toRevoke = await createApiKey(app, owner, { name: 'to revoke' });
  await app.request(
    '/api/auth/api-key/delete',
    jsonRequest('POST', { keyId: toRevoke.id }, owner.headers),
  );

  credentials.owner = owner.headers;
  credentials['no credentials'] = { origin };
  credentials['expired session'] = expired.headers;
  credentials['revoked session'] = revoked.headers;
  credentials['second factor pending'] = await secondFactorPending();
  credentials['revoked API key'] = { 'x-api-key': toRevoke.key };
  credentials["another user's resource"] = owner.headers;
  credentials['plain user'] = owner.headers;
  credentials['read-only API key'] = await keyWith(owner, ['read']);
  credentials['create-only API key'] = await keyWith(owner, ['create']);
  credentials['API key'] = await keyWith(owner, ['create', 'read', 'update', 'delete']);

  // Better Auth deletes an expired session the first time it sees it: let that happen now,
  // so the snapshot below measures the refused requests only.
  await app.request('/api/me', { headers: expired.headers });
});
afterAll(async () => {
  await deps?.close();
});

function send(op: Operation, spec: RequestSpec, headers: Record<string, string>) {
  const search = spec.query ? `?${new URLSearchParams(spec.query)}` : '';
  const url = fillPath(op.path, spec.params ?? {}) + search;
  if (
    spec.body === undefined &&
    op.method !== 'POST' &&
    op.method !== 'PUT' &&
    op.method !== 'PATCH'
  )
    return app.request(url, { method: op.method, headers });
  return app.request(url, jsonRequest(op.method, spec.body ?? {}, headers));
}

/** The cells of one operation: which caller, with which ids, expecting which status. */
function cellsOf(entry: Entry) {
  if (entry.access === 'public') return [];
  const request = entry.request ?? (() => ({}));
  const list: Array<{
    caller: DeniedCaller;
    headers: Record<string, string>;
    spec: RequestSpec;
    status: number;
  }> = [];
  for (const caller of DENIED_CALLERS.slice(0, 5)) {
    list.push({ caller, headers: credentials[caller], spec: request(own), status: 401 });
  }
  if (entry.otherUsers !== undefined) {
    list.push({
      caller: "another user's resource",
      headers: credentials.owner,
      spec: request(victims),
      status: entry.otherUsers,
    });
  }
  if (entry.lowerRole) {
    // An admin operation names the victim; a user operation the caller's own resources.
    const ids = entry.access === 'admin' ? victims : own;
    list.push({
      caller: 'lower role',
      headers: credentials[entry.lowerRole.caller],
      spec: request(ids),
      status: entry.lowerRole.status,
    });
  }
  return list;
}

describe('the authorization matrix covers the document', () => {
  test('every operation in the OpenAPI document has an entry, and every entry an operation', () => {
    const documented = listOperations(doc).map((op) => op.key);
    expect(documented.filter((key) => !(key in MATRIX))).toEqual([]);
    const stale = Object.keys(MATRIX).filter(
      (key) => !documented.includes(key) && !key.includes(` ${AI_PREFIX}`),
    );
    expect(stale).toEqual([]);
  });

  test('every protected operation declares its security and 401; admin ones 403', () => {
    const problems = listOperations(doc)
      .filter((op) => MATRIX[op.key]?.access !== 'public')
      .flatMap((op) => {
        const entry = MATRIX[op.key] as Entry;
        const missing: string[] = [];
        if (!op.operation.security?.length) missing.push(`${op.key}: no security`);
        if (!op.operation.responses['401']) missing.push(`${op.key}: no 401`);
        if (entry.lowerRole && !op.operation.responses[String(entry.lowerRole.status)])
          missing.push(`${op.key}: no ${entry.lowerRole.status}`);
        return missing;
      });
    expect(problems).toEqual([]);
  });

  test('AI operations, when the document has them, are protected and listed here', () => {
    const ai = listOperations(doc).filter((op) => op.path.startsWith(AI_PREFIX));
    expect(ai.filter((op) => MATRIX[op.key]?.access === 'public').map((op) => op.key)).toEqual([]);
  });
});

describe('every refused caller on every protected operation', () => {
  test('gets the declared 401/403/404 in the error shape, and no refused request changed a row', async () => {
    const before = await snapshotDatabase(deps.database.db);
    const failures: string[] = [];
    for (const op of listOperations(doc)) {
      const entry = MATRIX[op.key];
      if (!entry) continue;
      for (const cell of cellsOf(entry)) {
        const response = await send(op, cell.spec, cell.headers);
        const text = await response.text();
        cells.push({ op: op.key, caller: cell.caller, status: response.status });
        const where = `${op.key} × ${cell.caller}`;
        if (response.status !== cell.status) {
          failures.push(
            `${where}: ${response.status}, expected ${cell.status} — ${text.slice(0, 200)}`,
          );
          continue;
        }
        if (!op.operation.responses[String(response.status)])
          failures.push(`${where}: ${response.status} is not declared`);
        if (response.status >= 400) {
          const body = JSON.parse(text) as { error?: { code?: string } };
          const code = {
            401: ERROR_CODES.UNAUTHORIZED,
            403: ERROR_CODES.FORBIDDEN,
            404: ERROR_CODES.NOT_FOUND,
          }[response.status];
          if (body.error?.code !== code)
            failures.push(`${where}: code ${body.error?.code}, expected ${code}`);
        }
        // A refusal carries no data of the resource it names.
        for (const secret of [victim.email, victims.sessionToken, 'owned', 'hello'])
          if (text.includes(secret)) failures.push(`${where}: the refusal carries "${secret}"`);
      }
    }
    expect(failures).toEqual([]);
    expect(diffSnapshots(before, await snapshotDatabase(deps.database.db))).toEqual({});
    const protectedOps = listOperations(doc).filter((op) => MATRIX[op.key]?.access !== 'public');
    expect(cells.length).toBeGreaterThanOrEqual(protectedOps.length * 5);
    console.info(
      `authorization matrix: ${cells.length} cells over ${protectedOps.length} protected operations`,
    );
  }, 120_000);

  test('the matrix can fail: the right caller gets through where the refused ones did not', async () => {
    const allowed = [
      ['GET /api/me', owner.headers, {}],
      ['GET /api/chats/{chatId}', owner.headers, { params: { chatId: own.chatId } }],
      ['GET /api/auth/api-key/get', owner.headers, { query: { id: own.keyId } }],
      ['GET /api/chats', credentials['read-only API key'], {}],
      ['GET /api/admin/users', adminUser.headers, {}],
      ['GET /api/auth/admin/get-user', adminUser.headers, { query: { id: victim.id } }],
    ] as const;
    for (const [key, headers, spec] of allowed) {
      const op = listOperations(doc).find((candidate) => candidate.key === key) as Operation;
      const response = await send(op, spec, headers);
      expect({ key, status: response.status }).toEqual({ key, status: 200 });
    }
  });
});

describe("Better Auth's origin check", () => {
  test('stays on under NODE_ENV=test: a sign-in from an untrusted Origin is refused', async () => {
    expect(process.env.NODE_ENV).toBe('test');
    expect(deps.auth.options.advanced?.disableOriginCheck).toBe(false);
    const foreign = await app.request(
      '/api/auth/sign-in/email',
      jsonRequest(
        'POST',
        { email: owner.email, password: PASSWORD },
        {
          origin: 'https://evil.example',
          cookie: owner.cookie,
        },
      ),
    );
    expect(foreign.status).toBe(403);
    const trusted = await signIn(app, deps, owner.email);
    expect(trusted.status).toBe(200);
  });
});

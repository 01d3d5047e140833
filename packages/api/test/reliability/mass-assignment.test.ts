/**
 * Mass assignment, on every write operation of the OpenAPI document: a request that would
 * otherwise succeed, with `id`, `userId`, `role`, timestamps and account flags added to its
 * body, changes none of them. Whatever the answer (our own routes refuse unknown fields with
 * 422; Better Auth ignores or refuses them), afterwards no row carries the forged id or
 * timestamp, the caller's role and flags are what they were, and nothing of the other user
 * changed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { user as userTable } from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import { createApp } from '../../src/app.ts';
import type { AppDeps } from '../../src/deps.ts';
import {
  createApiKey,
  jsonRequest,
  PASSWORD,
  promoteToAdmin,
  signUp,
  type TestUser,
  uniqueEmail,
} from '../accounts.ts';
import { createTestDeps } from '../test-deps.ts';
import { fillPath, listOperations, loadDocument, type Operation } from './document.ts';
import { type Ids, MATRIX } from './matrix.ts';
import { snapshotDatabase } from './snapshot.ts';

const FORGED_ID = '0badf00d-0000-4000-8000-00000000f00d';
const FORGED_TIME = '2001-02-03T04:05:06.000Z';

let deps: AppDeps;
let app: ReturnType<typeof createApp>;
let victim: TestUser;
/** The user admin operations and public account flows act on (the victim stays untouched). */
let adminTarget: TestUser;
const results: Array<{ op: string; status: number }> = [];

/** Fields a client must never be able to set. */
function forged(victimId: string) {
  return {
    id: FORGED_ID,
    userId: victimId,
    user_id: victimId,
    referenceId: victimId,
    ownerId: victimId,
    role: 'admin',
    createdAt: FORGED_TIME,
    updatedAt: FORGED_TIME,
    created_at: FORGED_TIME,
    updated_at: FORGED_TIME,
    emailVerified: true,
    banned: false,
    twoFactorEnabled: true,
  };
}

/** Valid bodies of public write operations (the matrix holds those of protected ones). */
const PUBLIC_BODIES: Record<string, () => unknown> = {
  'POST /api/auth/sign-up/email': () => ({
    email: uniqueEmail('mass'),
    password: PASSWORD,
    name: 'Mass Assignment',
  }),
  'POST /api/auth/sign-in/email': () => ({ email: adminTarget.email, password: PASSWORD }),
  'POST /api/auth/request-password-reset': () => ({ email: adminTarget.email }),
  'POST /api/auth/send-verification-email': () => ({ email: adminTarget.email }),
};

const isWrite = (op: Operation) =>
  op.method !== 'GET' && (op.operation.requestBody !== undefined || op.method !== 'DELETE');

async function idsOf(caller: TestUser): Promise<Ids> {
  const chat = await app.request(
    '/api/chats',
    jsonRequest('POST', { title: 'mine' }, { authorization: `Bearer ${caller.bearer}` }),
  );
  const key = await createApiKey(app, caller);
  return {
    chatId: ((await chat.json()) as { id: string }).id,
    keyId: key.id,
    userId: caller.id,
    sessionToken: caller.token,
    graphId: '00000000-0000-4000-8000-000000000000',
    threadId: '00000000-0000-4000-8000-000000000000',
    runId: '00000000-0000-4000-8000-000000000000',
    fileId: '00000000-0000-4000-8000-000000000000',
  };
}

beforeAll(async () => {
  deps = await createTestDeps();
  app = createApp(deps);
  [victim, adminTarget] = (await Promise.all([signUp(app, deps), signUp(app, deps)])) as [
    TestUser,
    TestUser,
  ];
  await app.request('/api/chats', jsonRequest('POST', { title: 'victim' }, victim.headers));
  await createApiKey(app, victim);
});
afterAll(async () => {
  await deps?.close();
});

const rowsNaming = (snapshot: Record<string, string[]>, id: string) =>
  Object.fromEntries(
    Object.entries(snapshot).map(([table, rows]) => [
      table,
      rows.filter((row) => row.includes(id)),
    ]),
  );

describe('mass assignment on every write operation', () => {
  test('forged id, userId, role, timestamps and flags in a body change nothing', async () => {
    const doc = await loadDocument(app);
    const writes = listOperations(doc).filter(isWrite);
    const victimBefore = rowsNaming(await snapshotDatabase(deps.database.db), victim.id);
    const problems: string[] = [];
    const promoted = new Set<string>();

    for (const op of writes) {
      const entry = MATRIX[op.key];
      const caller = await signUp(app, deps);
      if (entry?.access === 'admin') {
        await promoteToAdmin(deps, caller.id);
        promoted.add(caller.id);
      }
      const own = await idsOf(caller);
      // Admin operations act on a user of their own; everything else on the caller's things.
      const spec =
        entry?.request?.(entry.access === 'admin' ? { ...own, userId: adminTarget.id } : own) ?? {};
      const valid = spec.body ?? PUBLIC_BODIES[op.key]?.() ?? {};
      const body: Record<string, unknown> = {
        ...forged(victim.id),
        ...(valid as Record<string, unknown>),
      };
      // Setting roles is what admin operations are for (create-user takes one).
      if (entry?.access === 'admin') delete body.role;
      const search = spec.query ? `?${new URLSearchParams(spec.query)}` : '';
      const response = await app.request(
        fillPath(op.path, spec.params ?? {}) + search,
        jsonRequest(op.method, body, { authorization: `Bearer ${caller.bearer}` }),
      );
      await response.body?.cancel();
      results.push({ op: op.key, status: response.status });
      if (response.status >= 500) problems.push(`${op.key}: ${response.status}`);

      const [row] = await deps.database.db
        .select()
        .from(userTable)
        .where(eq(userTable.id, caller.id));
      if (!row) continue; // deleted by its own request (delete-user): nothing left to forge
      const expectedRole = entry?.access === 'admin' ? 'admin' : 'user';
      if (row.role !== expectedRole)
        problems.push(`${op.key}: the caller's role became ${row.role}`);
      if (row.emailVerified) problems.push(`${op.key}: the caller's email became verified`);
      if (row.createdAt.toISOString() === FORGED_TIME) problems.push(`${op.key}: createdAt forged`);
    }

    const after = await snapshotDatabase(deps.database.db);
    const everything = Object.values(after).flat().join('\n');
    if (everything.includes(FORGED_ID)) problems.push('a row carries the forged id');
    if (everything.includes('2001-02-03')) problems.push('a row carries the forged timestamp');
    const admins = await deps.database.db
      .select()
      .from(userTable)
      .where(eq(userTable.role, 'admin'));
    // Only the callers the test promoted are admins: no sign-up or update made itself one.
    for (const admin of admins) {
      if (!promoted.has(admin.id)) problems.push(`${admin.email} became an admin`);
    }
    const verified = await deps.database.db
      .select()
      .from(userTable)
      .where(eq(userTable.emailVerified, true));
    if (verified.length > 0) problems.push(`${verified.length} users verified their email by body`);
    expect(problems).toEqual([]);
    // Nothing the victim owns changed, and nothing new names the victim.
    expect(rowsNaming(after, victim.id)).toEqual(victimBefore);
    expect(writes.length).toBeGreaterThanOrEqual(30);
    console.info(`mass assignment: ${results.length} write operations`);
  }, 120_000);
});

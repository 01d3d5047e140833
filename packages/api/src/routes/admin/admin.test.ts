import { describe, expect, test } from 'bun:test';
import { user as userTable } from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import {
  cookiesOf,
  createApiKey,
  jsonRequest,
  promoteToAdmin,
  signIn,
  signUp,
  type TestUser,
} from '../../../test/accounts.ts';
import { useTestApp } from '../../../test/test-app.ts';
import { ERROR_CODES, type ErrorBody, type FieldIssue } from '../../lib/errors.ts';

const t = useTestApp();

interface AdminUser {
  id: string;
  name: string;
  email: string;
  role: 'user' | 'admin';
  banned: boolean;
  banReason: string | null;
  banExpires: string | null;
  createdAt: string;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const ADMIN_USER_KEYS = [
  'banExpires',
  'banReason',
  'banned',
  'createdAt',
  'email',
  'id',
  'name',
  'role',
];
/** Well-formed, but no user has it. */
const UNKNOWN_USER_ID = 'noSuchUser0000000000000000000000';

const errorOf = async (response: Response) => ((await response.json()) as ErrorBody).error;

async function newAdmin(): Promise<TestUser> {
  const admin = await signUp(t.app, t.deps);
  await promoteToAdmin(t.deps, admin.id);
  return admin;
}

const listUsers = (caller: TestUser, query = '') =>
  t.app.request(`/api/admin/users${query}`, { headers: caller.headers });
const setRole = (caller: TestUser, userId: string, body: unknown) =>
  t.app.request(`/api/admin/users/${userId}/role`, jsonRequest('PUT', body, caller.headers));
const ban = (caller: TestUser, userId: string, body: unknown = {}) =>
  t.app.request(`/api/admin/users/${userId}/ban`, jsonRequest('POST', body, caller.headers));
const unban = (caller: TestUser, userId: string) =>
  t.app.request(`/api/admin/users/${userId}/unban`, { method: 'POST', headers: caller.headers });
const me = (headers: Record<string, string>) => t.app.request('/api/me', { headers });

async function storedUser(id: string) {
  const [row] = await t.deps.database.db.select().from(userTable).where(eq(userTable.id, id));
  if (!row) throw new Error(`no user ${id}`);
  return row;
}

describe('access to admin routes', () => {
  const routes = (userId: string): Array<[string, string, unknown]> => [
    ['GET', '/api/admin/users', undefined],
    ['PUT', `/api/admin/users/${userId}/role`, { role: 'admin' }],
    ['POST', `/api/admin/users/${userId}/ban`, {}],
    ['POST', `/api/admin/users/${userId}/unban`, undefined],
  ];
  const send = (method: string, path: string, body: unknown, headers: Record<string, string>) =>
    t.app.request(
      path,
      body === undefined ? { method, headers } : jsonRequest(method, body, headers),
    );

  test('every admin route answers 401 UNAUTHORIZED without credentials', async () => {
    const target = await signUp(t.app, t.deps);
    for (const [method, path, body] of routes(target.id)) {
      const response = await send(method, path, body, {});
      expect(response.status).toBe(401);
      expect((await errorOf(response)).code).toBe(ERROR_CODES.UNAUTHORIZED);
    }
    expect((await storedUser(target.id)).role).toBe('user');
  });

  test('every admin route answers 403 FORBIDDEN to a plain user and changes nothing', async () => {
    const plain = await signUp(t.app, t.deps);
    const target = await signUp(t.app, t.deps);
    for (const [method, path, body] of routes(target.id)) {
      const response = await send(method, path, body, plain.headers);
      expect(response.status).toBe(403);
      expect((await errorOf(response)).code).toBe(ERROR_CODES.FORBIDDEN);
    }
    const stored = await storedUser(target.id);
    expect(stored.role).toBe('user');
    expect(Boolean(stored.banned)).toBe(false);
    expect((await me(target.headers)).status).toBe(200);
  });

  test('a user promoted to admin is an admin at once in their existing session', async () => {
    const admin = await signUp(t.app, t.deps);
    expect((await listUsers(admin)).status).toBe(403);
    await promoteToAdmin(t.deps, admin.id);
    const response = await listUsers(admin);
    expect(response.status).toBe(200);
  });
});

describe('GET /api/admin/users', () => {
  test('lists users newest first, paging with limit and nextCursor', async () => {
    const admin = await newAdmin();
    const oldest = await signUp(t.app, t.deps, { name: 'Listed 0' });
    const middle = await signUp(t.app, t.deps, { name: 'Listed 1' });
    const youngest = await signUp(t.app, t.deps, { name: 'Listed 2' });

    const response = await listUsers(admin, '?limit=2');
    expect(response.status).toBe(200);
    const first = (await response.json()) as Page<AdminUser>;
    expect(first.items.map((user) => user.id)).toEqual([youngest.id, middle.id]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const [newest] = first.items;
    expect(Object.keys(newest ?? {}).sort()).toEqual(ADMIN_USER_KEYS);
    expect(newest).toMatchObject({
      email: youngest.email,
      name: 'Listed 2',
      role: 'user',
      banned: false,
      banReason: null,
      banExpires: null,
    });

    const next = await listUsers(
      admin,
      `?limit=2&cursor=${encodeURIComponent(first.nextCursor ?? '')}`,
    );
    expect(next.status).toBe(200);
    const second = (await next.json()) as Page<AdminUser>;
    expect(second.items.map((user) => user.id)).toEqual([oldest.id, admin.id]);
  });

  test('answers 200, not 500, for the nextCursor of its own first page', async () => {
    const admin = await newAdmin();
    const firstPage = (await (await listUsers(admin, '?limit=1')).json()) as Page<AdminUser>;
    expect(firstPage.items.map((user) => user.id)).toEqual([admin.id]);
    expect(firstPage.nextCursor).toEqual(expect.any(String));
    const response = await listUsers(
      admin,
      `?limit=1&cursor=${encodeURIComponent(firstPage.nextCursor ?? '')}`,
    );
    expect(response.status).toBe(200);
    const next = (await response.json()) as Page<AdminUser>;
    expect(next.items).toHaveLength(1);
    expect(next.items[0]?.id).not.toBe(admin.id);
  });

  test('pages through every user once, strictly newest first, ending with a null nextCursor', async () => {
    const admin = await newAdmin();
    await signUp(t.app, t.deps);
    const seen: AdminUser[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await listUsers(admin, query);
      expect(response.status).toBe(200);
      const page = (await response.json()) as Page<AdminUser>;
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null && seen.length < 1000);
    const ids = seen.map((user) => user.id);
    const stored = await t.deps.database.db.select({ id: userTable.id }).from(userTable);
    expect([...ids].sort()).toEqual(stored.map((row) => row.id).sort());
    for (let i = 1; i < seen.length; i++) {
      const newer = seen[i - 1];
      const older = seen[i];
      if (!newer || !older) throw new Error('missing item');
      const ordered =
        older.createdAt < newer.createdAt ||
        (older.createdAt === newer.createdAt && older.id < newer.id);
      expect(ordered).toBe(true);
    }
  });

  test('refuses a bad limit or cursor with 422 on the query field', async () => {
    const admin = await newAdmin();
    const cases: Array<[string, string]> = [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=abc', 'limit'],
      ['?cursor=garbage!!', 'cursor'],
      [
        `?cursor=${Buffer.from('["2024-01-01T00:00:00.000Z","bad id!"]').toString('base64url')}`,
        'cursor',
      ],
    ];
    for (const [query, field] of cases) {
      const response = await listUsers(admin, query);
      expect(response.status).toBe(422);
      const error = await errorOf(response);
      expect(error.code).toBe(ERROR_CODES.VALIDATION_FAILED);
      expect(error.details).toContainEqual(
        expect.objectContaining({ location: 'query', path: field }),
      );
    }
  });
});

describe('PUT /api/admin/users/{userId}/role', () => {
  test('makes another user an admin, who can then call admin routes, and back', async () => {
    const admin = await newAdmin();
    const target = await signUp(t.app, t.deps);
    expect((await listUsers(target)).status).toBe(403);

    const promoted = await setRole(admin, target.id, { role: 'admin' });
    expect(promoted.status).toBe(200);
    const body = (await promoted.json()) as AdminUser;
    expect(Object.keys(body).sort()).toEqual(ADMIN_USER_KEYS);
    expect(body).toMatchObject({ id: target.id, email: target.email, role: 'admin' });
    expect((await listUsers(target)).status).toBe(200);

    const demoted = await setRole(admin, target.id, { role: 'user' });
    expect(demoted.status).toBe(200);
    expect(((await demoted.json()) as AdminUser).role).toBe('user');
    const refused = await listUsers(target);
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).code).toBe(ERROR_CODES.FORBIDDEN);
  });

  test('refuses an admin changing their own role with 409 CONFLICT', async () => {
    const admin = await newAdmin();
    const response = await setRole(admin, admin.id, { role: 'user' });
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe(ERROR_CODES.CONFLICT);
    expect((await storedUser(admin.id)).role).toBe('admin');
    expect((await listUsers(admin)).status).toBe(200);
  });

  test('refuses a role other than user or admin, or an unknown field, with 422 and changes nothing', async () => {
    const admin = await newAdmin();
    const target = await signUp(t.app, t.deps);
    const bodies = [
      { role: 'superadmin' },
      { role: 'Admin' },
      { role: 'user,admin' },
      {},
      { role: 'admin', banned: true },
    ];
    for (const body of bodies) {
      const response = await setRole(admin, target.id, body);
      expect(response.status).toBe(422);
      const error = await errorOf(response);
      expect(error.code).toBe(ERROR_CODES.VALIDATION_FAILED);
      expect((error.details as FieldIssue[])[0]?.location).toBe('body');
    }
    const stored = await storedUser(target.id);
    expect(stored.role).toBe('user');
    expect(Boolean(stored.banned)).toBe(false);
  });
});

describe('POST /api/admin/users/{userId}/ban and /unban', () => {
  test("ban ends the user's session, bearer token and API keys at once, and sign-in is refused with 403 FORBIDDEN", async () => {
    const admin = await newAdmin();
    const target = await signUp(t.app, t.deps);
    const { key } = await createApiKey(t.app, target);
    const byKey = { 'x-api-key': key };
    const byBearer = { authorization: `Bearer ${target.bearer}` };
    for (const headers of [target.headers, byKey, byBearer]) {
      expect((await me(headers)).status).toBe(200);
    }

    const response = await ban(admin, target.id, { reason: 'Spam', expiresInSeconds: 3600 });
    expect(response.status).toBe(200);
    const banned = (await response.json()) as AdminUser;
    expect(banned).toMatchObject({ id: target.id, banned: true, banReason: 'Spam' });
    const expires = Date.parse(banned.banExpires ?? '');
    expect(expires).toBeGreaterThan(Date.now() + 3500_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3600_000);

    for (const headers of [target.headers, byKey, byBearer]) {
      const refused = await me(headers);
      expect(refused.status).toBe(401);
      expect((await errorOf(refused)).code).toBe(ERROR_CODES.UNAUTHORIZED);
    }
    const chats = await t.app.request('/api/chats', { headers: byKey });
    expect(chats.status).toBe(401);

    const signInAgain = await signIn(t.app, t.deps, target.email);
    expect(signInAgain.status).toBe(403);
    expect((await errorOf(signInAgain)).code).toBe(ERROR_CODES.FORBIDDEN);
    expect(cookiesOf(signInAgain)).not.toContain('session_token');
  });

  test('unban lets the user sign in again and use the new session', async () => {
    const admin = await newAdmin();
    const target = await signUp(t.app, t.deps);
    expect((await ban(admin, target.id)).status).toBe(200);
    expect((await signIn(t.app, t.deps, target.email)).status).toBe(403);

    const response = await unban(admin, target.id);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: target.id,
      banned: false,
      banReason: null,
      banExpires: null,
    });

    const signedIn = await signIn(t.app, t.deps, target.email);
    expect(signedIn.status).toBe(200);
    const origin = new URL(t.deps.env.PUBLIC_URL).origin;
    const session = await me({ cookie: cookiesOf(signedIn), origin });
    expect(session.status).toBe(200);
    expect(((await session.json()) as { id: string }).id).toBe(target.id);
  });

  test('refuses an admin banning themselves with 409 CONFLICT and keeps their session', async () => {
    const admin = await newAdmin();
    const response = await ban(admin, admin.id, { reason: 'Oops' });
    expect(response.status).toBe(409);
    expect((await errorOf(response)).code).toBe(ERROR_CODES.CONFLICT);
    expect(Boolean((await storedUser(admin.id)).banned)).toBe(false);
    expect((await me(admin.headers)).status).toBe(200);
  });

  test('refuses an unknown body field or an out-of-range expiry with 422 and bans nobody', async () => {
    const admin = await newAdmin();
    const target = await signUp(t.app, t.deps);
    const bodies = [
      { reason: 'x', banned: false },
      { expiresInSeconds: 59 },
      { expiresInSeconds: 1.5 },
      { reason: '   ' },
    ];
    for (const body of bodies) {
      const response = await ban(admin, target.id, body);
      expect(response.status).toBe(422);
      expect((await errorOf(response)).code).toBe(ERROR_CODES.VALIDATION_FAILED);
    }
    expect(Boolean((await storedUser(target.id)).banned)).toBe(false);
    expect((await me(target.headers)).status).toBe(200);
  });
});

describe('user ids in admin paths', () => {
  test('an unknown user id answers 404 NOT_FOUND on role, ban and unban', async () => {
    const admin = await newAdmin();
    const responses = [
      await setRole(admin, UNKNOWN_USER_ID, { role: 'admin' }),
      await ban(admin, UNKNOWN_USER_ID),
      await unban(admin, UNKNOWN_USER_ID),
    ];
    for (const response of responses) {
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe(ERROR_CODES.NOT_FOUND);
    }
  });

  test('a malformed user id answers 422 on the userId path field on role, ban and unban', async () => {
    const admin = await newAdmin();
    const malformed = encodeURIComponent('bad id!');
    const responses = [
      await setRole(admin, malformed, { role: 'admin' }),
      await ban(admin, malformed),
      await unban(admin, malformed),
    ];
    for (const response of responses) {
      expect(response.status).toBe(422);
      const error = await errorOf(response);
      expect(error.code).toBe(ERROR_CODES.VALIDATION_FAILED);
      expect(error.details).toContainEqual(
        expect.objectContaining({ location: 'path', path: 'userId' }),
      );
    }
  });
});

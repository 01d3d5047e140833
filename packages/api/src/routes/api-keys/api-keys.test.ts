import { describe, expect, test } from 'bun:test';
import { apikey } from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import { createApiKey, jsonRequest, promoteToAdmin, signUp } from '../../../test/accounts.ts';
import { useTestApp } from '../../../test/test-app.ts';
import { ERROR_CODES, type ErrorBody } from '../../lib/errors.ts';

const t = useTestApp();

const withKey = (key: string, init: RequestInit = {}) => ({
  ...init,
  headers: { ...(init.headers as Record<string, string>), 'x-api-key': key },
});
const codeOf = async (response: Response) => ((await response.json()) as ErrorBody).error.code;

async function readOnlyKey(owner: Awaited<ReturnType<typeof signUp>>) {
  const response = await t.app.request(
    '/api/api-keys',
    jsonRequest(
      'POST',
      { name: 'reader', expiresInDays: 30, permissions: { chat: ['read'] } },
      owner.headers,
    ),
  );
  expect(response.status).toBe(201);
  return (await response.json()) as {
    id: string;
    key: string;
    expiresAt: string;
    permissions: Record<string, string[]>;
  };
}

describe('POST /api/api-keys', () => {
  test('creates a named key with an expiry and the permissions asked for', async () => {
    const owner = await signUp(t.app, t.deps);
    const key = await readOnlyKey(owner);
    expect(key.key).toStartWith('sk_');
    expect(key.permissions).toEqual({ chat: ['read'] });
    const days = (new Date(key.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);
    const [row] = await t.deps.database.db.select().from(apikey).where(eq(apikey.id, key.id));
    expect(row?.name).toBe('reader');
    expect(row?.key).not.toBe(key.key); // only a hash is stored
  });

  test('a read-only key reads but cannot write (403)', async () => {
    const owner = await signUp(t.app, t.deps);
    const key = await readOnlyKey(owner);
    expect((await t.app.request('/api/chats', withKey(key.key))).status).toBe(200);
    const write = await t.app.request(
      '/api/chats',
      withKey(key.key, jsonRequest('POST', { title: 'no' })),
    );
    expect(write.status).toBe(403);
    expect(await codeOf(write)).toBe(ERROR_CODES.FORBIDDEN);
  });

  test('a key never exceeds its owner’s role: a user’s key gets 403 on admin routes', async () => {
    const owner = await signUp(t.app, t.deps);
    const key = await createApiKey(t.app, owner);
    expect((await t.app.request('/api/admin/users', withKey(key.key))).status).toBe(403);
  });

  test('an admin’s key with chat permissions only gets 403 on admin routes', async () => {
    const admin = await signUp(t.app, t.deps);
    await promoteToAdmin(t.deps, admin.id);
    const key = await readOnlyKey(admin);
    expect((await t.app.request('/api/admin/users', withKey(key.key))).status).toBe(403);
    expect((await t.app.request('/api/admin/users', { headers: admin.headers })).status).toBe(200);
  });

  test('unknown permissions, bad expiry or unknown fields answer 422', async () => {
    const owner = await signUp(t.app, t.deps);
    for (const body of [
      { name: 'x', permissions: { chat: ['admin'] } },
      { name: 'x', permissions: { user: ['list'] } },
      { name: 'x', expiresInDays: 0, permissions: { chat: ['read'] } },
      { name: 'x', permissions: { chat: ['read'] }, userId: 'someone-else' },
      { name: '', permissions: { chat: ['read'] } },
    ]) {
      const response = await t.app.request(
        '/api/api-keys',
        jsonRequest('POST', body, owner.headers),
      );
      expect(response.status).toBe(422);
    }
  });

  test('a key cannot create keys', async () => {
    const owner = await signUp(t.app, t.deps);
    const key = await createApiKey(t.app, owner);
    const response = await t.app.request(
      '/api/api-keys',
      withKey(key.key, jsonRequest('POST', { name: 'child', permissions: { chat: ['read'] } })),
    );
    expect(response.status).toBe(403);
  });
});

describe('API key authentication', () => {
  test('a key authenticates without cookies or an Origin header', async () => {
    const owner = await signUp(t.app, t.deps);
    const key = await createApiKey(t.app, owner);
    const response = await t.app.request(
      '/api/chats',
      withKey(key.key, jsonRequest('POST', { title: 'from a server' })),
    );
    expect(response.status).toBe(201);
    const me = await t.app.request('/api/me', withKey(key.key));
    expect((await me.json()) as { id: string; authMethod: string }).toMatchObject({
      id: owner.id,
      authMethod: 'api-key',
    });
  });

  test('a revoked key is refused at once', async () => {
    const owner = await signUp(t.app, t.deps);
    const key = await createApiKey(t.app, owner);
    expect((await t.app.request('/api/me', withKey(key.key))).status).toBe(200);
    const revoke = await t.app.request(
      '/api/auth/api-key/delete',
      jsonRequest('POST', { keyId: key.id }, owner.headers),
    );
    expect(revoke.status).toBe(200);
    const after = await t.app.request('/api/me', withKey(key.key));
    expect(after.status).toBe(401);
    expect(await codeOf(after)).toBe(ERROR_CODES.UNAUTHORIZED);
  });

  test('an expired or disabled key is refused', async () => {
    const owner = await signUp(t.app, t.deps);
    const expired = await createApiKey(t.app, owner, { name: 'old' });
    await t.deps.database.db
      .update(apikey)
      .set({ expiresAt: new Date(Date.now() - 1_000) })
      .where(eq(apikey.id, expired.id));
    expect((await t.app.request('/api/me', withKey(expired.key))).status).toBe(401);

    const disabled = await createApiKey(t.app, owner, { name: 'off' });
    await t.deps.database.db
      .update(apikey)
      .set({ enabled: false })
      .where(eq(apikey.id, disabled.id));
    expect((await t.app.request('/api/me', withKey(disabled.key))).status).toBe(401);
  });

  test('a made-up key answers 401, even on a public-looking path under /api', async () => {
    expect((await t.app.request('/api/chats', withKey('sk_not-a-real-key'))).status).toBe(401);
    expect((await t.app.request('/api/me', withKey(''))).status).toBe(401);
  });
});

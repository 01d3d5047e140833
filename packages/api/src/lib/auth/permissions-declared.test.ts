/**
 * What a protected operation needs is discoverable: the document declares the permissions its
 * guard checks, and the 403 names the ones the caller lacks.
 */
import { describe, expect, test } from 'bun:test';
import { jsonRequest, signUp } from '../../../test/accounts.ts';
import { listOperations, loadDocument } from '../../../test/reliability/document.ts';
import { useTestApp } from '../../../test/test-app.ts';
import { REQUIRED_PERMISSIONS } from '../create-router.ts';
import { ERROR_CODES } from '../errors.ts';

const t = useTestApp();

describe('API-key permissions in the document and in the 403', () => {
  test('each guarded operation declares its permissions and says so in its description', async () => {
    const operations = listOperations(await loadDocument(t.app));
    const declared = new Map<string, unknown>();
    for (const op of operations) {
      const value = (op.operation as unknown as Record<string, unknown>)[REQUIRED_PERMISSIONS];
      if (value !== undefined) declared.set(op.key, value);
    }
    expect(declared.get('POST /api/ai/chat')).toEqual({ chat: ['create', 'update'] });
    expect(declared.get('GET /api/chats')).toEqual({ chat: ['read'] });
    expect(declared.get('DELETE /api/chats/{chatId}')).toEqual({ chat: ['delete'] });
    expect(declared.get('GET /api/admin/users')).toEqual({ user: ['list'] });
    // Every protected app route other than the caller's own profile and keys is guarded.
    const unguarded = operations.filter(
      (op) =>
        op.path.startsWith('/api/') &&
        !op.path.startsWith('/api/auth/') &&
        op.operation.security &&
        !declared.has(op.key),
    );
    expect(unguarded.map((op) => op.key).sort()).toEqual(
      ['GET /api/me', 'POST /api/api-keys', 'GET /api/ai/usage'].sort(),
    );
    for (const op of operations.filter((o) => declared.has(o.key))) {
      const description = (op.operation as { description?: string }).description ?? '';
      expect(description).toContain('Requires the permissions');
    }
    const chat = operations.find((op) => op.key === 'POST /api/ai/chat');
    expect((chat?.operation as { description?: string } | undefined)?.description).toContain(
      'chat:create, chat:update',
    );
  });

  test('a key without the permission gets a 403 naming what is missing', async () => {
    const owner = await signUp(t.app, t.deps);
    const created = await t.app.request(
      '/api/api-keys',
      jsonRequest('POST', { name: 'reader', permissions: { chat: ['read'] } }, owner.headers),
    );
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };

    const chat = await t.app.request(
      '/api/ai/chat',
      jsonRequest('POST', { message: 'hi' }, { 'x-api-key': key }),
    );
    expect(chat.status).toBe(403);
    const body = (await chat.json()) as {
      error: { code: string; message: string; details: { missing: unknown; required: unknown } };
    };
    expect(body.error.code).toBe(ERROR_CODES.FORBIDDEN);
    expect(body.error.details.missing).toEqual({ chat: ['create', 'update'] });
    expect(body.error.details.required).toEqual({ chat: ['create', 'update'] });
    expect(body.error.message).toBe('Insufficient permissions: missing chat:create, chat:update');

    const list = await t.app.request('/api/chats', { headers: { 'x-api-key': key } });
    expect(list.status).toBe(200);
    const remove = await t.app.request(`/api/chats/${crypto.randomUUID()}`, {
      method: 'DELETE',
      headers: { 'x-api-key': key },
    });
    expect(remove.status).toBe(403);
    expect(((await remove.json()) as typeof body).error.details.missing).toEqual({
      chat: ['delete'],
    });
  });
});

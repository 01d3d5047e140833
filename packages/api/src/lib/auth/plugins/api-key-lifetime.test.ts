import { describe, expect, test } from 'bun:test';
import { apikey } from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import { jsonRequest, signUp, type TestUser } from '../../../../test/accounts.ts';
import { useTestApp } from '../../../../test/test-app.ts';
import { ERROR_CODES, type ErrorBody } from '../../errors.ts';
import { API_KEY_MAX_EXPIRES_IN_DAYS } from './api-key-lifetime.ts';

const t = useTestApp();

const DAY_SECONDS = 24 * 60 * 60;
const DAY_MS = DAY_SECONDS * 1000;

const post = (path: string, body: unknown, owner: TestUser) =>
  t.app.request(path, jsonRequest('POST', body, owner.headers));

/** Days from now until the stored key `id` expires, or null when it never does. */
async function daysLeft(id: string) {
  const [row] = await t.deps.database.db.select().from(apikey).where(eq(apikey.id, id));
  if (!row) throw new Error(`no key ${id}`);
  return row.expiresAt ? (row.expiresAt.getTime() - Date.now()) / DAY_MS : null;
}

async function created(response: Response) {
  expect(response.status).toBe(200);
  return ((await response.json()) as { id: string }).id;
}

describe('API key lifetime on /api/auth/api-key/*', () => {
  test('create without expiresIn (or with null) gives the key 90 days', async () => {
    const owner = await signUp(t.app, t.deps);
    for (const body of [{ name: 'default' }, { name: 'null', expiresIn: null }]) {
      const days = await daysLeft(
        await created(await post('/api/auth/api-key/create', body, owner)),
      );
      expect(days).toBeGreaterThan(89.9);
      expect(days).toBeLessThanOrEqual(90);
    }
  });

  test('create with the documented maximum of 365 days works; a day more is refused with 400', async () => {
    const owner = await signUp(t.app, t.deps);
    const max = API_KEY_MAX_EXPIRES_IN_DAYS * DAY_SECONDS;
    const id = await created(
      await post('/api/auth/api-key/create', { name: 'max', expiresIn: max }, owner),
    );
    expect(await daysLeft(id)).toBeGreaterThan(364.9);
    const over = await post(
      '/api/auth/api-key/create',
      { name: 'over', expiresIn: max + DAY_SECONDS },
      owner,
    );
    expect(over.status).toBe(400);
    const error = ((await over.json()) as ErrorBody).error;
    expect(error.code).toBe(ERROR_CODES.BAD_REQUEST);
    expect(error.details).toEqual({ reason: 'EXPIRES_IN_IS_TOO_LARGE' });
  });

  test('update with expiresIn null is refused with 422 and the key keeps its expiry', async () => {
    const owner = await signUp(t.app, t.deps);
    const id = await created(await post('/api/auth/api-key/create', { name: 'k' }, owner));
    const response = await post('/api/auth/api-key/update', { keyId: id, expiresIn: null }, owner);
    expect(response.status).toBe(422);
    const error = ((await response.json()) as ErrorBody).error;
    expect(error.code).toBe(ERROR_CODES.VALIDATION_FAILED);
    expect(error.details).toEqual({ reason: 'API_KEY_EXPIRY_REQUIRED' });
    expect(await daysLeft(id)).toBeGreaterThan(89.9);
  });

  test('update within the limits sets the new expiry; over the maximum is refused', async () => {
    const owner = await signUp(t.app, t.deps);
    const id = await created(await post('/api/auth/api-key/create', { name: 'k' }, owner));
    const ok = await post(
      '/api/auth/api-key/update',
      { keyId: id, expiresIn: 10 * DAY_SECONDS },
      owner,
    );
    expect(ok.status).toBe(200);
    expect(await daysLeft(id)).toBeLessThanOrEqual(10);
    const over = await post(
      '/api/auth/api-key/update',
      { keyId: id, expiresIn: (API_KEY_MAX_EXPIRES_IN_DAYS + 1) * DAY_SECONDS },
      owner,
    );
    expect(over.status).toBe(400);
    expect(await daysLeft(id)).toBeLessThanOrEqual(10);
  });

  test('a key created on /api/api-keys expires within 365 days, 90 by default', async () => {
    const owner = await signUp(t.app, t.deps);
    const response = await post(
      '/api/api-keys',
      { name: 'app route', permissions: { chat: ['read'] } },
      owner,
    );
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const days = await daysLeft(id);
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);
    const over = await post(
      '/api/api-keys',
      { name: 'too long', expiresInDays: 366, permissions: { chat: ['read'] } },
      owner,
    );
    expect(over.status).toBe(422);
  });
});

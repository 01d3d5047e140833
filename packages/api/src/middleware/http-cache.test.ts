import { beforeAll, describe, expect, test } from 'bun:test';
import { jsonRequest, signIn, signUp, type TestUser } from '../../test/accounts.ts';
import { useTestApp } from '../../test/test-app.ts';
import { DOCS_PATH, OPENAPI_PATH } from '../lib/openapi.ts';
import { CACHE_POLICIES, etagMatches, weakEtag } from './http-cache.ts';

const t = useTestApp();
let user: TestUser;

beforeAll(async () => {
  user = await signUp(t.app, t.deps);
});

/** A well-formed id that names no chat. */
const UNKNOWN_ID = '0192f0c4-8b1e-7c3a-9b5e-1f2a3b4c5d6e';
const PUBLIC_DOCS = 'public, max-age=300, s-maxage=3600, stale-while-revalidate=86400';

const varyOf = (response: Response) =>
  (response.headers.get('vary') ?? '').split(',').map((field) => field.trim().toLowerCase());

const listChats = (headers: Record<string, string> = {}) =>
  t.app.request('/api/chats', { headers: { ...user.headers, ...headers } });

describe('HTTP cache on user data', () => {
  test('GET /api/chats is private, no-cache, with a weak ETag and Vary on the credentials', async () => {
    const response = await listChats();
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, no-cache');
    expect(response.headers.get('etag')).toMatch(/^W\/".+"$/);
    expect(varyOf(response)).toEqual(expect.arrayContaining(['cookie', 'authorization']));
  });

  test('GET /api/chats with a matching If-None-Match answers 304 with no body and the same ETag', async () => {
    const first = await listChats();
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).not.toBe('');

    const again = await listChats({ 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBeNull();
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('private, no-cache');
  });

  test('a 304 keeps the rate-limit fields and the request id, and drops the body headers', async () => {
    const first = await listChats();
    const etag = first.headers.get('etag') ?? '';
    const again = await listChats({ 'if-none-match': `"other", ${etag}` });
    expect(again.status).toBe(304);
    expect(again.headers.get('ratelimit-limit')).not.toBeNull();
    expect(again.headers.get('ratelimit-remaining')).not.toBeNull();
    expect(again.headers.get('x-request-id')).not.toBeNull();
    expect(varyOf(again)).toEqual(expect.arrayContaining(['cookie', 'authorization']));
    expect(again.headers.get('content-type')).toBeNull();
    expect(again.headers.get('content-length')).toBeNull();
  });

  test('creating a chat makes the old ETag of GET /api/chats stop matching', async () => {
    const before = await listChats();
    expect(before.status).toBe(200);
    const etag = before.headers.get('etag') ?? '';
    expect(etag).not.toBe('');

    const created = await t.app.request(
      '/api/chats',
      jsonRequest('POST', { title: 'Fresh' }, user.headers),
    );
    expect(created.status).toBe(201);

    const after = await listChats({ 'if-none-match': etag });
    expect(after.status).toBe(200);
    const newEtag = after.headers.get('etag');
    expect(newEtag).toMatch(/^W\/".+"$/);
    expect(newEtag).not.toBe(etag);
    const body = (await after.json()) as { items: Array<{ title: string }> };
    expect(body.items.map((chat) => chat.title)).toContain('Fresh');
  });

  test('error responses carry no ETag, even on a private GET', async () => {
    const missingChat = await t.app.request(`/api/chats/${UNKNOWN_ID}`, { headers: user.headers });
    expect(missingChat.status).toBe(404);
    expect(missingChat.headers.has('etag')).toBe(false);

    const noRoute = await t.app.request('/no/such/route');
    expect(noRoute.status).toBe(404);
    expect(noRoute.headers.has('etag')).toBe(false);

    const signedOut = await t.app.request('/api/chats');
    expect(signedOut.status).toBe(401);
    expect(signedOut.headers.has('etag')).toBe(false);
  });
});

describe('HTTP cache on authentication', () => {
  test('GET /api/auth/get-session is no-store with no ETag', async () => {
    const response = await t.app.request('/api/auth/get-session', { headers: user.headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.has('etag')).toBe(false);
  });

  test('POST /api/auth/sign-in/email is no-store with no ETag', async () => {
    const response = await signIn(t.app, t.deps, user.email);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.has('etag')).toBe(false);
  });
});

describe('HTTP cache on public and operational routes', () => {
  test(`GET ${OPENAPI_PATH} and GET ${DOCS_PATH} may be kept by shared caches`, async () => {
    expect(CACHE_POLICIES.publicDocs).toBe(PUBLIC_DOCS);
    for (const path of [OPENAPI_PATH, DOCS_PATH]) {
      const response = await t.app.request(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe(PUBLIC_DOCS);
    }
  });

  test('GET /health is no-store', async () => {
    const response = await t.app.request('/health');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.has('etag')).toBe(false);
  });
});

describe('weak ETags', () => {
  test('the same body gets the same tag; a one-byte change gets another', () => {
    const body = JSON.stringify({ items: [{ id: 1, title: 'a' }] });
    expect(weakEtag(body)).toBe(weakEtag(body));
    expect(weakEtag(body)).toMatch(/^W\/"[\w-]+"$/);
    expect(weakEtag(body.replace('"a"', '"b"'))).not.toBe(weakEtag(body));
  });

  test('a string and its UTF-8 bytes get the same tag', () => {
    const body = '{"title":"café ☕"}';
    expect(weakEtag(new TextEncoder().encode(body))).toBe(weakEtag(body));
  });

  test('If-None-Match matches by weak comparison, in a list, or as *', () => {
    const tag = 'W/"abc"';
    expect(etagMatches(tag, 'W/"abc"')).toBe(true);
    expect(etagMatches(tag, '"abc"')).toBe(true);
    expect(etagMatches(tag, '"x", W/"abc" ,"y"')).toBe(true);
    expect(etagMatches(tag, ' * ')).toBe(true);
    expect(etagMatches(tag, 'W/"abcd"')).toBe(false);
    expect(etagMatches(tag, 'abc')).toBe(false);
    expect(etagMatches(tag, '')).toBe(false);
  });
});

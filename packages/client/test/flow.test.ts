/**
 * A complete client flow, as a frontend runs it, with every response checked against the
 * document: Better Auth's client for the account, the typed client for the API, and the
 * input rules both route families share (415, unknown fields, a taken email).
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { PASSWORD, uniqueEmail } from '../../api/test/accounts.ts';
import { loadDocument } from '../../api/test/reliability/document.ts';
import { useTestApp } from '../../api/test/test-app.ts';
import { createBrowserClients } from '../src/examples/browser.ts';
import { browserFetch, type Conformance, conformance } from './in-process.ts';

const t = useTestApp();
const API = 'http://api.test';
let checks: Conformance;

let doc: Awaited<ReturnType<typeof loadDocument>>;

beforeAll(async () => {
  doc = await loadDocument(t.app);
  checks = conformance(doc);
});

test('the document states the same unknown-field rule for auth and app request bodies', () => {
  const bodyOf = (path: string) =>
    doc.paths[path]?.post?.requestBody?.content?.['application/json']?.schema ?? {};
  expect(doc.components?.schemas?.NewChat?.additionalProperties).toBe(false);
  expect(bodyOf('/api/auth/sign-up/email').additionalProperties).toBe(false);
  expect(bodyOf('/api/auth/sign-in/email').additionalProperties).toBe(false);
});

test('sign-up → session → profile → chats → AI chat → API keys → sign-out, every response as documented', async () => {
  const origin = new URL(t.deps.env.PUBLIC_URL).origin;
  const fetch = browserFetch(t.app, origin, checks.observe);
  const { auth, api } = createBrowserClients(API, fetch);
  const email = uniqueEmail('flow');

  const signUp = await auth.signUp.email({ email, password: PASSWORD, name: 'Flow User' });
  expect(signUp.error).toBeNull();
  const taken = await auth.signUp.email({ email, password: PASSWORD, name: 'Again' });
  expect(taken.error?.status).toBe(409);
  expect(taken.error?.message).toBeString();

  expect((await auth.getSession()).data?.user.email).toBe(email);
  expect((await auth.listSessions()).data?.length).toBe(1);
  expect((await auth.updateUser({ name: 'Renamed' })).data).toEqual({ status: true });
  expect((await api.GET('/api/me')).data?.name).toBe('Renamed');

  // Chats: create, list, read, rename, add a message, list messages.
  const created = await api.POST('/api/chats', { body: { title: 'Flow chat' } });
  const chatId = created.data?.id ?? '';
  expect(created.response.status).toBe(201);
  expect((await api.GET('/api/chats')).data?.items.map((chat) => chat.id)).toContain(chatId);
  expect((await api.GET('/api/chats/{chatId}', { params: { path: { chatId } } })).data?.title).toBe(
    'Flow chat',
  );
  const renamed = await api.PATCH('/api/chats/{chatId}', {
    params: { path: { chatId } },
    body: { title: 'Renamed chat' },
  });
  expect(renamed.data?.title).toBe('Renamed chat');
  const message = await api.POST('/api/chats/{chatId}/messages', {
    params: { path: { chatId } },
    body: { content: 'A note' },
  });
  expect(message.response.status).toBe(201);

  // The AI chat continues the chat; defaulted fields (`cache`) are left out.
  const reply = await api.POST('/api/ai/chat', { body: { chatId, message: 'Hello' } });
  expect(reply.error).toBeUndefined();
  expect(reply.data?.chatId).toBe(chatId);
  const messages = await api.GET('/api/chats/{chatId}/messages', { params: { path: { chatId } } });
  expect(messages.data?.items.length).toBe(3);

  // API keys: created by the typed client (with permissions), listed by Better Auth's client.
  const key = await api.POST('/api/api-keys', {
    body: { name: 'reader', permissions: { chat: ['read'] } },
  });
  expect(key.response.status).toBe(201);
  const listed = await auth.apiKey.list();
  const keys = (listed.data as { apiKeys: Array<{ id: string; permissions: unknown }> } | null)
    ?.apiKeys;
  expect(keys?.find((item) => item.id === key.data?.id)?.permissions).toEqual({ chat: ['read'] });

  // The same input rules on both route families.
  const unknownOnApp = await api.POST('/api/chats', {
    body: { title: 'x', owner: 'someone' } as unknown as { title: string },
  });
  expect(unknownOnApp.response.status).toBe(422);
  const signUpBody = { email: uniqueEmail('strict'), password: PASSWORD, name: 'Strict' };
  const send = (path: string, body: BodyInit, type = 'application/json') =>
    fetch(`${API}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
  for (const extra of [{ owner: 'someone' }, { role: 'admin' }]) {
    const refused = await send(
      '/api/auth/sign-up/email',
      JSON.stringify({ ...signUpBody, ...extra }),
    );
    expect(refused.status).toBe(422);
  }
  expect((await send('/api/auth/sign-up/email', 'email=a', 'text/plain')).status).toBe(415);
  expect((await send('/api/chats', 'title=a', 'text/plain')).status).toBe(415);

  expect(
    (await api.DELETE('/api/chats/{chatId}', { params: { path: { chatId } } })).response.status,
  ).toBe(204);
  expect(
    (await api.GET('/api/chats/{chatId}', { params: { path: { chatId } } })).response.status,
  ).toBe(404);

  expect((await auth.signOut()).error).toBeNull();
  const after = await auth.getSession();
  expect(after.error).toBeNull();
  expect(after.data).toBeNull();
  expect((await api.GET('/api/me')).response.status).toBe(401);

  expect(checks.mismatches).toEqual([]);
  expect(checks.checked.length).toBeGreaterThanOrEqual(25);
});

afterAll(() => {
  console.log(
    `flow conformance: ${checks.checked.length} responses checked, ${checks.mismatches.length} mismatches`,
  );
});

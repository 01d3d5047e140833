import { describe, expect, test } from 'bun:test';
import {
  CHAT_TITLE_MAX,
  type ChatResponse,
  chats,
  MESSAGE_CONTENT_MAX,
  type MessageResponse,
  messages,
} from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import { jsonRequest, signUp, type TestUser } from '../../../test/accounts.ts';
import { useTestApp } from '../../../test/test-app.ts';
import { ERROR_CODES, type ErrorBody, type ErrorCode, type FieldIssue } from '../../lib/errors.ts';

const t = useTestApp();

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A well-formed id that names no chat. */
const UNKNOWN_ID = '0192f0c4-8b1e-7c3a-9b5e-1f2a3b4c5d6e';
const CHAT_KEYS = ['createdAt', 'id', 'title', 'updatedAt'];
const MESSAGE_KEYS = ['chatId', 'content', 'createdAt', 'id', 'model', 'role', 'status'];

const errorOf = async (response: Response) => ((await response.json()) as ErrorBody).error;
const issuesOf = async (response: Response) => (await errorOf(response)).details as FieldIssue[];
const base64url = (value: string) => Buffer.from(value).toString('base64url');

const newUser = () => signUp(t.app, t.deps);

/** Checks the status, then that the body is the error shape with `code`. */
async function expectError(response: Response, status: number, code: ErrorCode) {
  expect(response.status).toBe(status);
  expect((await errorOf(response)).code).toBe(code);
}

/** Checks a 422 VALIDATION_FAILED whose details name the field at `location`. */
async function expectFieldIssue(
  response: Response,
  location: FieldIssue['location'],
  path: string,
) {
  expect(response.status).toBe(422);
  const error = await errorOf(response);
  expect(error.code).toBe(ERROR_CODES.VALIDATION_FAILED);
  expect(error.details).toContainEqual(expect.objectContaining({ location, path }));
}

/** Sends `body` as it is, with the user's session and the given content type. */
const sendRaw = (user: TestUser, method: string, path: string, contentType: string, body: string) =>
  t.app.request(path, { method, headers: { ...user.headers, 'content-type': contentType }, body });

async function createChat(user: TestUser, title = 'A chat'): Promise<ChatResponse> {
  const response = await t.app.request('/api/chats', jsonRequest('POST', { title }, user.headers));
  if (response.status !== 201) throw new Error(`create chat: ${response.status}`);
  return (await response.json()) as ChatResponse;
}

async function postMessage(user: TestUser, chatId: string, content: string) {
  return t.app.request(
    `/api/chats/${chatId}/messages`,
    jsonRequest('POST', { content }, user.headers),
  );
}

async function getChat(user: TestUser, chatId: string) {
  return t.app.request(`/api/chats/${chatId}`, { headers: user.headers });
}

async function listChats(user: TestUser, query = '') {
  return t.app.request(`/api/chats${query}`, { headers: user.headers });
}

async function listMessages(user: TestUser, chatId: string, query = '') {
  return t.app.request(`/api/chats/${chatId}/messages${query}`, { headers: user.headers });
}

/** Every item of a paged list, following `nextCursor`; also the size of each page. */
async function pageThrough<T>(
  fetchPage: (query: string) => Promise<Response>,
  limit: number,
): Promise<{ items: T[]; sizes: number[] }> {
  const items: T[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await fetchPage(query);
    expect(response.status).toBe(200);
    const page = (await response.json()) as Page<T>;
    items.push(...page.items);
    sizes.push(page.items.length);
    cursor = page.nextCursor;
    if (sizes.length > 100) throw new Error('pagination does not end');
  } while (cursor !== null);
  return { items, sizes };
}

/** `a` comes strictly before `b` in (createdAt, id) order. */
const comesBefore = (a: { createdAt: string; id: string }, b: { createdAt: string; id: string }) =>
  a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);

describe('authentication', () => {
  const routes: Array<[string, string, unknown]> = [
    ['GET', '/api/chats', undefined],
    ['POST', '/api/chats', { title: 'x' }],
    ['GET', `/api/chats/${UNKNOWN_ID}`, undefined],
    ['PATCH', `/api/chats/${UNKNOWN_ID}`, { title: 'x' }],
    ['DELETE', `/api/chats/${UNKNOWN_ID}`, undefined],
    ['GET', `/api/chats/${UNKNOWN_ID}/messages`, undefined],
    ['POST', `/api/chats/${UNKNOWN_ID}/messages`, { content: 'x' }],
  ];
  for (const [method, path, body] of routes) {
    test(`${method} ${path.replace(UNKNOWN_ID, '{chatId}')} answers 401 UNAUTHORIZED without credentials`, async () => {
      const response = await t.app.request(
        path,
        body === undefined ? { method } : jsonRequest(method, body),
      );
      await expectError(response, 401, ERROR_CODES.UNAUTHORIZED);
    });
  }
});

describe('POST /api/chats', () => {
  test('creates a chat and answers 201 with it, never with userId', async () => {
    const user = await newUser();
    const response = await t.app.request(
      '/api/chats',
      jsonRequest('POST', { title: 'Plans' }, user.headers),
    );
    expect(response.status).toBe(201);
    const chat = (await response.json()) as ChatResponse;
    expect(Object.keys(chat).sort()).toEqual(CHAT_KEYS);
    expect(chat.title).toBe('Plans');
    const read = await getChat(user, chat.id);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(chat);
  });

  test('trims and NFC-normalizes the title', async () => {
    const user = await newUser();
    const response = await t.app.request(
      '/api/chats',
      jsonRequest('POST', { title: '  Cafe\u0301  ' }, user.headers),
    );
    expect(response.status).toBe(201);
    const chat = (await response.json()) as ChatResponse;
    expect(chat.title).toBe('Caf\u00e9');
    const [stored] = await t.deps.database.db.select().from(chats).where(eq(chats.id, chat.id));
    expect(stored?.title).toBe('Caf\u00e9');
  });

  test('refuses an unknown field such as userId with 422 and stores nothing', async () => {
    const user = await newUser();
    const other = await newUser();
    const response = await t.app.request(
      '/api/chats',
      jsonRequest('POST', { title: 'Smuggled', userId: other.id }, user.headers),
    );
    await expectError(response, 422, ERROR_CODES.VALIDATION_FAILED);
    for (const owner of [user, other]) {
      const stored = await t.deps.database.db
        .select()
        .from(chats)
        .where(eq(chats.userId, owner.id));
      expect(stored).toEqual([]);
    }
  });

  test(`accepts a title of ${CHAT_TITLE_MAX} characters and refuses one more with 422 naming the limit`, async () => {
    const user = await newUser();
    const atLimit = await t.app.request(
      '/api/chats',
      jsonRequest('POST', { title: 'x'.repeat(CHAT_TITLE_MAX) }, user.headers),
    );
    expect(atLimit.status).toBe(201);
    const over = await t.app.request(
      '/api/chats',
      jsonRequest('POST', { title: 'x'.repeat(CHAT_TITLE_MAX + 1) }, user.headers),
    );
    expect(over.status).toBe(422);
    const error = await errorOf(over);
    expect(error.code).toBe(ERROR_CODES.VALIDATION_FAILED);
    const issues = error.details as FieldIssue[];
    expect(issues).toContainEqual(expect.objectContaining({ location: 'body', path: 'title' }));
    expect(issues.find((issue) => issue.path === 'title')?.message).toContain('200');
  });

  test('refuses a missing, empty or whitespace-only title with 422', async () => {
    const user = await newUser();
    for (const body of [{}, { title: '' }, { title: '   \t ' }]) {
      const response = await t.app.request('/api/chats', jsonRequest('POST', body, user.headers));
      expect(response.status).toBe(422);
      const error = await errorOf(response);
      expect(error.code).toBe(ERROR_CODES.VALIDATION_FAILED);
      expect(error.details).toContainEqual(expect.objectContaining({ path: 'title' }));
    }
    expect(await t.deps.database.db.select().from(chats).where(eq(chats.userId, user.id))).toEqual(
      [],
    );
  });

  test('refuses a title with a control character with 422', async () => {
    const user = await newUser();
    for (const title of ['Ring\u0007', 'Line\nbreak', 'Nul\u0000']) {
      const response = await t.app.request(
        '/api/chats',
        jsonRequest('POST', { title }, user.headers),
      );
      await expectError(response, 422, ERROR_CODES.VALIDATION_FAILED);
    }
  });

  test('answers 400 MALFORMED_JSON for a malformed JSON body', async () => {
    const user = await newUser();
    const response = await sendRaw(user, 'POST', '/api/chats', 'application/json', '{"title":');
    await expectError(response, 400, ERROR_CODES.MALFORMED_JSON);
  });

  test('answers 415 UNSUPPORTED_MEDIA_TYPE for a body that is not JSON', async () => {
    const user = await newUser();
    const response = await sendRaw(user, 'POST', '/api/chats', 'text/plain', 'title=Plans');
    await expectError(response, 415, ERROR_CODES.UNSUPPORTED_MEDIA_TYPE);
    expect(await t.deps.database.db.select().from(chats).where(eq(chats.userId, user.id))).toEqual(
      [],
    );
  });
});

describe('GET /api/chats', () => {
  test('pages through 25 chats 10 at a time as 10, 10, 5, newest first, none missing or repeated', async () => {
    const user = await newUser();
    const created: ChatResponse[] = [];
    for (let i = 0; i < 25; i++) created.push(await createChat(user, `Chat ${i}`));

    const { items, sizes } = await pageThrough<ChatResponse>((query) => listChats(user, query), 10);
    expect(sizes).toEqual([10, 10, 5]);
    expect(items.map((chat) => chat.id)).toEqual(created.map((chat) => chat.id).reverse());
    expect(new Set(items.map((chat) => chat.id)).size).toBe(25);
    for (let i = 1; i < items.length; i++) {
      const newer = items[i - 1];
      const older = items[i];
      if (!newer || !older) throw new Error('missing item');
      expect(comesBefore(older, newer)).toBe(true);
    }
    for (const chat of items) expect(Object.keys(chat).sort()).toEqual(CHAT_KEYS);

    const byDefault = await listChats(user);
    expect(byDefault.status).toBe(200);
    const firstPage = (await byDefault.json()) as Page<ChatResponse>;
    expect(firstPage.items).toHaveLength(20);
    expect(firstPage.nextCursor).not.toBeNull();
  });

  test('answers 200, not 500, for the nextCursor of its own first page', async () => {
    const user = await newUser();
    const first = await createChat(user, 'First');
    await createChat(user, 'Second');
    const firstPage = (await (await listChats(user, '?limit=1')).json()) as Page<ChatResponse>;
    expect(firstPage.nextCursor).toEqual(expect.any(String));
    const response = await listChats(
      user,
      `?limit=1&cursor=${encodeURIComponent(firstPage.nextCursor ?? '')}`,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ items: [first], nextCursor: null });
  });

  test("never lists another user's chats", async () => {
    const user = await newUser();
    const other = await newUser();
    const mine = await createChat(user, 'Mine');
    await createChat(other, 'Theirs');
    const response = await listChats(user);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ items: [mine], nextCursor: null });
  });

  test('accepts limit 1 and 100', async () => {
    const user = await newUser();
    const first = await createChat(user, 'First');
    const second = await createChat(user, 'Second');
    const one = await listChats(user, '?limit=1');
    expect(one.status).toBe(200);
    const page = (await one.json()) as Page<ChatResponse>;
    expect(page.items).toEqual([second]);
    expect(page.nextCursor).not.toBeNull();
    const hundred = await listChats(user, '?limit=100');
    expect(hundred.status).toBe(200);
    expect(await hundred.json()).toEqual({ items: [second, first], nextCursor: null });
  });

  test('refuses limit 0, 101 and abc with 422 on the limit query field', async () => {
    const user = await newUser();
    for (const limit of ['0', '101', 'abc', '1.5']) {
      const response = await listChats(user, `?limit=${limit}`);
      await expectFieldIssue(response, 'query', 'limit');
    }
  });

  test('refuses a cursor it did not issue with 422 on the cursor query field', async () => {
    const user = await newUser();
    const cursors = [
      'garbage!!',
      base64url('hello'),
      base64url(JSON.stringify(['2024-01-01T00:00:00.000Z', 'not-a-uuid'])),
      base64url(JSON.stringify({ createdAt: '2024-01-01T00:00:00.000Z', id: UNKNOWN_ID })),
      base64url(JSON.stringify(['yesterday', UNKNOWN_ID])),
    ];
    for (const cursor of cursors) {
      const response = await listChats(user, `?cursor=${encodeURIComponent(cursor)}`);
      await expectFieldIssue(response, 'query', 'cursor');
    }
  });
});

describe('GET /api/chats/{chatId}', () => {
  test('returns a well-formed unknown id as 404 NOT_FOUND', async () => {
    const user = await newUser();
    const response = await getChat(user, UNKNOWN_ID);
    await expectError(response, 404, ERROR_CODES.NOT_FOUND);
  });
});

describe("another user's chat answers exactly like a missing one", () => {
  const cases: Array<[string, string, string, unknown]> = [
    ['GET', '/api/chats/{chatId}', '', undefined],
    ['PATCH', '/api/chats/{chatId}', '', { title: 'Taken over' }],
    ['DELETE', '/api/chats/{chatId}', '', undefined],
    ['GET', '/api/chats/{chatId}/messages', '/messages', undefined],
    ['POST', '/api/chats/{chatId}/messages', '/messages', { content: 'Injected' }],
  ];
  for (const [method, route, suffix, body] of cases) {
    test(`${method} ${route} returns 404 for another user's chat, the same as for a missing one`, async () => {
      const owner = await newUser();
      const intruder = await newUser();
      const chat = await createChat(owner, 'Private');
      expect((await postMessage(owner, chat.id, 'Secret')).status).toBe(201);
      // The message moved updatedAt: this is the state nothing below may change.
      const untouched = await (await getChat(owner, chat.id)).json();
      const send = (chatId: string) =>
        t.app.request(
          `/api/chats/${chatId}${suffix}`,
          body === undefined
            ? { method, headers: intruder.headers }
            : jsonRequest(method, body, intruder.headers),
        );

      const foreign = await send(chat.id);
      const missing = await send(UNKNOWN_ID);
      expect(foreign.status).toBe(404);
      expect(missing.status).toBe(404);
      const foreignError = await errorOf(foreign);
      const missingError = await errorOf(missing);
      expect(foreignError.code).toBe(ERROR_CODES.NOT_FOUND);
      expect(foreignError.code).toBe(missingError.code);
      expect(foreignError.message).toBe(missingError.message);
      expect(foreignError.details).toEqual(missingError.details);

      // The owner's chat is untouched.
      const read = await getChat(owner, chat.id);
      expect(read.status).toBe(200);
      expect(await read.json()).toEqual(untouched);
      const listed = await listMessages(owner, chat.id);
      const page = (await listed.json()) as Page<MessageResponse>;
      expect(page.items.map((message) => message.content)).toEqual(['Secret']);
    });
  }
});

describe('malformed ids', () => {
  const cases: Array<[string, string, unknown]> = [
    ['GET', '', undefined],
    ['PATCH', '', { title: 'x' }],
    ['DELETE', '', undefined],
    ['GET', '/messages', undefined],
    ['POST', '/messages', { content: 'x' }],
  ];
  for (const [method, suffix, body] of cases) {
    test(`${method} /api/chats/{chatId}${suffix} answers 422 on the chatId path field for an id that is not a UUID`, async () => {
      const user = await newUser();
      const response = await t.app.request(
        `/api/chats/not-a-uuid${suffix}`,
        body === undefined
          ? { method, headers: user.headers }
          : jsonRequest(method, body, user.headers),
      );
      await expectFieldIssue(response, 'path', 'chatId');
    });
  }
});

describe('PATCH /api/chats/{chatId}', () => {
  test('renames the chat, normalizing the title, and moves updatedAt forward', async () => {
    const user = await newUser();
    const chat = await createChat(user, 'Old');
    await Bun.sleep(5);
    const response = await t.app.request(
      `/api/chats/${chat.id}`,
      jsonRequest('PATCH', { title: ' Cafe\u0301 ' }, user.headers),
    );
    expect(response.status).toBe(200);
    const renamed = (await response.json()) as ChatResponse;
    expect(Object.keys(renamed).sort()).toEqual(CHAT_KEYS);
    expect(renamed).toMatchObject({ id: chat.id, title: 'Caf\u00e9', createdAt: chat.createdAt });
    expect(renamed.updatedAt > chat.updatedAt).toBe(true);
    expect(await (await getChat(user, chat.id)).json()).toEqual(renamed);
  });

  test('refuses an unknown field such as id with 422 and leaves the chat unchanged', async () => {
    const user = await newUser();
    const chat = await createChat(user, 'Keep');
    const response = await t.app.request(
      `/api/chats/${chat.id}`,
      jsonRequest('PATCH', { title: 'Changed', id: UNKNOWN_ID }, user.headers),
    );
    await expectError(response, 422, ERROR_CODES.VALIDATION_FAILED);
    expect(await (await getChat(user, chat.id)).json()).toEqual(chat);
  });

  test('refuses an over-long, empty or control-character title with 422 and leaves the chat unchanged', async () => {
    const user = await newUser();
    const chat = await createChat(user, 'Keep');
    for (const title of ['x'.repeat(CHAT_TITLE_MAX + 1), '', '  ', 'Bell\u0007']) {
      const response = await t.app.request(
        `/api/chats/${chat.id}`,
        jsonRequest('PATCH', { title }, user.headers),
      );
      await expectFieldIssue(response, 'body', 'title');
    }
    expect(await (await getChat(user, chat.id)).json()).toEqual(chat);
  });

  test('answers 400 MALFORMED_JSON and 415 UNSUPPORTED_MEDIA_TYPE for bodies it cannot read', async () => {
    const user = await newUser();
    const chat = await createChat(user, 'Keep');
    const malformed = await sendRaw(
      user,
      'PATCH',
      `/api/chats/${chat.id}`,
      'application/json',
      '{title: "x"}',
    );
    await expectError(malformed, 400, ERROR_CODES.MALFORMED_JSON);
    const form = await sendRaw(
      user,
      'PATCH',
      `/api/chats/${chat.id}`,
      'application/x-www-form-urlencoded',
      'title=x',
    );
    await expectError(form, 415, ERROR_CODES.UNSUPPORTED_MEDIA_TYPE);
    expect(await (await getChat(user, chat.id)).json()).toEqual(chat);
  });
});

describe('DELETE /api/chats/{chatId}', () => {
  test('deletes the chat and its messages, answering 204 with an empty body', async () => {
    const user = await newUser();
    const chat = await createChat(user, 'Doomed');
    const kept = await createChat(user, 'Kept');
    for (const content of ['one', 'two', 'three']) {
      expect((await postMessage(user, chat.id, content)).status).toBe(201);
    }
    expect((await postMessage(user, kept.id, 'stays')).status).toBe(201);

    const response = await t.app.request(`/api/chats/${chat.id}`, {
      method: 'DELETE',
      headers: user.headers,
    });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');

    const read = await getChat(user, chat.id);
    await expectError(read, 404, ERROR_CODES.NOT_FOUND);
    const { db } = t.deps.database;
    expect(await db.select().from(messages).where(eq(messages.chatId, chat.id))).toEqual([]);
    expect(await db.select().from(messages).where(eq(messages.chatId, kept.id))).toHaveLength(1);
    expect((await getChat(user, kept.id)).status).toBe(200);

    const again = await t.app.request(`/api/chats/${chat.id}`, {
      method: 'DELETE',
      headers: user.headers,
    });
    await expectError(again, 404, ERROR_CODES.NOT_FOUND);
  });
});

describe('POST /api/chats/{chatId}/messages', () => {
  test('stores the message with role user, answers 201 without userId and bumps the chat updatedAt', async () => {
    const user = await newUser();
    const chat = await createChat(user, 'Talk');
    await Bun.sleep(5);
    const response = await postMessage(user, chat.id, 'Hello');
    expect(response.status).toBe(201);
    const message = (await response.json()) as MessageResponse;
    expect(Object.keys(message).sort()).toEqual(MESSAGE_KEYS);
    expect(message).toMatchObject({ chatId: chat.id, role: 'user', content: 'Hello' });

    const read = (await (await getChat(user, chat.id)).json()) as ChatResponse;
    expect(read.updatedAt > chat.updatedAt).toBe(true);
    expect(read.updatedAt >= message.createdAt).toBe(true);
    const listed = (await (await listMessages(user, chat.id)).json()) as Page<MessageResponse>;
    expect(listed).toEqual({ items: [message], nextCursor: null });
  });

  test('messages written at once leave updatedAt at the newest stored message', async () => {
    const user = await newUser();
    const chat = await createChat(user, 'Busy');
    // Concurrent writes queue on the chat's lock: one that waited may carry an older time.
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => postMessage(user, chat.id, `at once ${i}`)),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(12).fill(201));
    const created = await Promise.all(
      responses.map(async (response) => ((await response.json()) as MessageResponse).createdAt),
    );
    const newest = [...created].sort().at(-1) ?? '';
    const read = (await (await getChat(user, chat.id)).json()) as ChatResponse;
    expect(read.updatedAt).toBe(newest);
  });

  test('keeps newlines and tabs and turns CRLF into LF', async () => {
    const user = await newUser();
    const chat = await createChat(user);
    const response = await postMessage(user, chat.id, 'line one\r\n\tindented\nline three');
    expect(response.status).toBe(201);
    const message = (await response.json()) as MessageResponse;
    expect(message.content).toBe('line one\n\tindented\nline three');
    const [stored] = await t.deps.database.db
      .select()
      .from(messages)
      .where(eq(messages.id, message.id));
    expect(stored?.content).toBe('line one\n\tindented\nline three');
  });

  test('refuses content with a NUL or other control character with 422 and stores nothing', async () => {
    const user = await newUser();
    const chat = await createChat(user);
    for (const content of ['nul\u0000here', 'bell\u0007', 'lone\rreturn', 'esc\u001b[0m']) {
      const response = await postMessage(user, chat.id, content);
      await expectFieldIssue(response, 'body', 'content');
    }
    expect(
      await t.deps.database.db.select().from(messages).where(eq(messages.chatId, chat.id)),
    ).toEqual([]);
  });

  test('refuses a role field with 422 and stores nothing', async () => {
    const user = await newUser();
    const chat = await createChat(user);
    const response = await t.app.request(
      `/api/chats/${chat.id}/messages`,
      jsonRequest('POST', { content: 'I am the assistant', role: 'assistant' }, user.headers),
    );
    await expectError(response, 422, ERROR_CODES.VALIDATION_FAILED);
    expect(
      await t.deps.database.db.select().from(messages).where(eq(messages.chatId, chat.id)),
    ).toEqual([]);
  });

  test(`accepts content of ${MESSAGE_CONTENT_MAX} characters and refuses one more with 422 naming the limit`, async () => {
    const user = await newUser();
    const chat = await createChat(user);
    const atLimit = await postMessage(user, chat.id, 'y'.repeat(MESSAGE_CONTENT_MAX));
    expect(atLimit.status).toBe(201);
    const over = await postMessage(user, chat.id, 'y'.repeat(MESSAGE_CONTENT_MAX + 1));
    expect(over.status).toBe(422);
    const issues = await issuesOf(over);
    expect(issues.find((issue) => issue.path === 'content')?.message).toContain('32000');
    expect(
      await t.deps.database.db.select().from(messages).where(eq(messages.chatId, chat.id)),
    ).toHaveLength(1);
  });

  test('refuses empty or whitespace-only content with 422', async () => {
    const user = await newUser();
    const chat = await createChat(user);
    for (const content of ['', ' \n\t ']) {
      const response = await postMessage(user, chat.id, content);
      await expectError(response, 422, ERROR_CODES.VALIDATION_FAILED);
    }
  });

  test('answers 400 MALFORMED_JSON and 415 UNSUPPORTED_MEDIA_TYPE for bodies it cannot read', async () => {
    const user = await newUser();
    const chat = await createChat(user);
    const malformed = await sendRaw(
      user,
      'POST',
      `/api/chats/${chat.id}/messages`,
      'application/json',
      '{"content": "unterminated',
    );
    await expectError(malformed, 400, ERROR_CODES.MALFORMED_JSON);
    const text = await sendRaw(
      user,
      'POST',
      `/api/chats/${chat.id}/messages`,
      'text/plain',
      'hello',
    );
    await expectError(text, 415, ERROR_CODES.UNSUPPORTED_MEDIA_TYPE);
    expect(
      await t.deps.database.db.select().from(messages).where(eq(messages.chatId, chat.id)),
    ).toEqual([]);
  });

  test('50 concurrent posts on one chat all answer 201 and are each listed once, in a stable createdAt-then-id order', async () => {
    const user = await newUser();
    const chat = await createChat(user, 'Busy');
    const contents = Array.from({ length: 50 }, (_, i) => `message ${i}`);
    const responses = await Promise.all(
      contents.map((content) => postMessage(user, chat.id, content)),
    );
    expect(responses.map((response) => response.status)).toEqual(contents.map(() => 201));

    const first = await pageThrough<MessageResponse>((q) => listMessages(user, chat.id, q), 100);
    expect(first.sizes).toEqual([50]);
    expect(first.items.map((message) => message.content).sort()).toEqual([...contents].sort());
    for (let i = 1; i < first.items.length; i++) {
      const earlier = first.items[i - 1];
      const later = first.items[i];
      if (!earlier || !later) throw new Error('missing item');
      expect(comesBefore(earlier, later)).toBe(true);
    }
    const second = await pageThrough<MessageResponse>((q) => listMessages(user, chat.id, q), 100);
    expect(second.items).toEqual(first.items);
  });

  test('50 concurrently posted messages page 7 at a time in the same order as one page, none missing or repeated', async () => {
    const user = await newUser();
    const chat = await createChat(user, 'Busy');
    const contents = Array.from({ length: 50 }, (_, i) => `message ${i}`);
    const responses = await Promise.all(
      contents.map((content) => postMessage(user, chat.id, content)),
    );
    expect(responses.map((response) => response.status)).toEqual(contents.map(() => 201));
    const whole = await pageThrough<MessageResponse>((q) => listMessages(user, chat.id, q), 100);
    const paged = await pageThrough<MessageResponse>((q) => listMessages(user, chat.id, q), 7);
    expect(paged.sizes).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
    expect(paged.items).toEqual(whole.items);
  });
});

describe('GET /api/chats/{chatId}/messages', () => {
  test('pages oldest first with limit and nextCursor, ending with null', async () => {
    const user = await newUser();
    const chat = await createChat(user);
    const sent: MessageResponse[] = [];
    for (let i = 0; i < 7; i++) {
      const response = await postMessage(user, chat.id, `m${i}`);
      sent.push((await response.json()) as MessageResponse);
    }
    const { items, sizes } = await pageThrough<MessageResponse>(
      (query) => listMessages(user, chat.id, query),
      3,
    );
    expect(sizes).toEqual([3, 3, 1]);
    expect(items).toEqual(sent);
    for (const message of items) expect(Object.keys(message).sort()).toEqual(MESSAGE_KEYS);
  });

  test('answers 200, not 500, for the nextCursor of its own first page', async () => {
    const user = await newUser();
    const chat = await createChat(user);
    expect((await postMessage(user, chat.id, 'first')).status).toBe(201);
    const second = (await (await postMessage(user, chat.id, 'second')).json()) as MessageResponse;
    const firstPage = (await (
      await listMessages(user, chat.id, '?limit=1')
    ).json()) as Page<MessageResponse>;
    expect(firstPage.nextCursor).toEqual(expect.any(String));
    const response = await listMessages(
      user,
      chat.id,
      `?limit=1&cursor=${encodeURIComponent(firstPage.nextCursor ?? '')}`,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ items: [second], nextCursor: null });
  });

  test("lists only the messages of the chat asked for, not of the user's other chats", async () => {
    const user = await newUser();
    const chat = await createChat(user, 'One');
    const other = await createChat(user, 'Two');
    expect((await postMessage(user, chat.id, 'here')).status).toBe(201);
    expect((await postMessage(user, other.id, 'there')).status).toBe(201);
    const page = (await (await listMessages(user, chat.id)).json()) as Page<MessageResponse>;
    expect(page.items.map((message) => message.content)).toEqual(['here']);
  });

  test('refuses a bad limit or cursor with 422 on the query field', async () => {
    const user = await newUser();
    const chat = await createChat(user);
    const cases: Array<[string, string]> = [
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=abc', 'limit'],
      ['?cursor=garbage!!', 'cursor'],
      [`?cursor=${base64url('{"not":"a cursor"}')}`, 'cursor'],
    ];
    for (const [query, field] of cases) {
      const response = await listMessages(user, chat.id, query);
      await expectFieldIssue(response, 'query', field);
    }
  });
});

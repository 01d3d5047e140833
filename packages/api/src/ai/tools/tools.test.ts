import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { chats, messages, user } from '@backend/shared/schema';
import { createTestDatabase } from '../../../test/test-deps.ts';
import { CalculatorError, createCalculatorTool, evaluate } from './calculator.ts';
import { createCurrentTimeTool, currentTime } from './current-time.ts';
import { createHttpFetchTool, FetchRefusedError, fetchAllowed } from './http-fetch.ts';
import { buildTools } from './index.ts';
import { createSearchChatsTool, escapeLike, searchChats } from './search-chats.ts';

describe('calculator', () => {
  test('parses arithmetic with precedence, parentheses, powers, functions and constants', () => {
    expect(evaluate('12 * (3 + 4)')).toBe(84);
    expect(evaluate('2 + 3 * 4 - 1')).toBe(13);
    expect(evaluate('2 ^ 3 ^ 2')).toBe(512);
    expect(evaluate('-2 ^ 2')).toBe(-4);
    expect(evaluate('10 % 4 + 7 / 2')).toBe(5.5);
    expect(evaluate('sqrt(16) + max(1, 5, 3) + abs(-2)')).toBe(11);
    expect(evaluate('6 × 7 ÷ 2')).toBe(21);
    expect(evaluate('1.5e3 + .5')).toBe(1500.5);
    expect(evaluate('round(pi * 100)')).toBe(314);
  });

  test('refuses code and anything but arithmetic, without evaluating it', () => {
    const attempts = [
      'process.exit(1)',
      'require("fs")',
      'constructor.constructor("return process")()',
      '(() => 1)()',
      '1; 2',
      'globalThis',
      '__proto__',
      'eval("1")',
      'Function("return 1")()',
      '[1,2]',
      '"a" + 1',
      '`1`',
    ];
    for (const attempt of attempts) {
      expect(() => evaluate(attempt)).toThrow(CalculatorError);
    }
  });

  test('refuses malformed and unbounded expressions', () => {
    for (const bad of [
      '',
      '1 +',
      '(1 + 2',
      '1 2',
      '1 / 0',
      '5 % 0',
      '10 ^ 400',
      'sqrt()',
      'min(',
    ]) {
      expect(() => evaluate(bad)).toThrow(CalculatorError);
    }
    expect(() => evaluate(`${'('.repeat(100)}1${')'.repeat(100)}`)).toThrow(/nested too deeply/);
    expect(() => evaluate('1+'.repeat(300))).toThrow(/limited to/);
  });

  test('the tool answers results and explains refusals to the model', async () => {
    const tool = createCalculatorTool();
    expect(await tool.invoke({ expression: '0.1 + 0.2' })).toBe('0.3');
    expect(await tool.invoke({ expression: 'process.exit(1)' })).toBe(
      'Error: Unexpected character "." at position 8',
    );
    expect(await tool.invoke({ expression: 'exit(1)' })).toBe('Error: Unknown name "exit"');
  });
});

describe('current_time', () => {
  test('tells the time in UTC or a named zone, and refuses an unknown zone', async () => {
    const now = new Date('2026-03-01T12:00:00Z');
    expect(currentTime(now)).toContain('2026-03-01T12:00:00.000Z');
    expect(currentTime(now, 'Europe/Paris')).toContain('13:00:00');
    expect(currentTime(now, 'Mars/Olympus')).toStartWith('Error: unknown time zone');
    const tool = createCurrentTimeTool({ now: () => now });
    expect(await tool.invoke({})).toContain('12:00:00');
  });
});

describe('search_chats', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    database = await createTestDatabase();
    const { db } = database;
    await db.insert(user).values([
      { id: 'alice', name: 'Alice', email: 'alice@example.com' },
      { id: 'bob', name: 'Bob', email: 'bob@example.com' },
    ]);
    const [aliceChat] = await db
      .insert(chats)
      .values({ userId: 'alice', title: 'Holiday plans' })
      .returning();
    const [bobChat] = await db
      .insert(chats)
      .values({ userId: 'bob', title: 'Secret project' })
      .returning();
    await db.insert(messages).values([
      {
        chatId: aliceChat?.id ?? '',
        userId: 'alice',
        role: 'user',
        content: 'Book the train to Lyon',
      },
      { chatId: aliceChat?.id ?? '', userId: 'alice', role: 'assistant', content: '100% done_ok' },
      { chatId: bobChat?.id ?? '', userId: 'bob', role: 'user', content: 'The train code is 1234' },
      {
        chatId: bobChat?.id ?? '',
        userId: 'bob',
        role: 'user',
        content: 'alice should never see this',
      },
    ]);
  });

  afterAll(async () => {
    await database.close();
  });

  test("finds the caller's own messages only, even when the text names another user", async () => {
    const hits = await searchChats(database.db, 'alice', 'train');
    expect(hits).toHaveLength(1);
    expect(hits[0]?.excerpt).toBe('Book the train to Lyon');
    expect(hits[0]?.chatTitle).toBe('Holiday plans');
    expect(await searchChats(database.db, 'alice', 'Secret project')).toEqual([]);
    expect(await searchChats(database.db, 'alice', 'alice should never')).toEqual([]);
    expect(await searchChats(database.db, 'alice', 'bob')).toEqual([]);
  });

  test('matches chat titles, and treats % and _ as text', async () => {
    expect((await searchChats(database.db, 'alice', 'holiday')).length).toBe(2);
    expect(escapeLike('100%_\\')).toBe('100\\%\\_\\\\');
    expect((await searchChats(database.db, 'alice', '0% d')).map((hit) => hit.excerpt)).toEqual([
      '100% done_ok',
    ]);
    expect(await searchChats(database.db, 'alice', '%')).toHaveLength(1);
    expect(await searchChats(database.db, 'alice', '_')).toHaveLength(1);
  });

  test("the tool is bound to its user: arguments cannot reach another user's rows", async () => {
    const tool = createSearchChatsTool({ db: database.db, userId: 'alice' });
    const answer = await tool.invoke({ query: 'train' });
    expect(answer).toContain('Lyon');
    expect(answer).not.toContain('1234');
    // A smuggled user id is not part of the schema, so it is dropped or refused, never used.
    const smuggled = await tool
      .invoke({ query: 'code', userId: 'bob' } as unknown as { query: string })
      .catch((error: Error) => `refused: ${error.message}`);
    expect(String(smuggled)).not.toContain('1234');
  });
});

describe('http_fetch', () => {
  let server: ReturnType<typeof Bun.serve>;
  let host: string;

  beforeAll(() => {
    server = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch(request) {
        const url = new URL(request.url);
        if (url.pathname === '/redirect-away') {
          return new Response(null, {
            status: 302,
            headers: { location: 'http://example.invalid/x' },
          });
        }
        if (url.pathname === '/redirect-home') {
          return new Response(null, { status: 302, headers: { location: '/hello' } });
        }
        if (url.pathname === '/big') return new Response('x'.repeat(10_000));
        if (url.pathname === '/binary') {
          return new Response(new Uint8Array([1, 2, 3]), {
            headers: { 'content-type': 'application/octet-stream' },
          });
        }
        return new Response('hello from the allowed host', {
          headers: { 'content-type': 'text/plain' },
        });
      },
    });
    host = `127.0.0.1:${server.port}`;
  });

  // The test server listens on loopback, which the tool refuses unless told otherwise.
  const loopback = { isAllowedAddress: (address: string) => address === '127.0.0.1' };

  afterAll(() => {
    server.stop(true);
  });

  test('is off by default: no allowlist, no tool', () => {
    const context = {
      db: {} as never,
      userId: 'alice',
      fetchAllowedHosts: [],
      fetchTimeoutMs: 1_000,
    };
    const names = buildTools(
      ['search_chats', 'calculator', 'current_time', 'http_fetch'],
      context,
    ).map((tool) => tool.name);
    expect(names).toEqual(['search_chats', 'calculator', 'current_time']);
    expect(() => createHttpFetchTool({ allowedHosts: [] })).toThrow(FetchRefusedError);
    const withHost = buildTools(['http_fetch'], { ...context, fetchAllowedHosts: [host] });
    expect(withHost.map((tool) => tool.name)).toEqual(['http_fetch']);
  });

  test('fetches from an allowed host', async () => {
    const text = await fetchAllowed(`http://${host}/hello`, { allowedHosts: [host], ...loopback });
    expect(text).toBe('HTTP 200\nhello from the allowed host');
    const followed = await fetchAllowed(`http://${host}/redirect-home`, {
      allowedHosts: [host],
      ...loopback,
    });
    expect(followed).toContain('hello from the allowed host');
  });

  test('refuses hosts outside the allowlist, other schemes, credentials and redirects away', async () => {
    const options = { allowedHosts: [host], ...loopback };
    for (const url of [
      'http://example.com/',
      `http://127.0.0.1:${(server.port ?? 0) + 1}/`,
      `file:///etc/passwd`,
      `http://user:pass@${host}/hello`,
      'http://localhost/',
      'not a url',
    ]) {
      await expect(fetchAllowed(url, options)).rejects.toThrow(FetchRefusedError);
    }
    await expect(fetchAllowed(`http://${host}/redirect-away`, options)).rejects.toThrow(
      /Host not allowed: example.invalid/,
    );
    const tool = createHttpFetchTool(options);
    expect(await tool.invoke({ url: 'http://example.com/' })).toBe(
      'Error: Host not allowed: example.com',
    );
  });

  test('cuts long bodies and does not return binary content', async () => {
    const long = await fetchAllowed(`http://${host}/big`, {
      allowedHosts: [host],
      maxBytes: 100,
      ...loopback,
    });
    expect(long).toEndWith('[truncated]');
    expect(long.length).toBeLessThan(140);
    const binary = await fetchAllowed(`http://${host}/binary`, {
      allowedHosts: [host],
      ...loopback,
    });
    expect(binary).toBe('HTTP 200; not text (application/octet-stream)');
  });
});

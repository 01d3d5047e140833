/**
 * A steady load of authenticated reads and writes (`just perf load`): autocannon on 127.0.0.1
 * at a fixed overall rate against the whole app, then the books are checked.
 *
 * - the mix, per connection in turn: list my chats, add a message to my chat, read that chat's
 *   messages, create a chat, read my profile (two writes in five requests);
 * - each connection is one of USERS signed-in users (bearer tokens);
 * - PostgreSQL when DATABASE_URL is set (a fresh database of its own), else PGlite; Redis when
 *   REDIS_URL is set; the pool settings come from the environment (DATABASE_POOL_MAX,
 *   DATABASE_PREPARE), so `scripts/with-pgbouncer.sh bun bench/load.ts` runs it through PgBouncer.
 *
 * Passes when no answer is a 5xx and no write is lost: the rows in the database after the run
 * equal the creates that answered 201. Writes bench/results/load.json (p50/p90/p99 included)
 * and exits non-zero otherwise.
 *
 *   bun bench/load.ts [seconds=60] [rate=200]
 */
import { randomBytes } from 'node:crypto';
import { chats, messages } from '@backend/shared/schema';
import autocannon from 'autocannon';
import { count, inArray } from 'drizzle-orm';
import { createApp } from '../packages/api/src/app.ts';
import { createDeps } from '../packages/api/src/deps.ts';
import { loadEnv, parseEnv } from '../packages/api/src/env.ts';
import { jsonRequest, signUp, type TestUser } from '../packages/api/test/accounts.ts';
import { createTestDatabase } from '../packages/api/test/test-deps.ts';
import { saveResults } from './lib.ts';

const seconds = Number(process.argv[2] ?? 60);
const rate = Number(process.argv[3] ?? 200);
const CONNECTIONS = 8;
const USERS = 4;

const services = loadEnv();
const env = parseEnv({
  STAGE: 'local',
  LOG_LEVEL: 'warn',
  // Twelve thousand metric lines would bury the summary.
  POWERTOOLS_METRICS_DISABLED: 'true',
  PGLITE_DATA_DIR: 'memory://',
  DATABASE_URL: services.DATABASE_URL,
  DATABASE_POOL_MAX: String(services.DATABASE_POOL_MAX),
  DATABASE_PREPARE: String(services.DATABASE_PREPARE),
  REDIS_URL: services.REDIS_URL,
  CACHE_PREFIX: `load-${randomBytes(4).toString('hex')}:`,
  BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
  // The run measures the app under a steady rate, not the limiter's refusals.
  RATE_LIMIT_DEFAULT: '1000000000',
  RATE_LIMIT_AUTH: '1000000000',
});
const database = await createTestDatabase();
const deps = await createDeps(env, { database });
const app = createApp(deps);
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: app.fetch });
const base = `http://127.0.0.1:${server.port}`;

const users: Array<TestUser & { chatId: string }> = [];
for (let i = 0; i < USERS; i++) {
  const user = await signUp(app, deps);
  const chat = await app.request(
    '/api/chats',
    jsonRequest('POST', { title: 'load' }, { authorization: `Bearer ${user.bearer}` }),
  );
  users.push({ ...user, chatId: ((await chat.json()) as { id: string }).id });
}
const createdBefore = { chats: USERS, messages: 0 };

const created = { chats: 0, messages: 0 };
const statuses: Record<string, number> = {};
let connection = 0;

type Context = { user?: (typeof users)[number] };
const withUser =
  (build: (user: (typeof users)[number]) => autocannon.Request) =>
  (request: autocannon.Request, context: Context): autocannon.Request => {
    context.user ??= users[connection++ % USERS];
    const user = context.user as (typeof users)[number];
    const built = build(user);
    return {
      ...request,
      ...built,
      headers: { authorization: `Bearer ${user.bearer}`, ...built.headers },
    };
  };
const json = { 'content-type': 'application/json' };
const counted =
  (kind?: keyof typeof created) =>
  (status: number): void => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (kind && status === 201) created[kind]++;
  };

const requests: autocannon.Request[] = [
  { setupRequest: withUser(() => ({ method: 'GET', path: '/api/chats' })), onResponse: counted() },
  {
    setupRequest: withUser((user) => ({
      method: 'POST',
      path: `/api/chats/${user.chatId}/messages`,
      headers: json,
      body: JSON.stringify({ content: `load ${randomBytes(4).toString('hex')}` }),
    })),
    onResponse: counted('messages'),
  },
  {
    setupRequest: withUser((user) => ({
      method: 'GET',
      path: `/api/chats/${user.chatId}/messages?limit=20`,
    })),
    onResponse: counted(),
  },
  {
    setupRequest: withUser(() => ({
      method: 'POST',
      path: '/api/chats',
      headers: json,
      body: JSON.stringify({ title: `load ${randomBytes(4).toString('hex')}` }),
    })),
    onResponse: counted('chats'),
  },
  { setupRequest: withUser(() => ({ method: 'GET', path: '/api/me' })), onResponse: counted() },
] as autocannon.Request[];

process.stdout.write(
  `load: ${rate} requests/s for ${seconds} s, ${CONNECTIONS} connections, ${USERS} users\n`,
);
const result = await autocannon({
  url: base,
  connections: CONNECTIONS,
  // A fixed number of requests at the rate (so `seconds` long), every answer awaited: a run cut
  // off by a duration would abandon requests in flight and their writes would not add up.
  amount: rate * seconds,
  overallRate: rate,
  requests,
});

const ids = users.map((user) => user.id);
const [chatRows] = await deps.database.db
  .select({ n: count() })
  .from(chats)
  .where(inArray(chats.userId, ids));
const [messageRows] = await deps.database.db
  .select({ n: count() })
  .from(messages)
  .where(inArray(messages.userId, ids));
const rows = {
  chats: (chatRows?.n ?? 0) - createdBefore.chats,
  messages: (messageRows?.n ?? 0) - createdBefore.messages,
};
const serverErrors = Object.entries(statuses)
  .filter(([status]) => Number(status) >= 500)
  .reduce((sum, [, n]) => sum + n, 0);
const lostWrites = created.chats - rows.chats + (created.messages - rows.messages);
const summary = {
  date: new Date().toISOString(),
  seconds,
  targetRate: rate,
  connections: CONNECTIONS,
  database: deps.database.kind,
  cache: deps.cache.kind,
  poolMax: env.DATABASE_POOL_MAX,
  prepare: env.DATABASE_PREPARE,
  elapsedSeconds: result.duration,
  requests: result.requests.total,
  throughput: result.requests.average,
  latencyMs: {
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
  },
  statuses,
  errors: result.errors,
  timeouts: result.timeouts,
  serverErrors,
  writes: { answered201: created, rowsAfter: rows, lost: lostWrites },
};
const path = await saveResults('load', summary);
process.stdout.write(`${JSON.stringify(summary, null, 2)}\nwritten to ${path}\n`);

// Let answered requests finish what they do after the response (cache invalidation) first.
await server.stop();
await Bun.sleep(500);
// Closes the database too (and drops it, when it is a PostgreSQL database of its own).
await deps.close();
const ok = serverErrors === 0 && lostWrites === 0 && result.errors === 0 && result.timeouts === 0;
if (!ok) process.stderr.write('load: FAILED (5xx, lost writes, errors or timeouts above)\n');
process.exit(ok ? 0 : 1);

/**
 * A server for the HTTP benchmark: `bun bench/server.ts <variant> <port>`. When it listens
 * it says `READY <bearer token>`: as an IPC message when started by bench/http.ts (whose
 * stdout is then a log file), else on stdout. The full app logs as deployed: info level,
 * one JSON line per request (and its EMF metrics line) on stdout; `BENCH_LOG_LEVEL`
 * overrides the level, to measure what the logs cost. Variants:
 * - bare: a bare Hono app with the benchmark routes, nothing else;
 * - full: the whole app (createApp) with the routes added behind its middleware, in-process
 *   rate limits and cache;
 * - full-redis: the same with REDIS_URL (Redis-backed rate limits and cache);
 * - uncached: the whole app with the application cache replaced by a pass-through.
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { createApp } from '../packages/api/src/app.ts';
import { createDeps } from '../packages/api/src/deps.ts';
import { loadEnv, parseEnv } from '../packages/api/src/env.ts';
import { signUp } from '../packages/api/test/accounts.ts';
import { createTestDatabase } from '../packages/api/test/test-deps.ts';
import { benchLogLevel } from './lib.ts';

const [variant = 'full', portText = '3100'] = process.argv.slice(2);
const port = Number(portText);

/** The small JSON GET both sides serve. */
const SMALL = { status: 'ok', service: 'bench', items: [1, 2, 3] };
/** About 100 KB of JSON, as a list page of long items would be. */
const BIG = {
  items: Array.from({ length: 400 }, (_, i) => ({
    id: `0192f0c4-8b1e-7c3a-9b5e-${String(i).padStart(12, '0')}`,
    title: `Conversation ${i} about the quarterly planning and its follow-ups`,
    summary:
      'The assistant proposed three options; the user chose the second and asked for a draft. '.repeat(
        2,
      ),
    createdAt: new Date(1_700_000_000_000 + i * 60_000).toISOString(),
  })),
};

/** Tells whoever started this server that it is listening. */
function ready(token: string) {
  if (process.send) process.send({ ready: true, token });
  else process.stdout.write(`READY ${token}\n`);
}

function addRoutes(app: Hono) {
  app.get('/api/bench', (c) => c.json(SMALL));
  app.get('/api/bench/big', (c) => c.json(BIG));
}

if (variant === 'bare') {
  const app = new Hono();
  addRoutes(app);
  Bun.serve({ port, fetch: app.fetch });
  ready('-');
} else {
  const services = loadEnv();
  const env = parseEnv({
    STAGE: 'local',
    LOG_LEVEL: benchLogLevel(),
    PGLITE_DATA_DIR: 'memory://',
    DATABASE_URL: services.DATABASE_URL,
    REDIS_URL: variant === 'full-redis' ? services.REDIS_URL : undefined,
    CACHE_PREFIX: `bench-${randomBytes(4).toString('hex')}:`,
    BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
    // The benchmark measures the limiter's cost, not its refusals.
    RATE_LIMIT_DEFAULT: '1000000000',
    RATE_LIMIT_AUTH: '1000000000',
  });
  if (variant === 'full-redis' && !env.REDIS_URL) throw new Error('full-redis needs REDIS_URL');
  // A fresh, migrated database of its own (PostgreSQL when DATABASE_URL is set, else PGlite).
  const database = await createTestDatabase();
  const deps = await createDeps(env, { database });
  if (variant === 'uncached') {
    deps.appCache = {
      getOrLoad: (_address, _ttl, load) => load(),
      invalidate: async () => {},
      stats: () => ({ l1Hits: 0, l2Hits: 0, misses: 0, errors: 0 }),
    };
  }
  const app = createApp(deps);
  addRoutes(app as unknown as Hono);
  const server = Bun.serve({ port, fetch: app.fetch });
  process.once('SIGTERM', async () => {
    // Stop serving first, so no request meets a closed pool or a dropped database.
    await server.stop(true);
    await deps.close();
    process.exit(0);
  });

  // A user with 20 chats, for the chat-list variants.
  const { bearer: token } = await signUp(app, deps);
  for (let i = 0; i < 20; i++) {
    await app.request('/api/chats', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ title: `Chat ${i}` }),
    });
  }
  ready(token);
}

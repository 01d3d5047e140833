/**
 * `bun bench/session-lookup.ts [iterations]`: what finding the caller's session costs per
 * authenticated request, four ways, on the configured database (PGlite, or PostgreSQL with
 * DATABASE_URL) and Redis (REDIS_URL, required for the secondary-storage variants):
 *  - custom: the app's fast path (lib/auth/session-lookup.ts), one query and one HMAC;
 *  - getSession: Better Auth's own `getSession` on the database, as configured today;
 *  - secondaryStorage: Better Auth's `getSession` with its sessions in Redis
 *    (`secondaryStorage`), sessions also kept in the database;
 *  - cookieCache: the same plus Better Auth's signed session cookie cache (5 min). It answers
 *    without any lookup while the cookie is fresh, which is exactly why it is not an option
 *    here: a revoked session (sign-out elsewhere, a ban, revoke-session) keeps working on
 *    that cookie until it expires. Measured for comparison only.
 * Each variant signs a user up, warms up, then times `iterations` lookups one after another.
 * Results in bench/results/session-lookup.json.
 */
import { Redis } from 'ioredis';
import { createDeps } from '../packages/api/src/deps.ts';
import { loadEnv, parseEnv } from '../packages/api/src/env.ts';
import type { Auth } from '../packages/api/src/lib/auth/auth.ts';
import { createSessionLookup } from '../packages/api/src/lib/auth/session-lookup.ts';
import { createTestDatabase } from '../packages/api/test/test-deps.ts';
import { median, saveResults, table } from './lib.ts';

const iterations = Number(process.argv[2] ?? 2_000);
const WARMUP = 200;
const services = loadEnv();

const database = await createTestDatabase();
const env = parseEnv({
  STAGE: 'local',
  LOG_LEVEL: 'silent',
  PGLITE_DATA_DIR: 'memory://',
  BETTER_AUTH_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
});
const deps = await createDeps(env, { database });
const redis = services.REDIS_URL ? new Redis(services.REDIS_URL, { lazyConnect: false }) : null;
const prefix = `bench:session:${Date.now()}:`;

/** Better Auth's own key-value seam, on Redis. */
const secondaryStorage = redis && {
  get: (key: string) => redis.get(prefix + key),
  set: async (key: string, value: string, ttl?: number) => {
    if (ttl) await redis.set(prefix + key, value, 'EX', ttl);
    else await redis.set(prefix + key, value);
  },
  delete: async (key: string) => {
    await redis.del(prefix + key);
  },
};

/** The app's auth with other session options: Better Auth's own seams. */
function variantOf(extra: Record<string, unknown>, session: Record<string, unknown> = {}): Auth {
  const { betterAuth } = require('better-auth') as typeof import('better-auth');
  const options = deps.auth.options;
  return betterAuth({
    ...options,
    ...extra,
    session: { ...options.session, ...session },
  } as typeof options) as unknown as Auth;
}

let users = 0;
/** Signs a user up through `auth`; the request headers an authenticated browser sends. */
async function signedIn(auth: Auth): Promise<Headers> {
  users += 1;
  const { headers } = await auth.api.signUpEmail({
    body: {
      email: `bench${users}-${Date.now()}@example.test`,
      password: 'correct horse battery',
      name: 'Bench',
    },
    returnHeaders: true,
  });
  const cookies = headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
  return new Headers({ cookie: cookies });
}

async function time(
  name: string,
  lookup: (headers: Headers) => Promise<unknown>,
  headers: Headers,
) {
  for (let i = 0; i < WARMUP; i += 1) {
    if (!(await lookup(headers))) throw new Error(`${name}: no session found`);
  }
  const samples: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const start = performance.now();
    await lookup(headers);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  return {
    variant: name,
    meanMs: Number(mean.toFixed(3)),
    medianMs: Number(median(samples).toFixed(3)),
    p99Ms: Number((samples[Math.floor(samples.length * 0.99)] ?? 0).toFixed(3)),
  };
}

const rows = [];
const custom = createSessionLookup({ auth: deps.auth, db: database.db });
const headers = await signedIn(deps.auth);
rows.push(await time('custom', custom, headers));
rows.push(await time('getSession', (h) => deps.auth.api.getSession({ headers: h }), headers));
if (secondaryStorage) {
  const stored = variantOf({ secondaryStorage }, { storeSessionInDatabase: true });
  const storedHeaders = await signedIn(stored);
  rows.push(
    await time('secondaryStorage', (h) => stored.api.getSession({ headers: h }), storedHeaders),
  );
  const cached = variantOf(
    { secondaryStorage },
    { storeSessionInDatabase: true, cookieCache: { enabled: true, maxAge: 300 } },
  );
  const cachedHeaders = await signedIn(cached);
  rows.push(
    await time(
      'cookieCache (delays revocation)',
      (h) => cached.api.getSession({ headers: h }),
      cachedHeaders,
    ),
  );
}
const base = rows[0]?.meanMs ?? 1;
const withRatio = rows.map((row) => ({ ...row, vsCustom: `${(row.meanMs / base).toFixed(2)}x` }));
process.stdout.write(
  `${table(withRatio)}\n(${iterations} lookups each; database ${database.kind}${redis ? ', Redis' : ', no Redis: secondary storage not measured'})\n`,
);
await saveResults('session-lookup', {
  iterations,
  database: database.kind,
  redis: Boolean(redis),
  rows: withRatio,
});
redis?.disconnect();
await deps.close();

/**
 * Deps for tests: an isolated database and cache per call. With DATABASE_URL set each call
 * gets a fresh PostgreSQL database (dropped on close); otherwise an in-memory PGlite.
 * With REDIS_URL set each call gets Redis under its own key prefix; otherwise an LRU.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppDeps, createDeps } from '../src/deps.ts';
import { type Env, type EnvInput, loadEnv, parseEnv } from '../src/env.ts';
import type { Cache } from '../src/lib/cache/index.ts';
import { createMemoryCache } from '../src/lib/cache/memory.ts';
import { createRedisCache } from '../src/lib/cache/redis.ts';
import { createEmbeddedDatabase } from '../src/lib/db/embedded.ts';
import { createPostgresDatabase, type DatabaseClient } from '../src/lib/db/index.ts';
import { migratePostgres } from '../src/lib/db/migrate.ts';
import type { EmailMessage, EmailSender } from '../src/lib/email/index.ts';
import { createLogger, type Logger } from '../src/lib/logger.ts';
import type { ObjectStorage } from '../src/lib/storage/types.ts';

/** The services this run was given (CI sets DATABASE_URL and REDIS_URL). */
export const services = (() => {
  const env = loadEnv();
  return {
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    // Behind a transaction-mode pooler (scripts/with-pgbouncer.sh) prepared statements are off.
    databasePrepare: env.DATABASE_PREPARE,
    databasePoolMax: Math.min(env.DATABASE_POOL_MAX, 5),
  };
})();

export const uniqueName = (prefix: string) =>
  `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

export interface TestDatabaseOptions {
  /**
   * `true`: a database with pgvector; `false`: one without. The configured PostgreSQL when it
   * fits (`vector` in its `pg_available_extensions` or not), otherwise an embedded PGlite with
   * or without the extension, so tests of either case run whatever CI provides.
   * @default whatever the configured database offers
   */
  vector?: boolean;
}

/** A fresh, migrated database that disappears on close; `url` is set for PostgreSQL. */
export async function createTestDatabase(
  options: TestDatabaseOptions = {},
): Promise<DatabaseClient & { url?: string }> {
  const embedded = () => createEmbeddedDatabase({ dataDir: 'memory://', vector: options.vector });
  if (!services.databaseUrl) return embedded();
  const { default: postgres } = await import('postgres');
  const admin = postgres(services.databaseUrl, { max: 1, onnotice: () => {} });
  if (options.vector !== undefined) {
    const available = await admin`select 1 from pg_available_extensions where name = 'vector'`;
    if (available.length > 0 !== options.vector) {
      await admin.end({ timeout: 5 });
      return embedded();
    }
  }
  const name = uniqueName('test');
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(services.databaseUrl);
  url.pathname = `/${name}`;
  await migratePostgres(url.toString());
  const database = await createPostgresDatabase({
    primary: { url: url.toString() },
    max: services.databasePoolMax,
    prepare: services.databasePrepare,
  });
  return {
    ...database,
    url: url.toString(),
    async close() {
      await database.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

export interface CapturedLogs {
  logger: Logger;
  /** Every line written, parsed. */
  lines: Array<Record<string, unknown>>;
  /** Every line written, as written. */
  raw: string[];
}

/** A logger that keeps what it writes, for tests that read the logs. */
export function captureLogs(level: 'debug' | 'info' = 'debug'): CapturedLogs {
  const raw: string[] = [];
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level,
    write: (line) => {
      raw.push(line);
      lines.push(JSON.parse(line));
    },
  });
  return { logger, lines, raw };
}

export interface TestDepsOptions {
  /** Configuration on top of the test defaults. */
  env?: EnvInput;
  logger?: Logger;
  email?: EmailSender;
  /** A cache of the test's own (shared between two apps, or pointing at a dead server). */
  cache?: Cache;
  /** A database of the test's own (shared between two apps); closing the deps leaves it open. */
  database?: DatabaseClient;
  /** With or without pgvector (see createTestDatabase). */
  vector?: boolean;
  /** The files' storage. @default a local directory of its own under the system's temp dir */
  storage?: ObjectStorage | null;
}

/** An email sender that keeps what it is asked to send. */
export function captureEmails(): EmailSender & { sent: EmailMessage[] } {
  const sent: EmailMessage[] = [];
  return {
    kind: 'log',
    sent,
    async send(message) {
      sent.push(message);
    },
  };
}

/** Redis under a key prefix of its own when REDIS_URL is set; otherwise an in-process LRU. */
export function createTestCache(): Cache {
  return services.redisUrl
    ? createRedisCache({ url: services.redisUrl, prefix: `${uniqueName('test')}:` })
    : createMemoryCache();
}

/**
 * The env of a deployed stage that passes the deployed checks (Secure cookies, HSTS). Its
 * URLs are never connected to: createTestDeps gives the app the test's own database and cache.
 */
export const DEPLOYED_STAGE_ENV = {
  STAGE: 'dev',
  EMAIL_PROVIDER: 'ses',
  DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
  REDIS_URL: 'redis://127.0.0.1:1',
  PUBLIC_URL: 'https://api.example.com',
} as const satisfies EnvInput;

export async function createTestDeps(options: TestDepsOptions = {}): Promise<AppDeps> {
  const env: Env = parseEnv({
    STAGE: 'local',
    LOG_LEVEL: 'silent',
    BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
    // Suites send hundreds of requests from one address; rate-limit tests set their own.
    RATE_LIMIT_DEFAULT: '100000',
    RATE_LIMIT_AUTH: '100000',
    RATE_LIMIT_AI: '100000',
    // The local model streams without pauses; tests that need pace set their own.
    AI_LOCAL_TOKEN_DELAY_MS: '0',
    FILES_LOCAL_DIR: join(tmpdir(), uniqueName('uploads')),
    ...options.env,
  });
  const logger = options.logger ?? createLogger({ level: 'silent' });
  const database = options.database
    ? { ...options.database, close: async () => {} }
    : await createTestDatabase({ vector: options.vector });
  const cache = options.cache ?? createTestCache();
  return createDeps(env, {
    logger,
    database,
    cache,
    email: options.email,
    storage: options.storage,
  });
}

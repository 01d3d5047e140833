/**
 * The database: PostgreSQL through postgres.js when `DATABASE_URL` is set, otherwise an
 * embedded PGlite persisted on disk. Both speak the same Drizzle API.
 */
import * as schema from '@backend/shared/schema';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Env } from '../../env.ts';
import type { Logger } from '../logger.ts';

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseClient {
  readonly kind: 'postgres' | 'pglite';
  /** The primary (read-write) connection. */
  readonly db: Database;
  /** For reads that may lag the primary; the primary itself when no reader is configured. */
  readonly reader: Database;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface PostgresOptions {
  url: string;
  readerUrl?: string;
  /** Connections per pool. */
  max: number;
  /** Prepared statements; off behind RDS Proxy, where they pin connections. */
  prepare: boolean;
  applicationName?: string;
}

/** A postgres.js pool per URL. Nothing connects until the first query. */
export async function createPostgresDatabase(options: PostgresOptions): Promise<DatabaseClient> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const connect = (url: string) =>
    postgres(url, {
      max: options.max,
      prepare: options.prepare,
      idle_timeout: 60,
      connect_timeout: 5,
      max_lifetime: 60 * 30,
      connection: { application_name: options.applicationName ?? 'api' },
      onnotice: () => {},
    });
  const primary = connect(options.url);
  const replica = options.readerUrl ? connect(options.readerUrl) : undefined;
  const db = drizzle(primary, { schema });
  const reader = replica ? drizzle(replica, { schema }) : db;
  return {
    kind: 'postgres',
    db,
    reader,
    async ping() {
      await primary`select 1`;
    },
    async close() {
      await Promise.all([primary.end({ timeout: 5 }), replica?.end({ timeout: 5 })]);
    },
  };
}

export function createDatabase(env: Env, logger: Logger): Promise<DatabaseClient> {
  if (env.DATABASE_URL) {
    return createPostgresDatabase({
      url: env.DATABASE_URL,
      readerUrl: env.DATABASE_READER_URL,
      max: env.DATABASE_POOL_MAX,
      prepare: env.DATABASE_PREPARE,
      applicationName: `api-${env.STAGE}`,
    });
  }
  // Loaded only here, so the Lambda bundle (which leaves PGlite out) never needs it.
  return import('./embedded.ts').then(({ createEmbeddedDatabase }) =>
    createEmbeddedDatabase({
      dataDir: env.PGLITE_DATA_DIR,
      migrationsFolder: env.MIGRATIONS_DIR,
      logger,
    }),
  );
}

/** `select 1` through Drizzle, for callers that hold only a `Database`. */
export async function pingDatabase(db: Database): Promise<void> {
  await db.execute(sql`select 1`);
}

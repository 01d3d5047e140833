/** The database contract: what the PostgreSQL (index.ts) and PGlite (embedded.ts) clients provide. */
import type * as schema from '@backend/shared/tables';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

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

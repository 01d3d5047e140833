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

/** The rows of a raw `db.execute` statement, whichever driver ran it (postgres.js: an array; PGlite: `rows`). */
export const rowsOf = <T>(result: unknown): T[] =>
  Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);

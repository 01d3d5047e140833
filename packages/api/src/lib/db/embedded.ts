/**
 * The embedded database: PGlite (PostgreSQL compiled to WebAssembly), persisted under a
 * data directory, or in memory for `memory://`. Migrations are applied on open.
 */
import { mkdir } from 'node:fs/promises';
import { MIGRATIONS_FOLDER } from '@backend/shared/migrations';
import * as schema from '@backend/shared/tables';
import { sql } from 'drizzle-orm';
import type { Logger } from '../logger.ts';
import type { Database, DatabaseClient } from './types.ts';

export interface EmbeddedDatabaseOptions {
  /** A directory, or `memory://` for a database that lives as long as the process. */
  dataDir: string;
  /** Where the migrations are. @default the committed migrations of packages/shared */
  migrationsFolder?: string;
  logger?: Logger;
  /** Load pgvector, so the chunks get their embedding column. @default true */
  vector?: boolean;
}

export async function createEmbeddedDatabase(
  options: EmbeddedDatabaseOptions,
): Promise<DatabaseClient> {
  // Dynamic imports keep PGlite lazy: the Lambda bundle marks these modules external.
  const [{ PGlite }, { vector }, { drizzle }, { migrate }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-pgvector'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  const inMemory = options.dataDir.startsWith('memory://');
  if (!inMemory) await mkdir(options.dataDir, { recursive: true });
  // pgvector ships with PGlite; the migrations create the extension and the chunk vectors.
  const client = await PGlite.create(inMemory ? undefined : options.dataDir, {
    extensions: options.vector === false ? {} : { vector },
  });
  const db = drizzle(client, { schema }) as unknown as Database;
  const started = performance.now();
  await migrate(drizzle(client, { schema }), {
    migrationsFolder: options.migrationsFolder ?? MIGRATIONS_FOLDER,
  });
  options.logger?.debug('embedded database ready', {
    dataDir: options.dataDir,
    migrateMs: Math.round(performance.now() - started),
  });
  return {
    kind: 'pglite',
    db,
    reader: db,
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

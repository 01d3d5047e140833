/** Every row of every table, to prove that a request changed nothing. */
import { sql } from 'drizzle-orm';
import type { Database } from '../../src/lib/db/index.ts';

export type Snapshot = Record<string, string[]>;

const rowsOf = (result: unknown): Array<Record<string, unknown>> =>
  Array.isArray(result)
    ? result
    : ((result as { rows?: Array<Record<string, unknown>> }).rows ?? []);

/**
 * Columns that record that credentials were used (an API key's last use), not what a
 * handler did: authenticating a caller writes them before any guard decides.
 */
export const AUTHENTICATION_BOOKKEEPING: Record<string, string[]> = {
  apikey: ['last_request', 'updated_at', 'request_count', 'remaining'],
};

/** Each table of the public schema, its rows serialised and sorted (bookkeeping left out). */
export async function snapshotDatabase(
  db: Database,
  ignore: Record<string, string[]> = AUTHENTICATION_BOOKKEEPING,
): Promise<Snapshot> {
  const tables = rowsOf(
    await db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    ),
  ).map((row) => String(row.table_name));
  const snapshot: Snapshot = {};
  for (const table of tables) {
    const rows = rowsOf(await db.execute(sql.raw(`select * from "${table}"`)));
    const skipped = new Set(ignore[table] ?? []);
    snapshot[table] = rows
      .map((row) => JSON.stringify(Object.entries(row).filter(([column]) => !skipped.has(column))))
      .sort();
  }
  return snapshot;
}

/** What differs between two snapshots, table by table (empty when nothing changed). */
export function diffSnapshots(
  before: Snapshot,
  after: Snapshot,
): Record<string, { added: string[]; removed: string[] }> {
  const diff: Record<string, { added: string[]; removed: string[] }> = {};
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = new Set(before[table] ?? []);
    const now = new Set(after[table] ?? []);
    const added = [...now].filter((row) => !was.has(row));
    const removed = [...was].filter((row) => !now.has(row));
    if (added.length || removed.length) diff[table] = { added, removed };
  }
  return diff;
}

/**
 * Whether this database can store and search embeddings. The files migration adds the
 * chunks' `embedding` column only where pgvector could be created (Aurora and the embedded
 * database; a bare PostgreSQL may lack it), so the column's presence is the answer. A
 * database without it still serves everything else; vector routes answer a clear 503.
 */
import { sql } from 'drizzle-orm';
import { type Database, rowsOf } from './types.ts';

const known = new WeakMap<Database, Promise<boolean>>();

/** Asked once per database; a failed question is asked again next time. */
export function hasVectorSupport(db: Database): Promise<boolean> {
  let answer = known.get(db);
  if (!answer) {
    answer = db
      .execute(
        sql`select 1 from information_schema.columns
            where table_schema = current_schema() and table_name = 'file_chunks'
              and column_name = 'embedding'`,
      )
      .then((result) => rowCount(result) > 0);
    answer.catch(() => known.delete(db));
    known.set(db, answer);
  }
  return answer;
}

const rowCount = (result: unknown): number => rowsOf(result).length;

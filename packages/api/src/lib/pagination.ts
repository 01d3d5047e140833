/**
 * Keyset pagination with opaque cursors: a cursor encodes the (createdAt, id) of the last
 * row of a page. A cursor that does not decode is a 422 on the `cursor` query field.
 */

import { z } from '@hono/zod-openapi';
import { type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { withOpenApi } from './zod-openapi.ts';

withOpenApi(); // before any `.openapi()` below: see lib/zod-openapi.ts

export interface CursorKey {
  createdAt: Date;
  id: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.createdAt.toISOString(), key.id])).toString('base64url');
}

export function decodeCursor(
  cursor: string,
  idSchema: z.ZodType<string> = z.uuid(),
): CursorKey | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [createdAt, id] = value;
    if (typeof createdAt !== 'string' || typeof id !== 'string') return null;
    const date = new Date(createdAt);
    // Only what encodeCursor writes: a four-digit-year ISO timestamp. JavaScript dates reach
    // years PostgreSQL cannot compare against (±275760), which would fail the query.
    if (Number.isNaN(date.getTime()) || date.toISOString() !== createdAt) return null;
    if (date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999) return null;
    if (!idSchema.safeParse(id).success) return null;
    return { createdAt: date, id };
  } catch {
    return null;
  }
}

/** Query of a paged list; `idSchema` is what a row id looks like (UUIDs by default). */
export const pageQuery = (idSchema: z.ZodType<string> = z.uuid()) =>
  z.object({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(20)
      .openapi({ description: 'Items per page, 1–100.', example: 20 }),
    cursor: z
      .string()
      .max(200)
      .optional()
      .transform((value, ctx) => {
        if (value === undefined) return undefined;
        const key = decodeCursor(value, idSchema);
        if (!key) {
          ctx.addIssue({ code: 'custom', message: 'Not a cursor this API issued' });
          return z.NEVER;
        }
        return key;
      })
      .openapi({ type: 'string', description: 'The `nextCursor` of the previous page.' }),
  });

export const pageQuerySchema = pageQuery();

export const pageSchema = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .openapi({ description: 'Pass as `cursor` for the next page; null on the last.' }),
    })
    .openapi(name);

/** The page of `rows` (fetched with limit + 1) and the cursor after it. */
export function toPage<R extends { createdAt: Date; id: string }, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(map),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}

/**
 * The keyset condition for rows after `cursor` in (createdAt, id) order, or undefined for the
 * first page. The timestamp travels as ISO text cast to timestamptz: Drizzle's postgres.js
 * driver passes raw Date parameters through unserialized.
 */
export function afterCursor(
  columns: { createdAt: PgColumn; id: PgColumn },
  cursor: CursorKey | undefined,
  order: 'newest-first' | 'oldest-first',
): SQL | undefined {
  if (!cursor) return undefined;
  const key = sql`(${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id})`;
  const row = sql`(${columns.createdAt}, ${columns.id})`;
  return order === 'newest-first' ? sql`${row} < ${key}` : sql`${row} > ${key}`;
}

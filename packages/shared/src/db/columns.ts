import { timestamp, uuid } from 'drizzle-orm/pg-core';
import { v7 as uuidv7 } from 'uuid';

/**
 * Timestamps are stored with millisecond precision: a JavaScript `Date` holds no more,
 * so a value read back, sent to a client and used as a cursor compares equal to the row.
 */
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const createdAt = () => timestamptz('created_at').defaultNow().notNull();

export const updatedAt = () =>
  timestamptz('updated_at')
    .defaultNow()
    .notNull()
    .$onUpdate(() => new Date());

/** A UUIDv7 primary key: time-ordered, so new rows land at the end of the primary-key index. */
export const uuidV7PrimaryKey = () =>
  uuid('id')
    .primaryKey()
    .$defaultFn(() => uuidv7());

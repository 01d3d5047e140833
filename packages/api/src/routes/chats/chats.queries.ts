/** Chat queries shared by the handlers and the cache-warming script. */
import { chats, messages } from '@backend/shared/schema';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { AppCache } from '../../lib/cache/app-cache.ts';
import type { Database } from '../../lib/db/index.ts';
import { afterCursor, type CursorKey, toPage } from '../../lib/pagination.ts';

export type ChatRow = typeof chats.$inferSelect;

export const toChat = (chat: ChatRow) => ({
  id: chat.id,
  title: chat.title,
  createdAt: chat.createdAt.toISOString(),
  updatedAt: chat.updatedAt.toISOString(),
});

/** A page of `userId`'s chats, newest first. */
export async function listChatsPage(
  db: Database,
  userId: string,
  limit: number,
  cursor?: CursorKey,
) {
  const rows = await db
    .select()
    .from(chats)
    .where(and(eq(chats.userId, userId), afterCursor(chats, cursor, 'newest-first')))
    .orderBy(desc(chats.createdAt), desc(chats.id))
    .limit(limit + 1);
  return toPage(rows, limit, toChat);
}

/**
 * Moves the chat's updatedAt to its newest message's time, inside the transaction that wrote
 * the message. Read from the messages, not passed in: a transaction that waited for the
 * chat's lock may have a message older than one committed meanwhile, and updatedAt must
 * never name a message that is not stored.
 */
export async function touchChat(tx: Pick<Database, 'update'>, chatId: string) {
  await tx
    .update(chats)
    .set({
      updatedAt: sql`(select max(${messages.createdAt}) from ${messages} where ${messages.chatId} = ${chatId})`,
    })
    .where(eq(chats.id, chatId));
}

/** Where a user's chat list pages live in the application cache. */
export const chatListScope = (userId: string) => ({ namespace: 'chats', scope: userId });

/** The cached page (cache-aside); every write to the user's chats invalidates them all. */
export function cachedChatsPage(
  appCache: AppCache,
  db: Database,
  ttlSeconds: number,
  userId: string,
  limit: number,
  cursor?: CursorKey,
) {
  const key = `${limit}:${cursor ? `${cursor.createdAt.toISOString()}:${cursor.id}` : 'first'}`;
  return appCache.getOrLoad({ ...chatListScope(userId), key }, ttlSeconds, () =>
    listChatsPage(db, userId, limit, cursor),
  );
}

/** Chat queries shared by the handlers and the cache-warming script. */
import { chats } from '@backend/shared/schema';
import { and, desc, eq } from 'drizzle-orm';
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

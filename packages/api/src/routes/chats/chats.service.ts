/**
 * The chats feature's service: every read and write of a user's chats and their messages,
 * used by the chats handlers, the AI chat and the cache-warming script. Ownership is checked
 * in one place (`ownChat`): another user's chat is an expected miss like a missing one, and
 * the service answers it with `null` (or `false`); the handlers answer the 404.
 */
import { chats, type Message, type MessageStatus, messages } from '@backend/shared/schema';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
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

export const toMessage = (message: Message) => ({
  id: message.id,
  chatId: message.chatId,
  role: message.role,
  content: message.content,
  status: message.status,
  model: message.model,
  createdAt: message.createdAt.toISOString(),
});

/** The one ownership check: the chat `chatId`, if it is `userId`'s. */
const ownChat = (chatId: string, userId: string) =>
  and(eq(chats.id, chatId), eq(chats.userId, userId));

/** Where a user's chat list pages live in the application cache. */
export const chatListScope = (userId: string) => ({ namespace: 'chats', scope: userId });

/** A message to append to a chat; the user is the chat's owner. */
export interface NewMessage {
  role: 'user' | 'assistant';
  content: string;
  status?: MessageStatus;
  model?: string | null;
}

export interface ChatsServiceOptions {
  db: Database;
  appCache: AppCache;
  /** How long a cached chat list page lives (APP_CACHE_TTL_SECONDS). */
  listTtlSeconds: number;
}

/** A page of `userId`'s chats, newest first. */
async function listChatsPage(db: Database, userId: string, limit: number, cursor?: CursorKey) {
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
async function touchChat(tx: Pick<Database, 'update'>, chatId: string) {
  await tx
    .update(chats)
    .set({
      updatedAt: sql`(select max(${messages.createdAt}) from ${messages} where ${messages.chatId} = ${chatId})`,
    })
    .where(eq(chats.id, chatId));
}

export function createChatsService({ db, appCache, listTtlSeconds }: ChatsServiceOptions) {
  /** Every write to a user's chats drops their cached chat list pages. */
  const invalidateList = (userId: string) => appCache.invalidate(chatListScope(userId));

  async function find(userId: string, chatId: string): Promise<ChatRow | null> {
    const [chat] = await db.select().from(chats).where(ownChat(chatId, userId));
    return chat ?? null;
  }

  return {
    /** The cached page (cache-aside); every write to the user's chats invalidates them all. */
    listPage(userId: string, limit: number, cursor?: CursorKey) {
      const key = `${limit}:${cursor ? `${cursor.createdAt.toISOString()}:${cursor.id}` : 'first'}`;
      return appCache.getOrLoad({ ...chatListScope(userId), key }, listTtlSeconds, () =>
        listChatsPage(db, userId, limit, cursor),
      );
    },

    find,

    async create(userId: string, title: string): Promise<ChatRow> {
      const [chat] = await db.insert(chats).values({ userId, title }).returning();
      if (!chat) throw new Error('insert returned no row');
      await invalidateList(userId);
      return chat;
    },

    async rename(userId: string, chatId: string, title: string): Promise<ChatRow | null> {
      const [chat] = await db
        .update(chats)
        .set({ title })
        .where(ownChat(chatId, userId))
        .returning();
      if (!chat) return null;
      await invalidateList(userId);
      return chat;
    },

    /** Deletes the chat and its messages together; false when it is not the caller's. */
    async remove(userId: string, chatId: string): Promise<boolean> {
      const deleted = await db.transaction(async (tx) => {
        const [chat] = await tx
          .select({ id: chats.id })
          .from(chats)
          .where(ownChat(chatId, userId))
          .for('update');
        if (!chat) return false;
        await tx.delete(messages).where(eq(messages.chatId, chat.id));
        await tx.delete(chats).where(eq(chats.id, chat.id));
        return true;
      });
      if (deleted) await invalidateList(userId);
      return deleted;
    },

    /** A page of the chat's messages, oldest first; null when it is not the caller's. */
    async messagesPage(userId: string, chatId: string, limit: number, cursor?: CursorKey) {
      const chat = await find(userId, chatId);
      if (!chat) return null;
      const rows = await db
        .select()
        .from(messages)
        .where(
          and(
            eq(messages.chatId, chat.id),
            eq(messages.userId, userId),
            afterCursor(messages, cursor, 'oldest-first'),
          ),
        )
        .orderBy(asc(messages.createdAt), asc(messages.id))
        .limit(limit + 1);
      return toPage(rows, limit, toMessage);
    },

    /** The chat's newest `limit` messages, oldest first; null when it is not the caller's. */
    async recentMessages(userId: string, chatId: string, limit: number): Promise<Message[] | null> {
      const chat = await find(userId, chatId);
      if (!chat) return null;
      const rows = await db
        .select()
        .from(messages)
        .where(and(eq(messages.chatId, chat.id), eq(messages.userId, userId)))
        .orderBy(desc(messages.createdAt), desc(messages.id))
        .limit(limit);
      return rows.reverse();
    },

    /**
     * Appends `turn` to the chat in one transaction, in order (each a millisecond after the
     * one before, on the database's clock), and moves the chat's updatedAt. With `newTitle`
     * the chat `chatId` is created first; otherwise it is locked, which checks ownership and
     * keeps a concurrent delete out until commit. Null when it is not the caller's.
     */
    async appendTurn(
      userId: string,
      chatId: string,
      turn: readonly NewMessage[],
      options: { newTitle?: string } = {},
    ): Promise<Message[] | null> {
      const stored = await db.transaction(async (tx) => {
        if (options.newTitle !== undefined) {
          await tx.insert(chats).values({ id: chatId, userId, title: options.newTitle });
        } else {
          const [chat] = await tx
            .select({ id: chats.id })
            .from(chats)
            .where(ownChat(chatId, userId))
            .for('update');
          if (!chat) return null;
        }
        const rows: Message[] = [];
        for (const [index, message] of turn.entries()) {
          const [row] = await tx
            .insert(messages)
            .values({
              chatId,
              userId,
              ...message,
              ...(index > 0 ? { createdAt: sql`now() + ${index} * interval '1 millisecond'` } : {}),
            })
            .returning();
          if (!row) throw new Error('insert returned no row');
          rows.push(row);
        }
        await touchChat(tx, chatId);
        return rows;
      });
      // The chat's updatedAt moved (or it is new), and lists show it.
      if (stored) await invalidateList(userId);
      return stored;
    },
  };
}

export type ChatsService = ReturnType<typeof createChatsService>;

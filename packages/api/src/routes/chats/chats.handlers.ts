import { chats, type Message, messages } from '@backend/shared/schema';
import { and, asc, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { ERROR_CODES, errorResponse } from '../../lib/errors.ts';
import { afterCursor, toPage } from '../../lib/pagination.ts';
import type { AppBindings, AppRouteHandler } from '../../lib/types.ts';
import { callerOf } from '../../middleware/auth.ts';
import { cachedChatsPage, chatListScope, toChat, touchChat } from './chats.queries.ts';
import type {
  CreateMessageRoute,
  CreateRoute,
  GetRoute,
  ListMessagesRoute,
  ListRoute,
  PatchRoute,
  RemoveRoute,
} from './chats.routes.ts';

const toMessage = (message: Message) => ({
  id: message.id,
  chatId: message.chatId,
  role: message.role,
  content: message.content,
  status: message.status,
  model: message.model,
  createdAt: message.createdAt.toISOString(),
});

// Another user's chat answers exactly like a missing one.
const NOT_FOUND = 'Chat not found';
const ownChat = (chatId: string, userId: string) =>
  and(eq(chats.id, chatId), eq(chats.userId, userId));

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const { limit, cursor } = c.req.valid('query');
  const { user } = callerOf(c);
  const { appCache, database, env } = c.var.deps;
  const page = await cachedChatsPage(
    appCache,
    database.db,
    env.APP_CACHE_TTL_SECONDS,
    user.id,
    limit,
    cursor,
  );
  return c.json(page, 200);
};

/** Every write to a user's chats drops their cached chat list pages. */
const invalidateChatList = (c: Context<AppBindings>, userId: string) =>
  c.var.deps.appCache.invalidate(chatListScope(userId));

export const create: AppRouteHandler<CreateRoute> = async (c) => {
  const { title } = c.req.valid('json');
  const { user } = callerOf(c);
  const [chat] = await c.var.deps.database.db
    .insert(chats)
    .values({ userId: user.id, title })
    .returning();
  if (!chat) throw new Error('insert returned no row');
  await invalidateChatList(c, user.id);
  return c.json(toChat(chat), 201);
};

export const get: AppRouteHandler<GetRoute> = async (c) => {
  const { chatId } = c.req.valid('param');
  const { user } = callerOf(c);
  const [chat] = await c.var.deps.database.db.select().from(chats).where(ownChat(chatId, user.id));
  if (!chat) return errorResponse(c, 404, ERROR_CODES.NOT_FOUND, NOT_FOUND);
  return c.json(toChat(chat), 200);
};

export const patch: AppRouteHandler<PatchRoute> = async (c) => {
  const { chatId } = c.req.valid('param');
  const { title } = c.req.valid('json');
  const { user } = callerOf(c);
  const [chat] = await c.var.deps.database.db
    .update(chats)
    .set({ title })
    .where(ownChat(chatId, user.id))
    .returning();
  if (!chat) return errorResponse(c, 404, ERROR_CODES.NOT_FOUND, NOT_FOUND);
  await invalidateChatList(c, user.id);
  return c.json(toChat(chat), 200);
};

export const remove: AppRouteHandler<RemoveRoute> = async (c) => {
  const { chatId } = c.req.valid('param');
  const { user } = callerOf(c);
  // The chat and its messages go together or not at all.
  const deleted = await c.var.deps.database.db.transaction(async (tx) => {
    const [chat] = await tx
      .select({ id: chats.id })
      .from(chats)
      .where(ownChat(chatId, user.id))
      .for('update');
    if (!chat) return false;
    await tx.delete(messages).where(eq(messages.chatId, chat.id));
    await tx.delete(chats).where(eq(chats.id, chat.id));
    return true;
  });
  if (!deleted) return errorResponse(c, 404, ERROR_CODES.NOT_FOUND, NOT_FOUND);
  await invalidateChatList(c, user.id);
  return c.body(null, 204);
};

export const listMessages: AppRouteHandler<ListMessagesRoute> = async (c) => {
  const { chatId } = c.req.valid('param');
  const { limit, cursor } = c.req.valid('query');
  const { user } = callerOf(c);
  const { db } = c.var.deps.database;
  const [chat] = await db.select({ id: chats.id }).from(chats).where(ownChat(chatId, user.id));
  if (!chat) return errorResponse(c, 404, ERROR_CODES.NOT_FOUND, NOT_FOUND);
  const rows = await db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.chatId, chat.id),
        eq(messages.userId, user.id),
        afterCursor(messages, cursor, 'oldest-first'),
      ),
    )
    .orderBy(asc(messages.createdAt), asc(messages.id))
    .limit(limit + 1);
  return c.json(toPage(rows, limit, toMessage), 200);
};

export const createMessage: AppRouteHandler<CreateMessageRoute> = async (c) => {
  const { chatId } = c.req.valid('param');
  const { content } = c.req.valid('json');
  const { user } = callerOf(c);
  const message = await c.var.deps.database.db.transaction(async (tx) => {
    // Locking the chat checks ownership and keeps a concurrent delete out until commit.
    const [chat] = await tx
      .select({ id: chats.id })
      .from(chats)
      .where(ownChat(chatId, user.id))
      .for('update');
    if (!chat) return null;
    const [row] = await tx
      .insert(messages)
      .values({ chatId: chat.id, userId: user.id, role: 'user', content })
      .returning();
    if (!row) throw new Error('insert returned no row');
    // The chat's last activity is its newest message, on the database's clock.
    await touchChat(tx, chat.id);
    return row;
  });
  if (!message) return errorResponse(c, 404, ERROR_CODES.NOT_FOUND, NOT_FOUND);
  // The chat's updatedAt moved, and lists show it.
  await invalidateChatList(c, user.id);
  return c.json(toMessage(message), 201);
};

import type { Context } from 'hono';
import { ERROR_CODES, errorResponse } from '../../lib/errors.ts';
import type { AppBindings, AppRouteHandler } from '../../lib/types.ts';
import { callerOf } from '../../middleware/auth.ts';
import type {
  CreateMessageRoute,
  CreateRoute,
  GetRoute,
  ListMessagesRoute,
  ListRoute,
  PatchRoute,
  RemoveRoute,
} from './chats.routes.ts';
import { createChatsService, toChat, toMessage } from './chats.service.ts';

/** The chats service on the request's database and application cache. */
const chatsOf = (c: Context<AppBindings>) => {
  // `c.get`, not `c.var`: Hono builds a new object of every variable for each `c.var` read.
  const deps = c.get('deps');
  return createChatsService({
    db: deps.database.db,
    appCache: deps.appCache,
    listTtlSeconds: deps.env.APP_CACHE_TTL_SECONDS,
  });
};

// Another user's chat answers exactly like a missing one.
const notFound = (c: Context<AppBindings>) =>
  errorResponse(c, 404, ERROR_CODES.NOT_FOUND, 'Chat not found');

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const { limit, cursor } = c.req.valid('query');
  const { user } = callerOf(c);
  return c.json(await chatsOf(c).listPage(user.id, limit, cursor), 200);
};

export const create: AppRouteHandler<CreateRoute> = async (c) => {
  const { title } = c.req.valid('json');
  const { user } = callerOf(c);
  return c.json(toChat(await chatsOf(c).create(user.id, title)), 201);
};

export const get: AppRouteHandler<GetRoute> = async (c) => {
  const { chatId } = c.req.valid('param');
  const { user } = callerOf(c);
  const chat = await chatsOf(c).find(user.id, chatId);
  if (!chat) return notFound(c);
  return c.json(toChat(chat), 200);
};

export const patch: AppRouteHandler<PatchRoute> = async (c) => {
  const { chatId } = c.req.valid('param');
  const { title } = c.req.valid('json');
  const { user } = callerOf(c);
  const chat = await chatsOf(c).rename(user.id, chatId, title);
  if (!chat) return notFound(c);
  return c.json(toChat(chat), 200);
};

export const remove: AppRouteHandler<RemoveRoute> = async (c) => {
  const { chatId } = c.req.valid('param');
  const { user } = callerOf(c);
  if (!(await chatsOf(c).remove(user.id, chatId))) return notFound(c);
  return c.body(null, 204);
};

export const listMessages: AppRouteHandler<ListMessagesRoute> = async (c) => {
  const { chatId } = c.req.valid('param');
  const { limit, cursor } = c.req.valid('query');
  const { user } = callerOf(c);
  const page = await chatsOf(c).messagesPage(user.id, chatId, limit, cursor);
  if (!page) return notFound(c);
  return c.json(page, 200);
};

export const createMessage: AppRouteHandler<CreateMessageRoute> = async (c) => {
  const { chatId } = c.req.valid('param');
  const { content } = c.req.valid('json');
  const { user } = callerOf(c);
  const stored = await chatsOf(c).appendTurn(user.id, chatId, [{ role: 'user', content }]);
  const [message] = stored ?? [];
  if (!message) return notFound(c);
  return c.json(toMessage(message), 201);
};

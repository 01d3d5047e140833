import { createRouter } from '../../lib/create-router.ts';
import * as handlers from './chats.handlers.ts';
import * as routes from './chats.routes.ts';

export const chatsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.patch, handlers.patch)
  .openapi(routes.remove, handlers.remove)
  .openapi(routes.listMessages, handlers.listMessages)
  .openapi(routes.createMessage, handlers.createMessage);

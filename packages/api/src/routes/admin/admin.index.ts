import { createRouter } from '../../lib/create-router.ts';
import * as handlers from './admin.handlers.ts';
import * as routes from './admin.routes.ts';

export const adminRouter = createRouter()
  .openapi(routes.listUsers, handlers.listUsers)
  .openapi(routes.setRole, handlers.setRole)
  .openapi(routes.ban, handlers.ban)
  .openapi(routes.unban, handlers.unban);

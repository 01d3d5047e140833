import { createRouter } from '../../lib/create-router.ts';
import * as handlers from './me.handlers.ts';
import * as routes from './me.routes.ts';

export const meRouter = createRouter().openapi(routes.me, handlers.me);

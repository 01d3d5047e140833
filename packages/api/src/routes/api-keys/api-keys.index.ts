import { createRouter } from '../../lib/create-router.ts';
import * as handlers from './api-keys.handlers.ts';
import * as routes from './api-keys.routes.ts';

export const apiKeysRouter = createRouter().openapi(routes.create, handlers.create);

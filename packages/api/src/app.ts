/**
 * The composition root: the whole Hono app, built from its dependencies.
 *
 * Middleware order (outermost first): request id → request logger → deps.
 */
import { requestId } from 'hono/request-id';
import type { AppDeps } from './deps.ts';
import { createRouter } from './lib/create-router.ts';
import { notFound, onError } from './lib/errors.ts';
import { configureOpenApi } from './lib/openapi.ts';
import { requestLogger } from './middleware/request-logger.ts';
import { healthRouter } from './routes/health/health.index.ts';

export type { AppDeps } from './deps.ts';

export function createApp(deps: AppDeps) {
  const app = createRouter();

  app.use(requestId());
  app.use(requestLogger({ logger: deps.logger }));
  app.use(async function injectDeps(c, next) {
    c.set('deps', deps);
    await next();
  });

  app.notFound(notFound);
  app.onError(onError);

  configureOpenApi(app, { serverUrl: deps.env.PUBLIC_URL });
  app.route('/', healthRouter);

  return app;
}

export type App = ReturnType<typeof createApp>;

/**
 * The composition root: the whole Hono app, built from its dependencies.
 *
 * Middleware order (outermost first):
 *   request id → client IP → request logger → deps →
 *   /api/auth/* (Better Auth) | /api/* caller resolution → route guards → handlers
 */
import { requestId } from 'hono/request-id';
import type { AppDeps } from './deps.ts';
import { AUTH_BASE_PATH } from './lib/auth/auth.ts';
import { createRouter } from './lib/create-router.ts';
import { notFound, onError } from './lib/errors.ts';
import { configureOpenApi } from './lib/openapi.ts';
import { resolveCaller } from './middleware/auth.ts';
import { clientIp } from './middleware/client-ip.ts';
import { requestLogger } from './middleware/request-logger.ts';
import { adminRouter } from './routes/admin/admin.index.ts';
import { apiKeysRouter } from './routes/api-keys/api-keys.index.ts';
import { createAuthRouter } from './routes/auth/auth.index.ts';
import { chatsRouter } from './routes/chats/chats.index.ts';
import { healthRouter } from './routes/health/health.index.ts';
import { meRouter } from './routes/me/me.index.ts';

export type { AppDeps } from './deps.ts';

export function createApp(deps: AppDeps) {
  const app = createRouter();

  app.use(requestId());
  app.use(clientIp({ trustedHeader: deps.env.TRUSTED_IP_HEADER }));
  app.use(requestLogger({ logger: deps.logger }));
  app.use(async function injectDeps(c, next) {
    c.set('deps', deps);
    c.set('caller', null);
    await next();
  });

  app.notFound(notFound);
  app.onError(onError);

  const callerResolution = resolveCaller({ auth: deps.auth });
  app.use('/api/*', async (c, next) =>
    c.req.path.startsWith(`${AUTH_BASE_PATH}/`) ? next() : callerResolution(c, next),
  );

  configureOpenApi(app, { serverUrl: deps.env.PUBLIC_URL, auth: deps.auth });
  app.route('/', healthRouter);
  app.route('/', createAuthRouter({ auth: deps.auth, lockout: deps.lockout }));
  app.route('/', meRouter);
  app.route('/', apiKeysRouter);
  app.route('/', chatsRouter);
  app.route('/', adminRouter);

  return app;
}

export type App = ReturnType<typeof createApp>;

/**
 * The composition root: the whole Hono app, built from its dependencies.
 *
 * Middleware, outermost first (each in src/middleware/, with its test beside it):
 *  1. request id        accept a well-formed X-Request-Id or make one; echoed on every response
 *  2. client IP         from the trusted proxy header only, never X-Forwarded-For
 *  3. request logger    one JSON line per request, bound to the request id
 *  4. deps              the app's dependencies on the context
 *  5. secure headers    CSP (API and docs policies), HSTS, framing, sniffing, COOP/COEP/CORP
 *     origin verify     behind CloudFront only: the secret x-origin-verify header, else 403
 *  6. CORS              allowlist; preflights answered here
 *  7. compression       brotli/gzip by Accept-Encoding; never SSE, never under 1 KiB
 *  8. HTTP cache        Cache-Control by route; weak ETags and 304 on GET
 *  9. timeout           per route class (AI routes longer); 504
 * 10. body limit        per route (default 1 MiB); 413
 *     JSON depth        every JSON body (Better Auth's too) nested at most MAX_JSON_DEPTH levels; 400
 * 11. caller            session, bearer token or API key, and which one authenticated
 *                       (on /api/auth/* only when CSRF needs to know)
 * 12. CSRF              cookie-authenticated state changes need an allowed Origin; 403
 * 13. rate limit        per user or IP, per endpoint class; 429
 * then the routes, whose guards (requireAuth / requireRole / requirePermission) run first.
 *
 * The feature routers (everything but health, Better Auth and the documents) are built when a
 * request first reaches their paths (lib/lazy-routers.ts): a cold start evaluates no route
 * definition or schema it does not serve. The OpenAPI document loads them all.
 */
import { requestId } from 'hono/request-id';
import type { AppDeps } from './deps.ts';
import { API_KEY_HEADER, AUTH_BASE_PATH } from './lib/auth/paths.ts';
import { createSessionLookup } from './lib/auth/session-lookup.ts';
import { createRouter } from './lib/create-router.ts';
import { notFound, onError } from './lib/errors.ts';
import { isUnder, type LazyRouter, lazyRoutedFetch } from './lib/lazy-routers.ts';
import { configureOpenApi, DOCS_PATH, OPENAPI_PATH } from './lib/openapi.ts';
import { rateLimitClassOf, routeClassRules, routeClassSettings } from './lib/route-classes.ts';
import { LOCAL_UPLOAD_PATH } from './lib/storage/paths.ts';
import type { AppOpenAPI } from './lib/types.ts';
import { resolveCaller } from './middleware/auth.ts';
import { clientIp } from './middleware/client-ip.ts';
import { compression } from './middleware/compression.ts';
import { cors } from './middleware/cors.ts';
import { csrf, isStateChanging } from './middleware/csrf.ts';
import { CACHE_POLICIES, httpCache } from './middleware/http-cache.ts';
import { jsonDepthLimit } from './middleware/json-depth.ts';
import { bodyLimit, requestTimeout } from './middleware/limits.ts';
import { originVerify } from './middleware/origin-verify.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { requestLogger } from './middleware/request-logger.ts';
import { secureHeaders } from './middleware/secure-headers.ts';
import { createAuthRouter } from './routes/auth/auth.index.ts';
import { healthRouter } from './routes/health/health.index.ts';

export type { AppDeps } from './deps.ts';

/** Path prefix of the AI routes (their own route class: rate limit and a longer timeout). */
export { AI_PATH } from './lib/route-classes.ts';

/**
 * The feature routers, in the order they are mounted, each with the path prefixes its routes
 * lie under (`app.test.ts` checks every route against them).
 */
export const FEATURE_ROUTERS: readonly LazyRouter<AppOpenAPI>[] = [
  { prefixes: ['/api/me'], load: async () => (await import('./routes/me/me.index.ts')).meRouter },
  {
    prefixes: ['/api/api-keys'],
    load: async () => (await import('./routes/api-keys/api-keys.index.ts')).apiKeysRouter,
  },
  {
    prefixes: ['/api/chats'],
    load: async () => (await import('./routes/chats/chats.index.ts')).chatsRouter,
  },
  {
    prefixes: ['/api/files'],
    load: async () => (await import('./files/files.index.ts')).filesRouter,
  },
  {
    prefixes: ['/api/admin'],
    load: async () => (await import('./routes/admin/admin.index.ts')).adminRouter,
  },
  {
    prefixes: ['/api/ai', '/api/langgraph'],
    load: async () => (await import('./ai/ai.index.ts')).aiRouter,
  },
];

export function createApp(deps: AppDeps) {
  const { env } = deps;
  const routeClasses = routeClassSettings(env);
  // What every build of the app holds first, and where routes added after `createApp` land.
  // It has no error handlers of its own: `route()` would wrap each handler to call them.
  const app = createRouter();

  app.use(requestId());
  app.use(clientIp({ trustedHeader: env.TRUSTED_IP_HEADER }));
  app.use(requestLogger({ logger: deps.logger, metrics: deps.metrics, tracing: deps.tracing }));
  app.use(async function injectDeps(c, next) {
    c.set('deps', deps);
    c.set('caller', null);
    c.set('authError', null);
    await next();
  });
  app.use(secureHeaders({ hsts: env.STAGE !== 'local', docsPath: DOCS_PATH }));
  if (deps.originVerify) app.use(originVerify({ values: deps.originVerify }));
  app.use(cors({ allowedOrigins: env.ALLOWED_ORIGINS }));
  app.use(compression());
  app.use(
    httpCache({
      rules: [
        { prefix: `${AUTH_BASE_PATH}/`, policy: CACHE_POLICIES.noStore },
        { prefix: '/api/', policy: CACHE_POLICIES.private },
        { prefix: OPENAPI_PATH, policy: CACHE_POLICIES.publicDocs },
        { prefix: DOCS_PATH, policy: CACHE_POLICIES.publicDocs },
      ],
    }),
  );
  app.use(
    requestTimeout({
      defaultMs: routeClasses.default.timeoutMs,
      rules: routeClassRules(routeClasses, 'timeoutMs'),
    }),
  );
  app.use(
    bodyLimit({
      defaultBytes: routeClasses.default.bodyLimitBytes,
      rules: routeClassRules(routeClasses, 'bodyLimitBytes'),
    }),
  );
  app.use(jsonDepthLimit({ exceptPrefixes: [LOCAL_UPLOAD_PATH] }));

  const callerResolution = resolveCaller({
    auth: deps.auth,
    lookupSession: createSessionLookup({ auth: deps.auth, db: deps.database.db }),
  });
  // Better Auth resolves its own callers; on its routes the caller is resolved only when CSRF
  // must know whether a bearer token or API key sent beside a cookie authenticates.
  app.use('/api/*', async (c, next) =>
    !c.req.path.startsWith(`${AUTH_BASE_PATH}/`) ||
    (isStateChanging(c.req.method) &&
      c.req.header('cookie') !== undefined &&
      (c.req.header('authorization') !== undefined || c.req.header(API_KEY_HEADER) !== undefined))
      ? callerResolution(c, next)
      : next(),
  );
  app.use('/api/*', csrf({ allowedOrigins: env.ALLOWED_ORIGINS }));
  app.use('/api/*', rateLimit({ limiter: deps.rateLimiter, classify: rateLimitClassOf }));

  app.route('/', healthRouter);
  app.route('/', createAuthRouter({ auth: deps.auth }));

  // Requests are answered by the latest build, never by `app` itself (`request()` calls `fetch`).
  app.fetch = lazyRoutedFetch({
    routers: FEATURE_ROUTERS,
    needsAll: (path) => isUnder(path, OPENAPI_PATH),
    revision: () => app.routes.length,
    build(features) {
      const built = createRouter();
      built.notFound(notFound);
      built.onError(onError);
      built.route('/', app);
      configureOpenApi(built, { serverUrl: env.PUBLIC_URL, auth: deps.auth });
      for (const router of features) built.route('/', router);
      return built;
    },
    failed(prefixes, error) {
      const router = createRouter();
      const fail = () => {
        throw error;
      };
      for (const prefix of prefixes) router.all(prefix, fail).all(`${prefix}/*`, fail);
      return router;
    },
  });
  return app;
}

export type App = ReturnType<typeof createApp>;

import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../lib/logger.ts';
import type { AppMetrics } from '../lib/observability/metrics.ts';
import type { Tracing } from '../lib/observability/tracing.ts';
import { loggablePath, requestRoute } from '../lib/request-route.ts';
import type { AppBindings } from '../lib/types.ts';

/** The variable this middleware sets: the request's logger. */
export type { LoggerVariables } from '../lib/types.ts';

export interface RequestLoggerOptions {
  /** The app's logger; each request gets a child bound to its request id and user id. */
  logger: Logger;
  /** Where the request's count and latency go. @default none */
  metrics?: AppMetrics;
  /** Annotated with the request id, so a trace is found from a log line. @default none */
  tracing?: Tracing;
}

/**
 * Binds a logger to the request and writes one line when the response is ready, with the
 * method, path, route pattern, status, duration and (once known) the user id. Never a query
 * string, and never a path that can carry a token: the path of a request a wildcard route
 * answered (Better Auth's) or no route matched is its route pattern (lib/request-route.ts). Records the
 * request's metrics; under the Lambda adapter the handler wrapper writes them after the
 * response has streamed, elsewhere they are written here, once per request.
 */
export const requestLogger = (options: RequestLoggerOptions): MiddlewareHandler<AppBindings> => {
  const { logger, metrics, tracing } = options;
  return async function requestLogger(c, next) {
    const started = performance.now();
    const requestId = c.get('requestId');
    // Read when a line is written: the caller is resolved later in the chain.
    const log = logger.child({ requestId, userId: () => c.get('caller')?.user.id });
    c.set('logger', log);
    if (tracing?.enabled) {
      try {
        tracing.annotate('requestId', requestId);
      } catch {
        // Tracing never fails a request.
      }
    }
    await next();
    const status = c.res.status;
    const route = requestRoute(c);
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    const path = loggablePath(c, route);
    const fields = { method: c.req.method, path, route, status, durationMs };
    if (status >= 500) log.error('request', fields);
    else log.info('request', fields);
    if (metrics?.enabled) {
      try {
        const userId = c.get('caller')?.user.id;
        metrics.request({ route, method: c.req.method, status, durationMs, requestId, userId });
        if (!c.env?.context) metrics.flush();
      } catch {
        // Metrics never fail a request.
      }
    }
  };
};

import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../lib/logger.ts';
import type { AppBindings } from '../lib/types.ts';

export interface RequestLoggerOptions {
  /** The app's logger; each request gets a child bound to its request id. */
  logger: Logger;
}

/** Binds a logger to the request and writes one line when the response is ready. */
export const requestLogger = (options: RequestLoggerOptions): MiddlewareHandler<AppBindings> => {
  const { logger } = options;
  return async function requestLogger(c, next) {
    const started = performance.now();
    const lambdaRequestId = c.env?.context?.awsRequestId;
    const log = logger.child(
      lambdaRequestId
        ? { requestId: c.get('requestId'), lambdaRequestId }
        : { requestId: c.get('requestId') },
    );
    c.set('logger', log);
    await next();
    const status = c.res.status;
    const fields = {
      method: c.req.method,
      path: c.req.path,
      route: c.req.routePath,
      status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    };
    if (status >= 500) log.error('request', fields);
    else log.info('request', fields);
  };
};

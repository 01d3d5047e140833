/** App-wide types: the bindings every route and middleware shares. */
import type { OpenAPIHono, RouteConfig, RouteHandler } from '@hono/zod-openapi';
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import type { RequestIdVariables } from 'hono/request-id';
import type { AppDeps } from '../deps.ts';
import type { AuthVariables } from '../middleware/auth.ts';
import type { ClientIpVariables } from '../middleware/client-ip.ts';
import type { RequestDeadlineVariables } from '../middleware/limits.ts';
import type { Logger } from './logger.ts';

export interface LoggerVariables {
  /** The request's logger, bound to its request id. */
  logger: Logger;
}

export interface DepsVariables {
  deps: AppDeps;
}

export interface AppBindings {
  Variables: RequestIdVariables &
    LoggerVariables &
    DepsVariables &
    AuthVariables &
    ClientIpVariables &
    RequestDeadlineVariables;
  /** Set by the Lambda adapter (`streamHandle` passes `context`); absent on the local server. */
  Bindings: { event?: LambdaEvent; context?: LambdaContext };
}

export type AppOpenAPI = OpenAPIHono<AppBindings>;
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppBindings>;

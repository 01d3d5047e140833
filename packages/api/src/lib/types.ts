/** App-wide types: the bindings every route and middleware shares. */
import type { OpenAPIHono, RouteConfig, RouteHandler } from '@hono/zod-openapi';
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import type { RequestIdVariables } from 'hono/request-id';
import type { AppDeps } from './app-deps.ts';
import type { AuthVariables } from './auth/caller.ts';
import type { Logger } from './logger.ts';

export interface LoggerVariables {
  /** The request's logger, bound to its request id. */
  logger: Logger;
}

/** Set by the client-ip middleware. */
export interface ClientIpVariables {
  /** The client's address, or 'unknown'. */
  clientIp: string;
}

/** Set by the request-timeout middleware. */
export interface RequestDeadlineVariables {
  /**
   * The signal that aborts when the request's time is up, also after the handler has returned
   * (a stream's body runs on): work that outlives the response listens to it. Made on the
   * first call; the same signal after that.
   */
  deadline: () => AbortSignal;
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

/**
 * The route classes: every path belongs to one, and its class decides its timeout, its body
 * limit and its rate-limit budget. The one table of path prefixes; app.ts, the rate-limit
 * middleware and the reliability suites read it, so a class cannot drift between them.
 */
import type { Env } from '../env.ts';
import { AUTH_BASE_PATH } from './auth/paths.ts';
import { LOCAL_UPLOAD_PATH } from './storage/paths.ts';

export type RouteClass = 'auth' | 'ai' | 'upload' | 'default';

/** Path prefixes of the classes other than `default`, checked in order. */
export const ROUTE_CLASS_PREFIXES: ReadonlyArray<{ prefix: string; routeClass: RouteClass }> = [
  { prefix: `${AUTH_BASE_PATH}/`, routeClass: 'auth' },
  { prefix: '/api/ai/', routeClass: 'ai' },
  // The LangGraph Platform API runs the same models: the same class.
  { prefix: '/api/langgraph/', routeClass: 'ai' },
  // Document search embeds the query with the AI runtime's model.
  { prefix: '/api/files/search', routeClass: 'ai' },
  // The local storage's upload route takes a whole file (S3 takes it on AWS).
  { prefix: LOCAL_UPLOAD_PATH, routeClass: 'upload' },
];

/** The prefix of the AI routes (their own timeout and rate-limit budget). */
export const AI_PATH = '/api/ai/';

export const routeClassOf = (path: string): RouteClass =>
  ROUTE_CLASS_PREFIXES.find((entry) => path.startsWith(entry.prefix))?.routeClass ?? 'default';

/**
 * The rate-limit budget a path draws on: its class's, except that uploads share the default
 * budget (a few requests, each one file).
 */
export const rateLimitClassOf = (path: string): Exclude<RouteClass, 'upload'> => {
  const routeClass = routeClassOf(path);
  return routeClass === 'upload' ? 'default' : routeClass;
};

export interface RouteClassSettings {
  /** Milliseconds a request may take before a 504. */
  timeoutMs: number;
  /** Largest request body in bytes before a 413. */
  bodyLimitBytes: number;
  /** Requests per rate-limit window, per user or client IP. */
  rateLimitPoints: number;
}

/** What each class gets, from configuration. */
export const routeClassSettings = (env: Env): Record<RouteClass, RouteClassSettings> => ({
  auth: {
    timeoutMs: env.REQUEST_TIMEOUT_MS,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    rateLimitPoints: env.RATE_LIMIT_AUTH,
  },
  ai: {
    timeoutMs: env.AI_REQUEST_TIMEOUT_MS,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    rateLimitPoints: env.RATE_LIMIT_AI,
  },
  upload: {
    timeoutMs: env.FILES_UPLOAD_TIMEOUT_MS,
    bodyLimitBytes: env.FILES_MAX_BYTES,
    rateLimitPoints: env.RATE_LIMIT_DEFAULT,
  },
  default: {
    timeoutMs: env.REQUEST_TIMEOUT_MS,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    rateLimitPoints: env.RATE_LIMIT_DEFAULT,
  },
});

/** The per-prefix rules of one setting, for the limit middleware (default: the `default` class). */
export const routeClassRules = (
  settings: Record<RouteClass, RouteClassSettings>,
  key: keyof RouteClassSettings,
) =>
  ROUTE_CLASS_PREFIXES.map(({ prefix, routeClass }) => ({
    prefix,
    value: settings[routeClass][key],
  }));

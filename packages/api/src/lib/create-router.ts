import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ZodError } from 'zod';
import {
  declaredPermissions,
  formatPermissions,
  type PermissionRequest,
} from './auth/permissions.ts';
import { ERROR_CODES, errorResponse } from './errors.ts';
import { toFieldIssues } from './field-issues.ts';
import type { AppBindings } from './types.ts';

export { toFieldIssues } from './field-issues.ts';

/** The 422 for a request that does not match its schema, with each field's problem. */
export function validationFailed(c: Context<AppBindings>, error: ZodError, target: string) {
  return errorResponse(
    c,
    422,
    ERROR_CODES.VALIDATION_FAILED,
    'The request does not match the schema',
    toFieldIssues(error, target),
  );
}

/** A router whose schema violations answer 422 with field details, in the error shape. */
export function createRouter() {
  const router = new OpenAPIHono<AppBindings>({
    strict: false,
    defaultHook: (result, c) => {
      if (!result.success) return validationFailed(c, result.error, result.target);
    },
  });
  const openapi = router.openapi.bind(router);
  router.openapi = ((route: RouteConfig, ...rest: unknown[]) =>
    (openapi as (...args: unknown[]) => unknown)(
      withPermissionsDeclared(route),
      ...rest,
    )) as typeof router.openapi;
  return router;
}

/** The extension naming what an operation's permission guard checks. */
export const REQUIRED_PERMISSIONS = 'x-required-permissions';

/**
 * A route whose guards check permissions (`requirePermission`) declares them: the
 * `x-required-permissions` extension and a sentence in its description, read from the
 * guards themselves.
 */
export function withPermissionsDeclared<R extends RouteConfig>(route: R): R {
  const guards = route.middleware
    ? Array.isArray(route.middleware)
      ? route.middleware
      : [route.middleware]
    : [];
  const required: Record<string, string[]> = {};
  for (const guard of guards) {
    for (const [resource, actions] of Object.entries(declaredPermissions(guard) ?? {})) {
      const merged = new Set([...(required[resource] ?? []), ...(actions ?? [])]);
      required[resource] = [...merged];
    }
  }
  if (Object.keys(required).length === 0) return route;
  const sentence = `Requires the permissions ${formatPermissions(required as PermissionRequest)}: a session's role must grant them, and an API key must carry them (otherwise 403, naming the missing ones in \`error.details.missing\`).`;
  return {
    ...route,
    description: route.description ? `${route.description}\n\n${sentence}` : sentence,
    [REQUIRED_PERMISSIONS]: required,
  };
}

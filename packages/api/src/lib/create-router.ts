import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ZodError } from 'zod';
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
  return new OpenAPIHono<AppBindings>({
    strict: false,
    defaultHook: (result, c) => {
      if (!result.success) return validationFailed(c, result.error, result.target);
    },
  });
}

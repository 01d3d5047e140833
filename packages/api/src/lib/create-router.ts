import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { ERROR_CODES, errorResponse, type FieldIssue } from './errors.ts';
import type { AppBindings } from './types.ts';

const LOCATIONS: Record<string, FieldIssue['location']> = {
  json: 'body',
  form: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
};

export function toFieldIssues(error: ZodError, target: string): FieldIssue[] {
  return error.issues.map((issue) => ({
    location: LOCATIONS[target] ?? 'body',
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

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

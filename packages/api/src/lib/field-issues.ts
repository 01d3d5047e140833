/**
 * Field-level problems of a request (the `details` of a 422), from a Zod error. A module of
 * its own, importing nothing of the app, so Better Auth's input guard can use it without a
 * cycle through the app's bindings.
 */
import type { ZodError } from 'zod';

/** A field-level problem in a request, as listed in `details` of a 422. */
export interface FieldIssue {
  location: 'body' | 'query' | 'path' | 'header' | 'cookie';
  path: string;
  message: string;
}

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

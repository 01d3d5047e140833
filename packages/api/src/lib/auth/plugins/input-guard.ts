/**
 * Better Auth's input guard, as a plugin: before Better Auth routes a request, a POST body
 * must be JSON (415 otherwise) and parse (400 otherwise), no NUL character may sit in the path, the query or anywhere in
 * the body (PostgreSQL text cannot hold one: Better Auth would pass it to a query and fail
 * with a 500), and the bodies of the endpoints in `BODY_SCHEMAS` must match their schema
 * (422 with each field's problem, instead of Better Auth's own 400).
 *
 * The body scan is iterative and visits each value once: linear in the size of the body
 * whatever its depth, with no recursion to overflow the stack.
 */
import type { BetterAuthPlugin } from '@better-auth/core';
import { defineErrorCodes } from '@better-auth/core/utils/error-codes';
import { type FieldIssue, toFieldIssues } from '../../field-issues.ts';
import { BODY_SCHEMAS } from './input-guard.schemas.ts';

export const INPUT_GUARD_ERROR_CODES = defineErrorCodes({
  MALFORMED_JSON: 'Malformed JSON in request body',
  INVALID_INPUT: 'The request does not match the schema',
  UNSUPPORTED_MEDIA_TYPE: 'The request body is not JSON',
});

const NUL = '\u0000';

/** The request path relative to Better Auth's base path, as its router matches it. */
function endpointPath(pathname: string, basePath: string): string {
  let path = pathname.startsWith(basePath) ? pathname.slice(basePath.length) : pathname;
  path = path.replace(/\/{2,}/g, '/');
  if (!path.startsWith('/')) path = `/${path}`;
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path;
}

function decodedPath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

/**
 * The dotted path of the first key or string in `root` that holds a NUL, or null. Each value
 * is visited once, from an explicit stack; a path is only built for the value found.
 */
export function findNulInJson(root: unknown): string | null {
  // Every key visited, with the index of its parent's entry: a path is a walk up this list.
  const parents: number[] = [];
  const keys: string[] = [];
  const pathTo = (entry: number) => {
    const path: string[] = [];
    for (let at = entry; at >= 0; at = parents[at] ?? -1) path.push(keys[at] ?? '');
    return path.reverse().join('.');
  };
  const values: unknown[] = [root];
  const entries: number[] = [-1];
  while (values.length > 0) {
    const value = values.pop();
    const entry = entries.pop() ?? -1;
    if (typeof value === 'string') {
      if (value.includes(NUL)) return pathTo(entry);
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    const children = Array.isArray(value)
      ? value.map((item, index) => [String(index), item] as const)
      : Object.entries(value);
    // Pushed last to first, so they are visited in document order.
    for (let index = children.length - 1; index >= 0; index--) {
      const [key, item] = children[index] as readonly [string, unknown];
      parents.push(entry);
      keys.push(key);
      if (key.includes(NUL)) return pathTo(keys.length - 1);
      values.push(item);
      entries.push(keys.length - 1);
    }
  }
  return null;
}

function findNul(json: unknown, url: URL): Omit<FieldIssue, 'message'> | null {
  if (decodedPath(url.pathname).includes(NUL)) return { location: 'path', path: '' };
  for (const [name, value] of url.searchParams) {
    if (name.includes(NUL) || value.includes(NUL)) return { location: 'query', path: name };
  }
  const found = findNulInJson(json);
  return found === null ? null : { location: 'body', path: found };
}

const refuse = (status: number, error: { code: string; message: string }, details?: unknown) => ({
  response: Response.json(details === undefined ? error : { ...error, details }, { status }),
});

export const inputGuard = () =>
  ({
    id: 'input-guard',
    $ERROR_CODES: INPUT_GUARD_ERROR_CODES,
    async onRequest(request, ctx) {
      const url = new URL(request.url);
      let json: unknown;
      const type = request.headers.get('content-type') ?? '';
      // A body in another format is refused, as on the app's own routes (415).
      if (request.method === 'POST' && type !== '' && !/^application\/json\b/i.test(type))
        return refuse(415, INPUT_GUARD_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE);
      if (request.method === 'POST' && /^application\/json\b/i.test(type)) {
        try {
          json = await request.clone().json();
        } catch {
          return refuse(400, INPUT_GUARD_ERROR_CODES.MALFORMED_JSON);
        }
      }
      const nul = findNul(json, url);
      if (nul) {
        return refuse(422, INPUT_GUARD_ERROR_CODES.INVALID_INPUT, [
          { ...nul, message: 'Must not contain a NUL character' },
        ]);
      }
      const path = endpointPath(url.pathname, ctx.options.basePath ?? '/api/auth');
      const schema = request.method === 'POST' ? BODY_SCHEMAS[path] : undefined;
      const parsed = schema?.safeParse(json);
      if (parsed && !parsed.success) {
        return refuse(
          422,
          INPUT_GUARD_ERROR_CODES.INVALID_INPUT,
          toFieldIssues(parsed.error, 'json'),
        );
      }
    },
  }) satisfies BetterAuthPlugin;

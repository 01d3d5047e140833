/** Helpers for declaring requests and responses in route definitions. */
import { z } from '@hono/zod-openapi';
import { errorSchema } from './errors.ts';

/** A required JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** The path parameter `name`: a UUID (a chat, a workflow instance). */
export const uuidPathParam = (name: string) =>
  z.uuid().openapi({
    param: { name, in: 'path' },
    example: '0192f0c4-8b1e-7c3a-9b5e-1f2a3b4c5d6e',
  });

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const ERROR_DESCRIPTIONS = {
  400: 'Malformed request (for example, malformed JSON).',
  401: 'No valid session, bearer token or API key.',
  403: 'The caller lacks the role or permission (or, for cookie sessions, the origin check failed).',
  404: 'Not found — or not the caller’s: the two answer alike.',
  409: 'The request conflicts with the current state.',
  413: 'The request body is too large.',
  415: 'The request body is not JSON.',
  422: 'The request does not match the schema; `details` lists each field.',
  429: 'Too many requests; see `Retry-After`.',
  502: 'An upstream service (the model provider) failed; nothing was stored.',
  503: 'A dependency is unavailable; see `Retry-After`.',
  504: 'An upstream service (the model provider) or the request took too long; nothing was stored.',
} as const;
export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** Declares each error status in the project's error shape. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((status) => [status, jsonContent(errorSchema, ERROR_DESCRIPTIONS[status])]),
  ) as { [K in S]: ReturnType<typeof jsonContent<typeof errorSchema>> };
}

/** The statuses every authenticated route may answer. */
export const AUTHENTICATED = [401, 403] as const;

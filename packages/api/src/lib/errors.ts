/**
 * The one error shape: `{ "error": { "code", "message", "requestId", "details"? } }`; on the
 * auth routes `code` and `message` also sit at the top level, where Better Auth's client reads
 * them.
 * Codes live here only; tests compare against this map, never against copied strings.
 */

import { z } from '@hono/zod-openapi';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AUTH_BASE_PATH } from './auth/paths.ts';
import { databaseAnswers, unavailableCode } from './db/unavailable.ts';
import type { FieldIssue } from './field-issues.ts';
import type { AppBindings } from './types.ts';
import { withOpenApi } from './zod-openapi.ts';

withOpenApi(); // before any `.openapi()` below: see lib/zod-openapi.ts

/** The Retry-After of a 503 for an unreachable database. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export const ERROR_CODES = {
  BAD_REQUEST: 'BAD_REQUEST',
  MALFORMED_JSON: 'MALFORMED_JSON',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  BAD_GATEWAY: 'BAD_GATEWAY',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  TIMEOUT: 'TIMEOUT',
  /** 429: the caller already holds AI_MAX_CONCURRENT_STREAMS open AI streams. */
  TOO_MANY_STREAMS: 'TOO_MANY_STREAMS',
  /** 422: an agent or workflow run did not finish within its step limit. */
  STEP_LIMIT_EXCEEDED: 'STEP_LIMIT_EXCEEDED',
  /** 415: a file's declared type is not one FILES_ALLOWED_TYPES lists. */
  FILE_TYPE_NOT_ALLOWED: 'FILE_TYPE_NOT_ALLOWED',
  /** 415: a stored file's bytes are not what its declared type says (the object is deleted). */
  FILE_TYPE_MISMATCH: 'FILE_TYPE_MISMATCH',
  /** 413: a file over FILES_MAX_BYTES, or an upload body larger than declared. */
  FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  /** 400/422: the stored bytes are fewer or more than the declared size. */
  FILE_SIZE_MISMATCH: 'FILE_SIZE_MISMATCH',
  /** 409 (files) or 413 (bytes): the user's file quota is used up; `details` has the quota. */
  FILE_QUOTA_EXCEEDED: 'FILE_QUOTA_EXCEEDED',
  /** 409: completion or download of a file whose bytes were never stored. */
  FILE_NOT_UPLOADED: 'FILE_NOT_UPLOADED',
  /** 403: a local upload or download token that is forged, for another purpose, or expired. */
  UPLOAD_TOKEN_INVALID: 'UPLOAD_TOKEN_INVALID',
  /** 503: no file storage is configured on this stage (FILES_BUCKET). */
  FILE_STORAGE_UNAVAILABLE: 'FILE_STORAGE_UNAVAILABLE',
  /** 503: the database has no pgvector, so files cannot be embedded or searched. */
  VECTOR_SEARCH_UNAVAILABLE: 'VECTOR_SEARCH_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: ERROR_CODES.BAD_REQUEST,
  401: ERROR_CODES.UNAUTHORIZED,
  403: ERROR_CODES.FORBIDDEN,
  404: ERROR_CODES.NOT_FOUND,
  405: ERROR_CODES.METHOD_NOT_ALLOWED,
  409: ERROR_CODES.CONFLICT,
  413: ERROR_CODES.PAYLOAD_TOO_LARGE,
  415: ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
  422: ERROR_CODES.VALIDATION_FAILED,
  429: ERROR_CODES.RATE_LIMITED,
  502: ERROR_CODES.BAD_GATEWAY,
  503: ERROR_CODES.SERVICE_UNAVAILABLE,
  504: ERROR_CODES.TIMEOUT,
};

/** The project's code for an HTTP error status without a more specific one. */
export function codeForStatus(status: number): ErrorCode {
  return (
    CODE_BY_STATUS[status] ?? (status >= 500 ? ERROR_CODES.INTERNAL_ERROR : ERROR_CODES.BAD_REQUEST)
  );
}

/** A field-level problem in a request, as listed in `details` of a 422. */
export const fieldIssueSchema: z.ZodType<FieldIssue> = z
  .object({
    location: z.enum(['body', 'query', 'path', 'header', 'cookie']),
    path: z.string().openapi({ example: 'title' }),
    message: z.string().openapi({ example: 'Must be at most 200 characters' }),
  })
  .openapi('FieldIssue');
export type { FieldIssue } from './field-issues.ts';

export const errorSchema = z
  .object({
    code: z.string().optional().openapi({
      description:
        "Auth routes (`/api/auth/*`) only: Better Auth's own code (or `error.code`), where Better Auth's client reads it.",
      example: 'INVALID_EMAIL_OR_PASSWORD',
    }),
    message: z.string().optional().openapi({
      description:
        "Auth routes (`/api/auth/*`) only: `error.message` again, where Better Auth's client reads it.",
    }),
    error: z.object({
      code: z.enum(Object.values(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      requestId: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');
export type ErrorBody = z.infer<typeof errorSchema>;

/** An expected failure with its status, code and optional details. */
export class ApiError extends HTTPException {
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(
    status: ContentfulStatusCode,
    code: ErrorCode,
    message: string,
    options: { details?: unknown; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(status, { message, cause: options.cause });
    this.code = code;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

export function errorBody(
  c: Context<AppBindings>,
  code: ErrorCode,
  message: string,
  details?: unknown,
): ErrorBody {
  const requestId = c.get('requestId') ?? 'unknown';
  const error =
    details === undefined ? { code, message, requestId } : { code, message, requestId, details };
  // Better Auth's client reads `code` and `message` at the top level: on its routes the one
  // body carries both.
  return isAuthPath(c.req.path) ? { code, message, error } : { error };
}

const isAuthPath = (path: string) =>
  path === AUTH_BASE_PATH || path.startsWith(`${AUTH_BASE_PATH}/`);

/** Answers an error in the project's shape; handlers return this for expected failures. */
export function errorResponse<S extends ContentfulStatusCode>(
  c: Context<AppBindings>,
  status: S,
  code: ErrorCode,
  message: string,
  details?: unknown,
) {
  return c.json(errorBody(c, code, message, details), status);
}

export const notFound: NotFoundHandler<AppBindings> = (c) =>
  errorResponse(c, 404, ERROR_CODES.NOT_FOUND, `No route for ${c.req.method} ${c.req.path}`);

/** The one error handler: answers the error shape and never leaks internals. */
export const onError: ErrorHandler<AppBindings> = async (err, c) => {
  if (err instanceof ApiError) {
    for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
    return errorResponse(c, err.status as ContentfulStatusCode, err.code, err.message, err.details);
  }
  if (err instanceof HTTPException && err.status < 500) {
    // Thrown by Hono and its middleware (malformed JSON, 415, body limit, auth helpers).
    for (const [name, value] of err.res?.headers ?? []) {
      if (name !== 'content-type' && name !== 'content-length') c.header(name, value);
    }
    const malformedJson = err.status === 400 && /malformed json/i.test(err.message);
    const code = malformedJson ? ERROR_CODES.MALFORMED_JSON : codeForStatus(err.status);
    return errorResponse(c, err.status as ContentfulStatusCode, code, err.message || code);
  }
  // A library may wrap the driver's error without its cause (Better Auth's session lookup):
  // for an unexpected error, a database that does not answer says what happened.
  const unavailable =
    unavailableCode(err) ??
    (c.var.deps && !(err instanceof HTTPException) && !(await databaseAnswers(c.var.deps.database))
      ? 'unreachable'
      : null);
  if (unavailable) {
    // An outage, not a bug: the client may retry. Only the code is logged: a failed query's
    // message carries its parameters.
    c.get('logger')?.warn('database unavailable', { code: unavailable });
    c.header('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    return errorResponse(
      c,
      503,
      ERROR_CODES.SERVICE_UNAVAILABLE,
      'The database is unavailable; try again shortly',
    );
  }
  const status = err instanceof HTTPException ? err.status : 500;
  c.get('logger')?.error('request failed', { err, status });
  const code = codeForStatus(status);
  return errorResponse(
    c,
    status as ContentfulStatusCode,
    code,
    status === 500 ? 'Internal server error' : code,
  );
};

/**
 * A depth limit on every JSON request body, checked in one linear pass over the raw bytes
 * before anything parses them. A recursive walk over a parsed body (a validator, a NUL scan,
 * a parser's own recursion) costs time and stack in proportion to its nesting: 20,000 levels
 * of `[` fit in 40 KB. A deeper body is refused with 400 in the error shape.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError, ERROR_CODES } from '../lib/errors.ts';

/**
 * Deepest nesting of arrays and objects a JSON request body may have. No request the API
 * documents comes near it (LangGraph state and tool arguments are a few levels deep).
 */
export const MAX_JSON_DEPTH = 64;

/** The media types parsed as JSON: `application/json` and `application/*+json` (as Better Auth reads them). */
const JSON_MEDIA_TYPE = /^\s*application\/([a-z0-9.+-]*\+)?json/i;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether `bytes` (UTF-8 JSON, well-formed or not) nests arrays and objects deeper than
 * `maxDepth`. One pass, constant memory: brackets inside strings do not count, and an escaped
 * quote does not end a string. The structural characters are ASCII, which never occurs inside
 * a multi-byte UTF-8 sequence, so the bytes need no decoding.
 */
export function jsonDepthExceeds(bytes: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      depth++;
      if (depth > maxDepth) return true;
    } else if ((byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) && depth > 0) {
      depth--;
    }
  }
  return false;
}

export interface JsonDepthLimitOptions {
  /** Deepest nesting allowed. @default MAX_JSON_DEPTH (64) */
  maxDepth?: number;
  /** Paths whose bodies are stored, never parsed (file uploads). @default [] */
  exceptPrefixes?: readonly string[];
}

/**
 * Refuses a JSON body nested deeper than `maxDepth` with 400 before any handler reads it.
 * Runs after the body limit, so the bytes it reads are bounded. The body stays readable:
 * Hono's body cache answers `c.req.json()` and `c.req.text()`, and the raw request (which
 * Better Auth reads) is rebuilt around the same bytes.
 */
export const jsonDepthLimit = (options: JsonDepthLimitOptions = {}): MiddlewareHandler => {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const except = options.exceptPrefixes ?? [];
  return async function jsonDepthLimit(c, next) {
    if (
      !c.req.raw.body ||
      !JSON_MEDIA_TYPE.test(c.req.header('content-type') ?? '') ||
      except.some((prefix) => c.req.path.startsWith(prefix))
    ) {
      return next();
    }
    const buffer = await c.req.arrayBuffer();
    if (jsonDepthExceeds(new Uint8Array(buffer), maxDepth)) {
      throw new ApiError(
        400,
        ERROR_CODES.BAD_REQUEST,
        `The JSON body is nested deeper than ${maxDepth} levels`,
        { details: { maxDepth } },
      );
    }
    c.req.raw = new Request(c.req.raw, { body: buffer });
    return next();
  };
};

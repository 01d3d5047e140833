/**
 * The OpenAPI document as the reliability suites read it: every operation, and a check of a
 * response against what the document declares for it (status, content type, body schema).
 */

import { beforeAll } from 'bun:test';
import { type Schema, Validator } from '@cfworker/json-schema';
import type { App } from '../../src/app.ts';
import { parseSse, readTextUntil } from '../sse.ts';

export type JsonSchema = Record<string, unknown>;

export interface MediaType {
  schema?: JsonSchema;
}

export interface OperationObject {
  operationId?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: JsonSchema }>;
  requestBody?: { required?: boolean; content?: Record<string, MediaType> };
  responses: Record<string, { description?: string; content?: Record<string, MediaType> }>;
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** `METHOD /path/{param}`, as the matrices key it. */
  key: string;
  operation: OperationObject;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export async function loadDocument(app: App): Promise<OpenApiDocument> {
  const response = await app.request('/openapi.json');
  if (response.status !== 200) throw new Error(`/openapi.json answered ${response.status}`);
  return (await response.json()) as OpenApiDocument;
}

/** Every operation of the document, in document order. */
export function listOperations(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      if (!operation) return [];
      const upper = method.toUpperCase() as Operation['method'];
      return [{ method: upper, path, key: `${upper} ${path}`, operation }];
    }),
  );
}

/** The operation's path with each `{param}` replaced by `values[param]` (URI-encoded). */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    // Through UTF-8 and back: a lone surrogate becomes U+FFFD, as a client's encoder makes it.
    encodeURIComponent(
      new TextDecoder().decode(new TextEncoder().encode(values[name] ?? 'missing')),
    ),
  );
}

export const pathParams = (path: string) =>
  [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);

/** The JSON schema of the request body, when the operation takes JSON. */
export const jsonBodySchema = (op: Operation): JsonSchema | undefined =>
  op.operation.requestBody?.content?.['application/json']?.schema;

export interface ResponseCheck {
  /** Empty when the response matches the document. */
  problems: string[];
  status: number;
  /** The body as read (parsed JSON, text, or the events of a stream). */
  body: unknown;
}

/** How much of a stream is read before the check stops reading it. */
const STREAM_READ_LIMIT = 256 * 1024;

const readCapped = (response: Response) =>
  readTextUntil(response, (text) => text.length > STREAM_READ_LIMIT);

/** Checks responses against a document; validators are compiled once per schema. */
export function createResponseChecker(doc: OpenApiDocument) {
  const validators = new Map<JsonSchema, Validator>();
  const validatorFor = (schema: JsonSchema) => {
    let validator = validators.get(schema);
    if (!validator) {
      // `#/components/...` references resolve against the root, so the components ride along.
      const root = { ...schema, components: doc.components } as Schema;
      validator = new Validator(root, '2020-12', false);
      validators.set(schema, validator);
    }
    return validator;
  };

  return async function check(op: Operation, response: Response): Promise<ResponseCheck> {
    const status = response.status;
    const problems: string[] = [];
    if (status >= 500) problems.push(`server error ${status}`);
    const declared = op.operation.responses[String(status)] ?? op.operation.responses.default;
    const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    let body: unknown;

    if (type === 'text/event-stream') {
      const text = await readCapped(response);
      body = text;
      if (declared && !declared.content?.['text/event-stream'])
        problems.push(`${status} streams events but the document declares no text/event-stream`);
      if (text && !/^(data|event|id|retry|:)/m.test(text))
        problems.push('text/event-stream body holds no event field');
    } else {
      const text = await response.text();
      if (type === 'application/json' && text) {
        try {
          body = JSON.parse(text);
        } catch {
          problems.push('application/json body does not parse');
        }
      } else body = text;
    }

    if (!declared) {
      problems.push(
        `status ${status} not declared (declared: ${Object.keys(op.operation.responses).join(', ')})`,
      );
      return { problems, status, body };
    }
    const content = declared.content;
    if (!content || Object.keys(content).length === 0) {
      if (status !== 204 && typeof body === 'string' && body.length > 0 && type !== 'text/html')
        problems.push(`${status} declares no content but answered ${type || 'untyped'} content`);
      if (status === 204 && body !== '') problems.push('204 with a body');
      return { problems, status, body };
    }
    const media = content[type];
    if (!media) {
      problems.push(
        `${status} answered ${type || 'no content type'}; declared ${Object.keys(content).join(', ')}`,
      );
      return { problems, status, body };
    }
    if (type === 'text/event-stream' && media.schema && problems.length === 0) {
      // Each complete event (a cut-off read may end mid-event) against the declared union.
      const text = body as string;
      const complete = text.slice(0, text.lastIndexOf('\n\n') + 2);
      const validator = validatorFor(media.schema);
      for (const event of parseSse(complete)) {
        // Unnamed events (the AI SDK's UI message stream): the data is the item, `[DONE]` last.
        if (event.event === 'message' && event.data === '[DONE]') continue;
        const result = validator.validate(event.event === 'message' ? event.data : event);
        if (!result.valid) {
          problems.push(
            `${status} event ${JSON.stringify(event).slice(0, 200)} does not match the declared schema`,
          );
          break;
        }
      }
    }
    if (type === 'application/json' && media.schema && problems.length === 0) {
      const result = validatorFor(media.schema).validate(body);
      if (!result.valid) {
        const errors = result.errors
          .slice(-3)
          .map((error) => `${error.instanceLocation} ${error.error}`)
          .join('; ');
        problems.push(`${status} body does not match the declared schema: ${errors}`);
      }
    }
    return { problems, status, body };
  };
}

export type ResponseChecker = ReturnType<typeof createResponseChecker>;

/**
 * The document `t.app` serves and a checker of responses against it, loaded in `beforeAll`:
 * call it after the hook that builds the app (`useTestApp()`).
 */
export function useDocument(t: { readonly app: App }) {
  let loaded: { doc: OpenApiDocument; check: ResponseChecker } | undefined;
  const current = () => {
    if (!loaded) throw new Error('useDocument: the document is loaded in beforeAll');
    return loaded;
  };
  beforeAll(async () => {
    const doc = await loadDocument(t.app);
    loaded = { doc, check: createResponseChecker(doc) };
  });
  return {
    get doc() {
      return current().doc;
    },
    get check() {
      return current().check;
    },
  };
}

/**
 * The finishing of the OpenAPI document: Better Auth's endpoints under their mount path, the
 * responses the middleware can give on any route, the auth routes as they really answer, and
 * request bodies with defaults inlined. Loaded with the first request for the document (by a
 * dynamic import in openapi.ts), so no cold start pays for it.
 */
import type { Auth } from './auth/auth.ts';
import { AUTH_BASE_PATH } from './auth/paths.ts';

const SECURITY_SCHEMES = {
  cookieAuth: {
    type: 'apiKey',
    in: 'cookie',
    name: 'better-auth.session_token',
    description:
      'The session cookie set by sign-in (`__Secure-` prefixed outside local development). State-changing requests must come from a trusted origin.',
  },
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    description:
      'The session token from the `set-auth-token` header of sign-in, for non-browser clients.',
  },
  apiKeyAuth: {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description:
      'An API key created at `POST /api/auth/api-key/create`; it carries its own permissions.',
  },
} as const;

export type OpenApiDocument = {
  paths?: Record<string, Record<string, { tags?: string[] } & Record<string, unknown>>>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  tags?: Array<{ name: string; description?: string }>;
} & Record<string, unknown>;

type Responses = Record<string, { description?: string; content?: Record<string, unknown> }>;

const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
const errorResponse = (description: string) => ({ description, content: ERROR_CONTENT });

/**
 * Statuses the middleware stack can answer on any route, besides what the route declares:
 * a body over the limit, a rate-limited caller, a dependency that is down.
 */
function withMiddlewareResponses(path: string, method: string, operation: Record<string, unknown>) {
  const responses = { ...(operation.responses as Responses) };
  const add = (status: number, description: string) => {
    responses[status] ??= errorResponse(description);
  };
  // The body limit and content checks run before the route knows whether it reads a body.
  if (operation.requestBody || ['post', 'put', 'patch'].includes(method)) {
    add(400, 'Malformed request (for example, malformed JSON).');
    add(413, 'The request body is too large.');
    add(415, 'The request body is not JSON.');
  }
  if (path.startsWith('/api/')) {
    add(429, 'Too many requests; see `Retry-After`.');
    add(503, 'A dependency is unavailable; see `Retry-After`.');
  }
  return { ...operation, responses };
}

/**
 * Better Auth documents optional columns as plain types (`nullable: true` at best, an OpenAPI
 * 3.0 keyword); it answers null for them. Rewritten as 3.1 type unions so the document
 * describes what is sent.
 */
function nullableOptionals(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(nullableOptionals);
  if (!schema || typeof schema !== 'object') return schema;
  const { nullable, ...rest } = schema as Record<string, unknown>;
  const node: Record<string, unknown> = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [key, nullableOptionals(value)]),
  );
  if (node.properties && typeof node.properties === 'object') {
    const required = new Set((node.required as string[] | undefined) ?? []);
    node.properties = Object.fromEntries(
      Object.entries(node.properties as Record<string, Record<string, unknown>>).map(
        ([key, value]) => [key, required.has(key) ? value : orNull(value)],
      ),
    );
  }
  return nullable === true ? orNull(node) : node;
}

function orNull(schema: Record<string, unknown>): Record<string, unknown> {
  if (typeof schema.type === 'string' && !('$ref' in schema))
    return { ...schema, type: [schema.type, 'null'] };
  if (Array.isArray(schema.type))
    return schema.type.includes('null') ? schema : { ...schema, type: [...schema.type, 'null'] };
  if (schema.anyOf || schema.$ref) return { anyOf: [schema, { type: 'null' }] };
  return schema;
}

/**
 * One Better Auth operation as this API answers it: errors in the project's shape (the auth
 * router rewrites them), the 422 of its input checks, the 409 of a taken email, redirects of
 * its callback links.
 */
function asServed(path: string, method: string, operation: Record<string, unknown>) {
  const responses: Responses = {};
  for (const [status, response] of Object.entries(operation.responses as Responses)) {
    responses[status] =
      Number(status) >= 400
        ? errorResponse(response.description ?? 'Error')
        : (nullableOptionals(response) as Responses[string]);
  }
  responses[422] ??= errorResponse(
    'The request does not match the schema; `details` lists each field.',
  );
  if (path === '/sign-up/email') responses[409] ??= errorResponse('The email is taken.');
  const parameters = (operation.parameters as Array<{ name: string }> | undefined) ?? [];
  if (
    path.includes('callback') ||
    (method === 'get' && path.includes('{token}')) ||
    parameters.some((p) => p.name === 'callbackURL')
  )
    responses[302] ??= { description: 'Redirects to the callback URL.' };
  return {
    ...operation,
    tags: [
      'Auth',
      ...((operation.tags as string[] | undefined) ?? []).filter((tag) => tag !== 'Default'),
    ],
    responses,
  };
}

const AUTH_TOKEN_HEADER = {
  'set-auth-token': {
    description:
      'The signed session token, for `Authorization: Bearer` from clients without cookies.',
    schema: { type: 'string' },
  },
};

/** An API key as Better Auth's api-key plugin answers it: owned by `referenceId`, permissions an object. */
function apiKeyAsSent(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(apiKeyAsSent);
  if (!schema || typeof schema !== 'object') return schema;
  const node = Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, apiKeyAsSent(value)]),
  ) as Record<string, unknown>;
  const properties = node.properties as Record<string, unknown> | undefined;
  if (!properties || !('userId' in properties) || !('prefix' in properties)) return node;
  const { userId, permissions: _permissions, ...rest } = properties;
  return {
    ...node,
    properties: {
      ...rest,
      referenceId: { ...(userId as object), description: 'The owner: the id of its user.' },
      permissions: {
        type: ['object', 'null'],
        additionalProperties: { type: 'array', items: { type: 'string' } },
        description: 'What the key may do: actions by resource, `{ "chat": ["read"] }`.',
      },
    },
    required: ((node.required as string[] | undefined) ?? []).map((name) =>
      name === 'userId' ? 'referenceId' : name,
    ),
  };
}

/**
 * Where Better Auth's generated description differs from what it answers (checked by the
 * client conformance suite, packages/client/test/clients.test.ts).
 */
function asAnswered(path: string, _method: string, operation: Record<string, unknown>) {
  const responses = { ...(operation.responses as Responses) };
  const ok = responses[200] as (Responses[string] & { headers?: unknown }) | undefined;
  const json = (schema: unknown) => ({ 'application/json': { schema } });
  if (ok && (path === '/sign-in/email' || path === '/sign-up/email'))
    responses[200] = { ...ok, headers: AUTH_TOKEN_HEADER } as Responses[string];
  const signedIn = ok?.content?.['application/json'] as { schema?: unknown } | undefined;
  if (ok && path === '/sign-in/email' && signedIn?.schema)
    // With two-factor enabled, the password alone answers a redirect to the second factor.
    responses[200] = {
      ...responses[200],
      content: json({
        anyOf: [
          signedIn.schema,
          {
            type: 'object',
            description: 'Two-factor authentication is on: verify a code next.',
            properties: {
              twoFactorRedirect: { type: 'boolean', const: true },
              twoFactorMethods: { type: 'array', items: { type: 'string' } },
            },
            required: ['twoFactorRedirect'],
          },
        ],
      }),
    } as Responses[string];
  if (ok && path === '/sign-up/email')
    responses[200] = {
      ...responses[200],
      content: json({
        type: 'object',
        properties: {
          token: { type: ['string', 'null'] },
          user: { $ref: '#/components/schemas/User' },
        },
        required: ['token', 'user'],
      }),
    } as Responses[string];
  if (ok && path === '/update-user')
    responses[200] = {
      ...ok,
      content: json({
        type: 'object',
        properties: { status: { type: 'boolean', const: true } },
        required: ['status'],
      }),
    };
  if (path === '/sign-up/email' || path === '/sign-in/email') {
    // The input guard refuses fields these do not read (lib/auth/plugins/input-guard.schemas.ts).
    const body = operation.requestBody as
      | { content?: Record<string, { schema?: Record<string, unknown> }> }
      | undefined;
    const media = body?.content?.['application/json'];
    if (body && media?.schema)
      operation = {
        ...operation,
        requestBody: {
          ...body,
          content: {
            ...body.content,
            'application/json': {
              ...media,
              schema: { ...media.schema, additionalProperties: false },
            },
          },
        },
      };
  }
  if (path.startsWith('/api-key/'))
    for (const [status, response] of Object.entries(responses))
      responses[status] = apiKeyAsSent(response) as Responses[string];
  return { ...operation, responses };
}

/** Operations Better Auth lists but always refuses as configured (405 without deferred refresh). */
const NOT_SERVED = new Set(['post /get-session']);

/**
 * Better Auth's `Session` without its `token`: the session-tokens plugin strips it from every
 * answer (lib/auth/plugins/session-tokens.ts); a session is named by its `id`.
 */
function withoutSessionToken(schemas: Record<string, unknown> | undefined) {
  const session = schemas?.Session as
    | { properties?: Record<string, unknown>; required?: string[] }
    | undefined;
  if (!schemas || !session?.properties) return schemas;
  const { token: _token, ...properties } = session.properties;
  const required = session.required?.filter((name) => name !== 'token');
  return { ...schemas, Session: { ...session, properties, required } };
}

/**
 * Better Auth's description of its endpoints, from its OpenAPI generator. The generator loads
 * when the document is first asked for (it is not mounted as a plugin), so no cold start pays
 * for it and no `/open-api/*` endpoint is served.
 */
async function generateAuthDocument(auth: Auth): Promise<OpenApiDocument> {
  const { openAPI } = await import('better-auth/plugins');
  const { generateOpenAPISchema } = openAPI({ disableDefaultReference: true }).endpoints;
  const context = await auth.$context;
  return (await generateOpenAPISchema({ context } as never)) as unknown as OpenApiDocument;
}

/** Better Auth's endpoints, under their mount path and the `Auth` tag, added to `doc`. */
async function withAuthPaths(doc: OpenApiDocument, auth: Auth): Promise<OpenApiDocument> {
  const generated = await generateAuthDocument(auth);
  const paths = { ...doc.paths };
  for (const [path, operations] of Object.entries(generated.paths ?? {})) {
    paths[`${AUTH_BASE_PATH}${path}`] = Object.fromEntries(
      Object.entries(operations)
        .filter(([method]) => !NOT_SERVED.has(`${method} ${path}`))
        .map(([method, operation]) => [
          method,
          asAnswered(path, method, asServed(path, method, operation)),
        ]),
    );
  }
  for (const [path, operations] of Object.entries(paths)) {
    paths[path] = Object.fromEntries(
      Object.entries(operations).map(([method, operation]) => [
        method,
        withMiddlewareResponses(path, method, operation),
      ]),
    );
  }
  return {
    ...doc,
    paths,
    components: {
      ...doc.components,
      schemas: {
        ...(nullableOptionals(withoutSessionToken(generated.components?.schemas)) as Record<
          string,
          unknown
        >),
        ...doc.components?.schemas,
      },
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}

/**
 * Request bodies whose schema has defaulted fields, inlined. Generators read a named
 * component as something the server sends, where a field with a default is always present
 * (openapi-typescript's default settings make it required); inside a request body the same
 * field is optional. A component only request bodies used is dropped.
 */
function withRequestDefaultsInlined(doc: OpenApiDocument): OpenApiDocument {
  const schemas = { ...doc.components?.schemas };
  const inlined = new Set<string>();
  const paths = Object.fromEntries(
    Object.entries(doc.paths ?? {}).map(([path, operations]) => [
      path,
      Object.fromEntries(
        Object.entries(operations).map(([method, operation]) => {
          const body = operation.requestBody as
            | { content?: Record<string, { schema?: { $ref?: string } }> }
            | undefined;
          if (!body?.content) return [method, operation];
          const content = Object.fromEntries(
            Object.entries(body.content).map(([type, media]) => {
              const name = media.schema?.$ref?.replace('#/components/schemas/', '');
              const schema = name
                ? (schemas[name] as Record<string, unknown> | undefined)
                : undefined;
              if (!name || !schema || !hasDefaultedProperty(schema)) return [type, media];
              inlined.add(name);
              return [type, { ...media, schema }];
            }),
          );
          return [method, { ...operation, requestBody: { ...body, content } }];
        }),
      ),
    ]),
  );
  const result = { ...doc, paths, components: { ...doc.components, schemas } };
  for (const name of inlined) {
    if (!JSON.stringify(result).includes(`"#/components/schemas/${name}"`)) delete schemas[name];
  }
  return result;
}

function hasDefaultedProperty(schema: Record<string, unknown>): boolean {
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  return Object.values(properties).some((property) => 'default' in property);
}

/** The generated document, finished as the API serves it. */
export async function finishDocument(doc: OpenApiDocument, auth: Auth): Promise<OpenApiDocument> {
  return withRequestDefaultsInlined(await withAuthPaths(doc, auth));
}

import { Scalar } from '@scalar/hono-api-reference';
import type { Auth } from './auth/auth.ts';
import { AUTH_BASE_PATH } from './auth/auth.ts';
import type { AppOpenAPI } from './types.ts';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

/** Any of these authenticates a protected route. */
export const SECURITY: Array<Record<string, string[]>> = [
  { cookieAuth: [] },
  { bearerAuth: [] },
  { apiKeyAuth: [] },
];

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

type OpenApiDocument = {
  paths?: Record<string, Record<string, { tags?: string[] } & Record<string, unknown>>>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  tags?: Array<{ name: string; description?: string }>;
} & Record<string, unknown>;

/** Better Auth's endpoints, under their mount path and the `Auth` tag, added to `doc`. */
async function withAuthPaths(doc: OpenApiDocument, auth: Auth): Promise<OpenApiDocument> {
  const generated = (await auth.api.generateOpenAPISchema()) as unknown as OpenApiDocument;
  const paths = { ...doc.paths };
  for (const [path, operations] of Object.entries(generated.paths ?? {})) {
    const tagged = Object.fromEntries(
      Object.entries(operations).map(([method, operation]) => [
        method,
        {
          ...operation,
          tags: ['Auth', ...(operation.tags ?? []).filter((tag) => tag !== 'Default')],
        },
      ]),
    );
    paths[`${AUTH_BASE_PATH}${path}`] = tagged;
  }
  return {
    ...doc,
    paths,
    components: {
      ...doc.components,
      schemas: { ...generated.components?.schemas, ...doc.components?.schemas },
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}

export interface OpenApiOptions {
  serverUrl: string;
  auth: Auth;
}

/** Serves the OpenAPI 3.1 document (routes and auth endpoints) and Scalar on top of it. */
export function configureOpenApi(app: AppOpenAPI, options: OpenApiOptions) {
  let document: Promise<OpenApiDocument> | undefined;
  app.get(OPENAPI_PATH, async (c) => {
    // Built once per app: the routes do not change while it runs.
    document ??= withAuthPaths(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'AI Backend API',
          version: '0.1.0',
          description:
            'Accounts, chats and AI routes. Every error answers `{ "error": { "code", "message", "requestId", "details"? } }`.',
        },
        servers: [{ url: options.serverUrl }],
      }) as unknown as OpenApiDocument,
      options.auth,
    );
    return c.json(await document);
  });
  app.get(
    DOCS_PATH,
    // The page's inline script runs under the docs CSP only with this request's nonce.
    Scalar((c) => ({
      url: OPENAPI_PATH,
      pageTitle: 'AI Backend API',
      theme: 'default',
      nonce: c.get('secureHeadersNonce'),
    })),
  );
}

import type { MiddlewareHandler } from 'hono';
import type { Auth } from './auth/auth.ts';
import { IMMUTABLE, readScalarAsset, SCALAR_ASSET, SCALAR_VERSION } from './docs-assets.ts';
import { notFound } from './errors.ts';
import type { OpenApiDocument } from './openapi-document.ts';
import type { AppBindings, AppOpenAPI } from './types.ts';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';
/** Scalar's script, served by the app (see lib/docs-assets.ts). */
export const DOCS_ASSET_PATH = `${DOCS_PATH}/assets/${SCALAR_ASSET}`;

/** Any of these authenticates a protected route. */
export const SECURITY: Array<Record<string, string[]>> = [
  { cookieAuth: [] },
  { bearerAuth: [] },
  { apiKeyAuth: [] },
];

export interface OpenApiOptions {
  serverUrl: string;
  auth: Auth;
}

/** Serves the OpenAPI 3.1 document (routes and auth endpoints) and Scalar on top of it. */
export function configureOpenApi(app: AppOpenAPI, options: OpenApiOptions) {
  let document: Promise<OpenApiDocument> | undefined;
  app.get(OPENAPI_PATH, async (c) => {
    // Built once per app: the routes do not change while it runs.
    document ??= import('./openapi-document.ts').then(({ finishDocument }) =>
      finishDocument(
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
      ),
    );
    return c.json(await document);
  });
  // Scalar loads with the first docs request, not at every cold start (a chunk of its own).
  let docs: Promise<MiddlewareHandler<AppBindings>> | undefined;
  app.get(DOCS_PATH, async (c, next) => {
    docs ??= import('@scalar/hono-api-reference').then(({ Scalar }) =>
      // The page's inline script runs under the docs CSP only with this request's nonce.
      // The script is this app's own copy (no CDN); no web fonts and no request proxy, so the
      // page needs no origin but this one.
      Scalar<AppBindings>((c) => ({
        url: OPENAPI_PATH,
        pageTitle: 'AI Backend API',
        theme: 'default',
        cdn: DOCS_ASSET_PATH,
        withDefaultFonts: false,
        nonce: c.get('secureHeadersNonce'),
      })),
    );
    return (await docs)(c, next);
  });
  app.get(`${DOCS_PATH}/assets/:file`, async (c) => {
    if (c.req.param('file') !== SCALAR_ASSET) return notFound(c);
    return new Response(await readScalarAsset(), {
      headers: {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': IMMUTABLE,
        // Set here so the caching middleware need not hash 5 MB to make one.
        etag: `"scalar-${SCALAR_VERSION}"`,
      },
    });
  });
}

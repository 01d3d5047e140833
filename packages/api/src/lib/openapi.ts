import { Scalar } from '@scalar/hono-api-reference';
import type { AppOpenAPI } from './types.ts';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

/** Serves the OpenAPI 3.1 document generated from the route schemas, and Scalar on top. */
export function configureOpenApi(app: AppOpenAPI, options: { serverUrl: string }) {
  app.doc31(OPENAPI_PATH, {
    openapi: '3.1.0',
    info: {
      title: 'AI Backend API',
      version: '0.1.0',
      description:
        'Accounts, chats and AI routes. Every error answers `{ "error": { "code", "message", "requestId", "details"? } }`.',
    },
    servers: [{ url: options.serverUrl }],
  });
  app.get(
    DOCS_PATH,
    Scalar({
      url: OPENAPI_PATH,
      pageTitle: 'AI Backend API',
      theme: 'default',
    }),
  );
}

import { createRouter } from '../lib/create-router.ts';
import { lazyHandlers } from '../lib/lazy-handler.ts';
import * as routes from './files.routes.ts';

// Handlers load on first use: the core bundle carries the definitions only.
const lazy = lazyHandlers(() => import('./files.handlers.ts'));

// The local storage's routes come first: `/api/files/downloads` would otherwise match
// `/api/files/{fileId}`.
export const filesRouter = createRouter()
  .openapi(routes.localUpload, lazy('localUpload'))
  .openapi(routes.localDownload, lazy('localDownload'))
  .openapi(routes.create, lazy('create'))
  .openapi(routes.list, lazy('list'))
  .openapi(routes.get, lazy('get'))
  .openapi(routes.complete, lazy('complete'))
  .openapi(routes.download, lazy('download'))
  .openapi(routes.remove, lazy('remove'))
  .openapi(routes.search, lazy('search'));

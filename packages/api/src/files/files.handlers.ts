import type { Context } from 'hono';
import { hasVectorSupport } from '../lib/db/vector.ts';
import { ERROR_CODES, errorResponse } from '../lib/errors.ts';
import { adapterOf } from '../lib/storage/index.ts';
import type { LocalStorage } from '../lib/storage/local.ts';
import type { ObjectStorage } from '../lib/storage/types.ts';
import type { AppBindings, AppRouteHandler } from '../lib/types.ts';
import { callerOf } from '../middleware/auth.ts';
import type {
  CompleteRoute,
  CreateRoute,
  DownloadRoute,
  GetRoute,
  ListRoute,
  LocalDownloadRoute,
  LocalUploadRoute,
  RemoveRoute,
  SearchRoute,
} from './files.routes.ts';
import {
  type CompleteResult,
  createFilesService,
  type FilesService,
  fileLimitsOf,
  toFile,
} from './files.service.ts';

/** The files service on the request's deps, or null when no storage is configured. */
const filesOf = (c: Context<AppBindings>): FilesService | null => {
  const { deps } = c.var;
  if (!deps.storage) return null;
  return createFilesService({
    db: deps.database.db,
    storage: deps.storage,
    queue: deps.jobs.queue,
    limits: fileLimitsOf(deps.env),
  });
};

const noStorage = (c: Context<AppBindings>) =>
  errorResponse(
    c,
    503,
    ERROR_CODES.FILE_STORAGE_UNAVAILABLE,
    'File storage is not configured (FILES_BUCKET)',
  );

// Another user's file answers exactly like a missing one.
const notFound = (c: Context<AppBindings>) =>
  errorResponse(c, 404, ERROR_CODES.NOT_FOUND, 'File not found');

/** 503 when the database cannot embed or search (no pgvector); null when it can. */
async function vectorsMissing(c: Context<AppBindings>) {
  if (await hasVectorSupport(c.var.deps.database.db)) return null;
  return errorResponse(
    c,
    503,
    ERROR_CODES.VECTOR_SEARCH_UNAVAILABLE,
    'This database has no pgvector: files cannot be embedded or searched',
  );
}

/** The answer to a failed confirmation. */
function completionFailure(c: Context<AppBindings>, result: Exclude<CompleteResult, { ok: true }>) {
  switch (result.reason) {
    case 'not-uploaded':
      return errorResponse(
        c,
        409,
        ERROR_CODES.FILE_NOT_UPLOADED,
        'Nothing was uploaded for this file yet',
      );
    case 'size-mismatch':
      return errorResponse(
        c,
        422,
        ERROR_CODES.FILE_SIZE_MISMATCH,
        `The stored file has ${result.stored} bytes, not the ${result.declared} declared; it was deleted`,
        { declaredBytes: result.declared, storedBytes: result.stored },
      );
    case 'type-mismatch':
      return errorResponse(
        c,
        415,
        ERROR_CODES.FILE_TYPE_MISMATCH,
        `The stored file is ${result.detected}, not the ${result.declared} declared; it was deleted`,
        { declared: result.declared, detected: result.detected },
      );
  }
}

export const create: AppRouteHandler<CreateRoute> = async (c) => {
  const service = filesOf(c);
  if (!service) return noStorage(c);
  const unavailable = await vectorsMissing(c);
  if (unavailable) return unavailable;
  const { user } = callerOf(c);
  const result = await service.create(user.id, c.req.valid('json'));
  if (result.ok) return c.json({ file: toFile(result.file), upload: result.upload }, 201);
  switch (result.reason) {
    case 'type-not-allowed':
      return errorResponse(
        c,
        415,
        ERROR_CODES.FILE_TYPE_NOT_ALLOWED,
        'Files of this type are not accepted',
        { allowedTypes: result.allowedTypes },
      );
    case 'too-large':
      return errorResponse(
        c,
        413,
        ERROR_CODES.FILE_TOO_LARGE,
        `Files may have at most ${result.maxBytes} bytes`,
        { maxBytes: result.maxBytes },
      );
    case 'quota-files':
      return errorResponse(
        c,
        409,
        ERROR_CODES.FILE_QUOTA_EXCEEDED,
        `You already have ${result.quota.files} of ${result.quota.maxFiles} files`,
        { quota: result.quota },
      );
    case 'quota-bytes':
      return errorResponse(
        c,
        413,
        ERROR_CODES.FILE_QUOTA_EXCEEDED,
        `This file would take your files past ${result.quota.maxBytes} bytes`,
        { quota: result.quota },
      );
  }
};

export const complete: AppRouteHandler<CompleteRoute> = async (c) => {
  const service = filesOf(c);
  if (!service) return noStorage(c);
  const { fileId } = c.req.valid('param');
  const { user } = callerOf(c);
  const file = await service.find(user.id, fileId);
  if (!file) return notFound(c);
  const unavailable = await vectorsMissing(c);
  if (unavailable) return unavailable;
  const result = await service.complete(file);
  if (!result.ok) return completionFailure(c, result);
  return c.json(toFile(result.file), 200);
};

export const list: AppRouteHandler<ListRoute> = async (c) => {
  const service = filesOf(c);
  if (!service) return noStorage(c);
  const { limit, cursor } = c.req.valid('query');
  const { user } = callerOf(c);
  return c.json(await service.listPage(user.id, limit, cursor), 200);
};

export const get: AppRouteHandler<GetRoute> = async (c) => {
  const service = filesOf(c);
  if (!service) return noStorage(c);
  const { fileId } = c.req.valid('param');
  const { user } = callerOf(c);
  const file = await service.find(user.id, fileId);
  if (!file) return notFound(c);
  return c.json(toFile(file), 200);
};

export const download: AppRouteHandler<DownloadRoute> = async (c) => {
  const service = filesOf(c);
  if (!service) return noStorage(c);
  const { fileId } = c.req.valid('param');
  const { user } = callerOf(c);
  const link = await service.downloadLink(user.id, fileId);
  if (!link) return notFound(c);
  if (link === 'not-uploaded')
    return errorResponse(c, 409, ERROR_CODES.FILE_NOT_UPLOADED, 'This file was never uploaded');
  return c.json(link, 200);
};

export const remove: AppRouteHandler<RemoveRoute> = async (c) => {
  const service = filesOf(c);
  if (!service) return noStorage(c);
  const { fileId } = c.req.valid('param');
  const { user } = callerOf(c);
  if (!(await service.remove(user.id, fileId))) return notFound(c);
  return c.body(null, 204);
};

/** The local storage's adapter, or null when files go to S3 (or nowhere). */
const localStorageOf = async (storage: ObjectStorage | null) =>
  storage?.kind === 'local' ? ((await adapterOf(storage)) as LocalStorage) : null;

const invalidToken = (c: Context<AppBindings>) =>
  errorResponse(c, 403, ERROR_CODES.UPLOAD_TOKEN_INVALID, 'The link is invalid or has expired');

/** The media type without parameters, lower-cased. */
const mediaTypeOf = (header: string | undefined) =>
  (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

export const localUpload: AppRouteHandler<LocalUploadRoute> = async (c) => {
  const storage = await localStorageOf(c.var.deps.storage);
  if (!storage) return notFound(c);
  const service = filesOf(c) as FilesService;
  const claims = storage.verify(c.req.valid('query').token, 'upload');
  if (!claims) return invalidToken(c);
  // What S3's POST policy pins, checked the same way: the type, and the size as it streams.
  if (mediaTypeOf(c.req.header('content-type')) !== claims.contentType)
    return errorResponse(
      c,
      415,
      ERROR_CODES.FILE_TYPE_MISMATCH,
      `The upload must be sent as ${claims.contentType}`,
      { declared: claims.contentType },
    );
  const tooLarge = () =>
    errorResponse(
      c,
      413,
      ERROR_CODES.FILE_TOO_LARGE,
      `The upload is larger than the ${claims.size} bytes declared; nothing was stored`,
      { declaredBytes: claims.size },
    );
  const length = Number(c.req.header('content-length') ?? Number.NaN);
  if (length > claims.size) return tooLarge();
  if (!(await service.pendingByKey(claims.key)))
    return errorResponse(c, 409, ERROR_CODES.CONFLICT, 'This file is no longer waiting for upload');
  const outcome = await storage.write(claims.key, c.req.raw.body, claims.size);
  if (outcome === 'too-large') return tooLarge();
  if (outcome === 'too-small')
    return errorResponse(
      c,
      400,
      ERROR_CODES.FILE_SIZE_MISMATCH,
      `The upload is shorter than the ${claims.size} bytes declared; nothing was stored`,
      { declaredBytes: claims.size },
    );
  return c.body(null, 204);
};

export const localDownload: AppRouteHandler<LocalDownloadRoute> = async (c) => {
  const storage = await localStorageOf(c.var.deps.storage);
  if (!storage) return notFound(c);
  const claims = storage.verify(c.req.valid('query').token, 'download');
  if (!claims) return invalidToken(c);
  const object = await storage.openRead(claims.key);
  if (!object) return notFound(c);
  const name = encodeURIComponent(claims.fileName ?? 'download');
  return c.body(object.stream, 200, {
    'content-type': claims.contentType,
    'content-length': String(object.size),
    // The API's content security policy (secure-headers.ts) sandboxes it as well: a stored
    // HTML file never runs as a page of the app's origin.
    'content-disposition': `attachment; filename*=UTF-8''${name}`,
  });
};

// Document search.

export const search: AppRouteHandler<SearchRoute> = async (c) => {
  const { query, fileIds, limit } = c.req.valid('json');
  const { user } = callerOf(c);
  const [{ loadAiRuntime }, { toModelError }] = await Promise.all([
    import('../ai/runtime/load.ts'),
    import('../ai/agents/agents.service.ts'),
  ]);
  const { retrieval, embedder } = await loadAiRuntime(c.var.deps);
  const result = await retrieval
    .search({
      userId: user.id,
      query,
      limit,
      ...(fileIds ? { fileIds } : {}),
      signal: c.req.raw.signal,
    })
    // The embedding endpoint failing or timing out: 502 / 504, as for the chat models.
    .catch((error: unknown) => {
      throw toModelError(error);
    });
  return c.json(
    {
      items: result.hits,
      mode: result.mode,
      embedding: { model: embedder.model, local: embedder.local },
    },
    200,
  );
};

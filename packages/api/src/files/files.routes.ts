/**
 * The files routes: start an upload, confirm it, list, read, download and delete one's files;
 * and, for the local storage only, the signed upload and download URLs the app serves itself.
 * Definitions only: the handlers load on first use (files.index.ts).
 */
import { FILE_STATUSES, fileInsertSchema, fileSelectSchema } from '@backend/shared';
import { createRoute, z } from '@hono/zod-openapi';
import { SECURITY } from '../lib/openapi.ts';
import { pageQuerySchema, pageSchema } from '../lib/pagination.ts';
import { errorResponses, jsonContent } from '../lib/responses.ts';
import { LOCAL_DOWNLOAD_PATH, LOCAL_UPLOAD_PATH } from '../lib/storage/paths.ts';
import { requirePermission } from '../middleware/auth.ts';

/** The OpenAPI tag of every files route (search included). */
export const FILES_TAG = 'Files';
const tags = [FILES_TAG];

export const fileSchema = z
  .object({
    ...fileSelectSchema.shape,
    status: z.enum(FILE_STATUSES).openapi({ description: '`failed`: see `failureReason`.' }),
  })
  .openapi('File');
const newFileSchema = z.strictObject(fileInsertSchema.shape).openapi('NewFile', {
  example: { name: 'notes.md', contentType: 'text/markdown', size: 2048 },
});
const uploadTargetSchema = z
  .object({
    url: z.string(),
    method: z.enum(['POST', 'PUT']).openapi({
      description: '`POST`: a form, `fields` then the file (S3); `PUT`: the bytes with `headers`.',
    }),
    fields: z.record(z.string(), z.string()).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    expiresAt: z.iso.datetime({ offset: true }),
  })
  .openapi('UploadTarget');
const linkSchema = z
  .object({ url: z.string(), expiresAt: z.iso.datetime({ offset: true }) })
  .openapi('DownloadLink');
const fileParams = z.object({
  fileId: z.uuid().openapi({
    param: { name: 'fileId', in: 'path' },
    example: '0192f0c4-8b1e-7c3a-9b5e-1f2a3b4c5d6e',
  }),
});
const tokenQuery = z.object({
  token: z
    .string()
    .min(1)
    .max(2_048)
    .openapi({ description: 'The signed, expiring token of the link the API gave.' }),
});

export const create = createRoute({
  method: 'post',
  path: '/api/files',
  tags,
  summary: 'Start an upload: a file record and a direct upload target',
  description:
    'Upload the bytes to `upload`, then call `complete`. Over a quota: 409 (files) or 413 (bytes), the quota in `details`.',
  security: SECURITY,
  middleware: [requirePermission({ file: ['create'] })] as const,
  request: { body: { required: true, content: { 'application/json': { schema: newFileSchema } } } },
  responses: {
    201: jsonContent(
      z.object({ file: fileSchema, upload: uploadTargetSchema }).openapi('NewUpload'),
      'The file (`pending`) and where to upload it.',
    ),
    ...errorResponses(400, 401, 403, 409, 413, 415, 422, 503),
  },
});

export const complete = createRoute({
  method: 'post',
  path: '/api/files/{fileId}/complete',
  tags,
  summary: 'Confirm an upload: check the stored bytes and queue ingestion',
  description:
    'The stored bytes must have the declared size (422) and type (415; the object is deleted).',
  security: SECURITY,
  middleware: [requirePermission({ file: ['create'] })] as const,
  request: { params: fileParams },
  responses: {
    200: jsonContent(fileSchema, 'The file, now `processing` (or as it already was).'),
    ...errorResponses(401, 403, 404, 409, 415, 422, 503),
  },
});

export const list = createRoute({
  method: 'get',
  path: '/api/files',
  tags,
  summary: 'List my files, newest first',
  security: SECURITY,
  middleware: [requirePermission({ file: ['read'] })] as const,
  request: { query: pageQuerySchema },
  responses: {
    200: jsonContent(pageSchema(fileSchema, 'FilePage'), 'A page of files.'),
    ...errorResponses(401, 403, 422, 503),
  },
});

export const get = createRoute({
  method: 'get',
  path: '/api/files/{fileId}',
  tags,
  summary: 'Get one of my files: status, failure reason, chunk count',
  security: SECURITY,
  middleware: [requirePermission({ file: ['read'] })] as const,
  request: { params: fileParams },
  responses: {
    200: jsonContent(fileSchema, 'The file.'),
    ...errorResponses(401, 403, 404, 422, 503),
  },
});

export const download = createRoute({
  method: 'get',
  path: '/api/files/{fileId}/download',
  tags,
  summary: 'A short-lived download link to one of my files',
  security: SECURITY,
  middleware: [requirePermission({ file: ['read'] })] as const,
  request: { params: fileParams },
  responses: {
    200: jsonContent(linkSchema, 'The link and when it expires.'),
    ...errorResponses(401, 403, 404, 409, 422, 503),
  },
});

export const remove = createRoute({
  method: 'delete',
  path: '/api/files/{fileId}',
  tags,
  summary: 'Delete one of my files: the stored object, its chunks and embeddings',
  security: SECURITY,
  middleware: [requirePermission({ file: ['delete'] })] as const,
  request: { params: fileParams },
  responses: {
    204: { description: 'Deleted, chunks and embeddings included.' },
    ...errorResponses(401, 403, 404, 422, 503),
  },
});

export const localUpload = createRoute({
  method: 'put',
  path: LOCAL_UPLOAD_PATH,
  tags,
  summary: 'Upload target of the local storage (the `url` of a `PUT` upload)',
  description: 'Local storage only (no FILES_BUCKET); the token is the credential.',
  request: {
    query: tokenQuery,
    body: {
      required: true,
      content: {
        'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) },
      },
    },
  },
  responses: {
    204: { description: 'Stored.' },
    ...errorResponses(400, 403, 404, 409, 413, 415, 422, 503),
  },
});

export const localDownload = createRoute({
  method: 'get',
  path: LOCAL_DOWNLOAD_PATH,
  tags,
  summary: 'Download link of the local storage (the `url` a download answers)',
  description: 'Local storage only (no FILES_BUCKET).',
  request: { query: tokenQuery },
  responses: {
    200: {
      description: 'The file, as an attachment.',
      content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    ...errorResponses(403, 404, 422, 503),
  },
});

// Document search.

/** The modes a search can answer in (files/retrieval.ts). */
const SEARCH_MODE_NAMES = ['vector', 'text', 'hybrid'] as const;

const searchRequestSchema = z
  .strictObject({
    query: z.string().trim().min(1).max(1_000),
    fileIds: z
      .array(z.uuid())
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: 'Only these files (ids of files of yours; others match nothing).' }),
    limit: z.number().int().min(1).max(50).default(10),
  })
  .openapi('FileSearchRequest', { example: { query: 'parental leave', limit: 5 } });
const searchHitSchema = z
  .object({
    fileId: z.uuid(),
    fileName: z.string(),
    position: z.number().int().openapi({ description: "The chunk's place in its file, from 0." }),
    content: z.string(),
    score: z.number().openapi({
      description:
        'Higher is better: cosine similarity (`vector`), text rank (`text`) or the fused rank score (`hybrid`).',
    }),
  })
  .openapi('FileSearchHit');

export const search = createRoute({
  method: 'post',
  path: '/api/files/search',
  tags,
  summary: 'Search my documents: the chunks that best answer a query',
  description:
    'Hybrid search (pgvector nearest chunks ranked again by full text) over your own files only; full-text only on a database without pgvector. The query embedding counts against your daily token budget (429 when spent).',
  security: SECURITY,
  middleware: [requirePermission({ file: ['read'] })] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: searchRequestSchema } } },
  },
  responses: {
    200: jsonContent(
      z
        .object({
          items: z.array(searchHitSchema),
          mode: z.enum(SEARCH_MODE_NAMES),
          embedding: z.object({
            model: z.string(),
            local: z.boolean().openapi({ description: 'The deterministic local embedding.' }),
          }),
        })
        .openapi('FileSearchResults'),
      'The best chunks, best first.',
    ),
    ...errorResponses(400, 401, 403, 422, 429, 502, 504),
  },
});

export type CreateRoute = typeof create;
export type CompleteRoute = typeof complete;
export type ListRoute = typeof list;
export type GetRoute = typeof get;
export type DownloadRoute = typeof download;
export type RemoveRoute = typeof remove;
export type LocalUploadRoute = typeof localUpload;
export type LocalDownloadRoute = typeof localDownload;
export type SearchRoute = typeof search;

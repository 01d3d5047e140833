/**
 * The Zod schemas of files and their chunks: what the API accepts and answers, derived from
 * their tables (files.ts). Apart from the tables so that what only needs the tables (the
 * database client, a cold start) does not build them.
 */
import { createInsertSchema, createSelectSchema } from 'drizzle-zod';
import { z } from 'zod';
import { lineText } from '../../text.ts';
import { FILE_NAME_MAX, fileChunks, files } from './files.ts';

// Zod schemas. Timestamps travel as ISO 8601 strings; the owner and the storage key never
// leave the server.
const isoTimestamp = z.iso.datetime({ offset: true });

export const fileSelectSchema = createSelectSchema(files, {
  size: z.number().int().nonnegative(),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
  completedAt: isoTimestamp.nullable(),
}).omit({ userId: true, storageKey: true });

/**
 * What a client declares to start an upload. Which content types and sizes are allowed is
 * configuration, checked by the API. Unknown fields are refused.
 */
export const fileInsertSchema = createInsertSchema(files, {
  name: lineText(FILE_NAME_MAX),
  contentType: z
    .string()
    .trim()
    .toLowerCase()
    .min(1)
    .max(255)
    .regex(/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/, { error: 'Must be a media type' }),
  size: z.number().int().positive(),
})
  .pick({ name: true, contentType: true, size: true })
  .strict();

export const fileChunkSelectSchema = createSelectSchema(fileChunks, {
  createdAt: isoTimestamp,
}).omit({ userId: true, embedding: true, search: true });

/** A chunk as ingestion writes it (the generated `search` column is not insertable). */
export const fileChunkInsertSchema = createInsertSchema(fileChunks).omit({
  id: true,
  createdAt: true,
});

export type FileResponse = z.infer<typeof fileSelectSchema>;
export type FileChunkResponse = z.infer<typeof fileChunkSelectSchema>;

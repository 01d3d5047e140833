/**
 * The chat domain's Zod schemas: what the API accepts and answers for chats and messages,
 * derived from their tables (chats.ts). Apart from the tables so that what only needs the
 * tables (the database client, a cold start) does not build them.
 */
import { createInsertSchema, createSelectSchema, createUpdateSchema } from 'drizzle-zod';
import { z } from 'zod';
import { freeText, lineText } from '../../text.ts';
import { CHAT_TITLE_MAX, chats, MESSAGE_CONTENT_MAX, messages } from './chats.ts';

// Zod schemas. Timestamps travel as ISO 8601 strings; the owner never leaves the server.
const isoTimestamp = z.iso.datetime({ offset: true });

export const chatSelectSchema = createSelectSchema(chats, {
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
}).omit({ userId: true });

/** What a client may send to create a chat. Unknown fields are refused. */
export const chatInsertSchema = createInsertSchema(chats, { title: lineText(CHAT_TITLE_MAX) })
  .pick({ title: true })
  .strict();

/** What a client may change on a chat. Unknown fields are refused. */
export const chatPatchSchema = createUpdateSchema(chats, { title: lineText(CHAT_TITLE_MAX) })
  .pick({ title: true })
  .required()
  .strict();

export const messageSelectSchema = createSelectSchema(messages, {
  createdAt: isoTimestamp,
}).omit({ userId: true });

/** What a client may send as a message: its own words, so the role is always `user`. */
export const messageInsertSchema = createInsertSchema(messages, {
  content: freeText(MESSAGE_CONTENT_MAX),
})
  .pick({ content: true })
  .strict();

export type ChatResponse = z.infer<typeof chatSelectSchema>;
export type MessageResponse = z.infer<typeof messageSelectSchema>;

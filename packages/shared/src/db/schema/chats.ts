/**
 * The chat domain: chats owned by one user, and their messages in order.
 */
import { relations } from 'drizzle-orm';
import { index, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt, uuidV7PrimaryKey } from '../columns.ts';
import { ownerId } from './auth.ts';

/** Longest chat title, in characters. */
export const CHAT_TITLE_MAX = 200;
/** Longest message, in characters. */
export const MESSAGE_CONTENT_MAX = 32_000;

export const MESSAGE_ROLES = ['user', 'assistant', 'system', 'tool'] as const;
export const messageRole = pgEnum('message_role', MESSAGE_ROLES);
/** `incomplete`: a streamed reply cut short (the client left, or the model failed mid-way). */
export const MESSAGE_STATUSES = ['complete', 'incomplete'] as const;
export const messageStatus = pgEnum('message_status', MESSAGE_STATUSES);

export const chats = pgTable(
  'chats',
  {
    // UUIDv7: time-ordered, so new rows land at the end of the primary-key index.
    id: uuidV7PrimaryKey(),
    userId: ownerId(),
    title: text('title').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // "My chats, newest first", with the id as the tie-breaker of the cursor.
  (table) => [index('chats_user_id_created_at_id_idx').on(table.userId, table.createdAt, table.id)],
);

export const messages = pgTable(
  'messages',
  {
    id: uuidV7PrimaryKey(),
    chatId: uuid('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' }),
    // The owner, kept on every message so a query can never reach another user's rows.
    userId: ownerId(),
    role: messageRole('role').notNull(),
    content: text('content').notNull(),
    status: messageStatus('status').notNull().default('complete'),
    /** The model that wrote an assistant message (`local` for the local model); null otherwise. */
    model: text('model'),
    createdAt: createdAt(),
  },
  // "Messages of a chat in order", with the id as the tie-breaker of the cursor.
  (table) => [
    index('messages_chat_id_created_at_id_idx').on(table.chatId, table.createdAt, table.id),
    index('messages_user_id_idx').on(table.userId),
  ],
);

export const chatsRelations = relations(chats, ({ many }) => ({ messages: many(messages) }));
export const messagesRelations = relations(messages, ({ one }) => ({
  chat: one(chats, { fields: [messages.chatId], references: [chats.id] }),
}));

export type Chat = typeof chats.$inferSelect;
export type NewChat = typeof chats.$inferInsert;
export type Message = typeof messages.$inferSelect;
export type NewMessage = typeof messages.$inferInsert;
export type MessageRole = (typeof MESSAGE_ROLES)[number];
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

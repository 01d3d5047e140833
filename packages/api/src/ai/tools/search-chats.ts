/**
 * The chat-search tool: finds the caller's own messages (and chats by title). The user is
 * bound when the tool is built, from the authenticated caller; nothing the model sends can
 * name another user, and every query is parameterised and filtered by that user on both
 * tables.
 */
import { chats, messages } from '@backend/shared/schema';
import { tool } from '@langchain/core/tools';
import { and, desc, eq, ilike, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../lib/db/index.ts';

/** Most results one search returns. */
export const SEARCH_LIMIT_MAX = 20;
const EXCERPT_CHARS = 200;

export interface ChatSearchHit {
  chatId: string;
  chatTitle: string;
  messageId: string;
  role: string;
  excerpt: string;
  createdAt: string;
}

/** `text` as a literal ILIKE pattern fragment: `%`, `_` and `\` match themselves. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

function excerptAround(content: string, query: string): string {
  if (content.length <= EXCERPT_CHARS) return content;
  const at = Math.max(0, content.toLowerCase().indexOf(query.toLowerCase()));
  const start = Math.max(0, Math.min(at - 40, content.length - EXCERPT_CHARS));
  const text = content.slice(start, start + EXCERPT_CHARS);
  return `${start > 0 ? '…' : ''}${text}${start + EXCERPT_CHARS < content.length ? '…' : ''}`;
}

/** The caller's messages whose text (or whose chat's title) contains `query`, newest first. */
export async function searchChats(
  db: Database,
  userId: string,
  query: string,
  limit = 5,
): Promise<ChatSearchHit[]> {
  const pattern = `%${escapeLike(query)}%`;
  const rows = await db
    .select({
      chatId: chats.id,
      chatTitle: chats.title,
      messageId: messages.id,
      role: messages.role,
      content: messages.content,
      createdAt: messages.createdAt,
    })
    .from(messages)
    .innerJoin(chats, eq(chats.id, messages.chatId))
    .where(
      and(
        eq(messages.userId, userId),
        eq(chats.userId, userId),
        or(ilike(messages.content, pattern), ilike(chats.title, pattern)),
      ),
    )
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(Math.min(Math.max(1, limit), SEARCH_LIMIT_MAX));
  return rows.map((row) => ({
    chatId: row.chatId,
    chatTitle: row.chatTitle,
    messageId: row.messageId,
    role: row.role,
    excerpt: excerptAround(row.content, query),
    createdAt: row.createdAt.toISOString(),
  }));
}

export interface SearchChatsToolOptions {
  db: Database;
  /** The authenticated caller: the only user whose rows the tool can read. */
  userId: string;
}

export function createSearchChatsTool({ db, userId }: SearchChatsToolOptions) {
  return tool(
    async ({ query, limit }) => {
      const hits = await searchChats(db, userId, query, limit ?? 5);
      return hits.length === 0 ? 'No matching messages.' : JSON.stringify(hits);
    },
    {
      name: 'search_chats',
      description:
        "Searches the user's own chats and messages for text; answers JSON hits with the chat, the message and an excerpt.",
      schema: z.object({
        query: z.string().trim().min(1).max(200).describe('Text to look for'),
        limit: z.number().int().min(1).max(SEARCH_LIMIT_MAX).optional(),
      }),
    },
  );
}

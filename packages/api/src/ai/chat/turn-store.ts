/**
 * Storing a chat turn: the user's message and the reply (and a new chat) in one
 * transaction, through the chats service, once the reply is known.
 */
import type { Message, MessageStatus } from '@backend/shared/schema';
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import type { ChatsService } from '../../routes/chats/chats.service.ts';
import type { StoredMessage, Turn } from './chat.types.ts';

/** Longest title of a chat started by `POST /api/ai/chat`, in characters. */
const TITLE_CHARS = 80;

const titleOf = (message: string) =>
  Array.from(message.replace(/\s+/g, ' ').trim()).slice(0, TITLE_CHARS).join('');

export const toStored = (row: Message): StoredMessage => ({
  id: row.id,
  chatId: row.chatId,
  role: row.role as 'user' | 'assistant',
  content: row.content,
  status: row.status,
  model: row.model,
  createdAt: row.createdAt.toISOString(),
});

/** Stores the turn; a chat deleted (or never the caller's) meanwhile is a 404. */
export async function storeTurn(
  chats: Pick<ChatsService, 'appendTurn'>,
  turn: Turn,
  reply: { content: string; status: MessageStatus },
): Promise<{ question: Message; answer: Message }> {
  const { input } = turn;
  const stored = await chats.appendTurn(
    input.userId,
    turn.chatId,
    [
      { role: 'user', content: input.message },
      { role: 'assistant', content: reply.content, status: reply.status, model: turn.model.name },
    ],
    turn.isNew ? { newTitle: titleOf(input.message) } : {},
  );
  const [question, answer] = stored ?? [];
  if (!question || !answer) throw new ApiError(404, ERROR_CODES.NOT_FOUND, 'Chat not found');
  return { question, answer };
}

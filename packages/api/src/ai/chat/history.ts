/**
 * A chat's earlier messages as the model's memory: the newest that fit the token window
 * (AI_HISTORY_TOKENS), starting on a human message.
 */
import type { Message } from '@backend/shared/schema';
import {
  AIMessage,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  trimMessages,
} from '@langchain/core/messages';
import type { ChatsService } from '../../routes/chats/chats.service.ts';
import { countTokens, messageText } from '../runtime/tokens.ts';

/** Most earlier messages read from a chat before trimming to the token window. */
const HISTORY_ROWS = 200;

/** Tokens of `text` for the history window: the word count, or ~4 characters each. */
const estimateTokens = (text: string) => Math.max(countTokens(text), Math.ceil(text.length / 4));
const countMessages = (list: BaseMessage[]) =>
  list.reduce((sum, message) => sum + estimateTokens(messageText(message)) + 1, 0);

const toLangChain = (row: Message): BaseMessage | null => {
  if (row.role === 'user') return new HumanMessage(row.content);
  if (row.role === 'assistant') return new AIMessage(row.content);
  if (row.role === 'system') return new SystemMessage(row.content);
  return null; // A tool result out of its call's context means nothing to a model.
};

/** The chat's earlier messages that fit `maxTokens`; null unless it is the caller's. */
export async function readHistory(
  chats: Pick<ChatsService, 'recentMessages'>,
  userId: string,
  chatId: string,
  maxTokens: number,
): Promise<BaseMessage[] | null> {
  const rows = await chats.recentMessages(userId, chatId, HISTORY_ROWS);
  if (!rows) return null;
  const earlier = rows
    .map(toLangChain)
    .filter((message): message is BaseMessage => message !== null);
  return trimMessages(earlier, {
    maxTokens,
    strategy: 'last',
    tokenCounter: countMessages,
    startOn: 'human',
  });
}

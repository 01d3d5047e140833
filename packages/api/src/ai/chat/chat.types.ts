/** The AI chat's inputs, results and stream events. */
import type { MessageStatus } from '@backend/shared/schema';
import type { BaseMessage } from '@langchain/core/messages';
import type { ModelProvider, ResolvedModel } from '../runtime/models.ts';
import type { BudgetReservation } from '../usage/budget.ts';

export interface ChatInput {
  userId: string;
  requestId: string;
  message: string;
  chatId?: string;
  model?: string;
  /** The caller opted in to a cached answer. */
  cache: boolean;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: number;
}

export const NO_USAGE: TokenUsage = {
  promptTokens: 0,
  completionTokens: 0,
  totalTokens: 0,
  costUsd: 0,
};

export interface StoredMessage {
  id: string;
  chatId: string;
  role: 'user' | 'assistant';
  content: string;
  status: MessageStatus;
  model: string | null;
  createdAt: string;
}

export interface ChatReply {
  chatId: string;
  model: string;
  provider: ModelProvider;
  message: StoredMessage;
  userMessageId: string;
  usage: TokenUsage;
  cached: boolean;
  filtered: boolean;
}

/** Events of a streamed reply, in order: start, token…, [withheld | error], end. */
export type ChatStreamEvent =
  | { event: 'start'; data: { chatId: string; model: string; provider: ModelProvider } }
  | { event: 'token'; data: { text: string } }
  | { event: 'withheld'; data: { content: string } }
  | { event: 'error'; data: { error: { code: string; message: string; requestId: string } } }
  | {
      event: 'end';
      data: {
        chatId: string;
        messageId: string;
        userMessageId: string;
        model: string;
        status: MessageStatus;
        usage: TokenUsage;
        cached: boolean;
        filtered: boolean;
      };
    };

export interface ChatStream {
  /** The events; the turn is stored before `end`. Ends early when `abort()` is called. */
  events: AsyncGenerator<ChatStreamEvent>;
  /** The client left: stop generating and store what there is, marked incomplete. */
  abort(): void;
  /** Resolves once the turn is stored (or nothing was to be stored). */
  done: Promise<void>;
}

/** One turn of a conversation, checked and ready for the model. */
export interface Turn {
  input: ChatInput;
  model: ResolvedModel;
  chatId: string;
  isNew: boolean;
  prompt: BaseMessage[];
  cacheKey: string | null;
  /** The budget reservation, under way; see `callModel`. Settled by `settle`. */
  budget: Promise<BudgetReservation>;
}

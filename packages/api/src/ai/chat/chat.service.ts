/**
 * Chat with a model, on top of the chats feature: the conversation is a chat, its earlier
 * messages are the model's memory (the newest that fit AI_HISTORY_TOKENS), and a turn stores
 * the user's message and the reply together, in one transaction, once the reply is known:
 * a provider that fails or times out before answering leaves nothing behind.
 *
 * Order of checks (each before any model call): the model is allowlisted (422), the message
 * fits AI_MESSAGE_MAX_CHARS (422), the chat is the caller's (404), the caller is under the
 * daily token budget (429).
 *
 * The concerns live beside this file: the history window (history.ts), the reply cache
 * (reply-cache.ts), the provider call with its budget gate and error mapping
 * (provider-call.ts), the stream's events (stream-events.ts) and storing a turn
 * (turn-store.ts).
 */
import type { AIMessage, AIMessageChunk } from '@langchain/core/messages';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { v7 as uuidv7 } from 'uuid';
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import type { ChatsService } from '../../routes/chats/chats.service.ts';
import type { ModelRegistry } from '../runtime/models.ts';
import { type OutputFilter, WITHHELD_REPLY } from '../runtime/output-filter.ts';
import type { RunConfigFactory } from '../runtime/run-config.ts';
import { promptTokens } from '../usage/budget.ts';
import type { UsageService } from '../usage/usage.service.ts';
import {
  type ChatInput,
  type ChatReply,
  type ChatStream,
  NO_USAGE,
  type TokenUsage,
  type Turn,
} from './chat.types.ts';
import { readHistory } from './history.ts';
import { callModel, deadlineSignals, providerError, settle } from './provider-call.ts';
import type { ReplyCache } from './reply-cache.ts';
import { chatStreamEvents, hasOutput, textOf } from './stream-events.ts';
import { storeTurn, toStored } from './turn-store.ts';

export type {
  ChatInput,
  ChatReply,
  ChatStream,
  ChatStreamEvent,
  StoredMessage,
  TokenUsage,
} from './chat.types.ts';
export { providerError } from './provider-call.ts';

/** What the model is told before the conversation. */
export const SYSTEM_PROMPT =
  'You are a helpful assistant inside an API. Answer concisely and say when you do not know.';

export interface ChatService {
  /** One turn, answered whole. */
  reply(input: ChatInput): Promise<ChatReply>;
  /**
   * One turn, streamed. Resolves once the model has produced its first chunk, so a failure
   * before any output still rejects with a 502/504 ApiError (and nothing is stored).
   */
  stream(input: ChatInput): Promise<ChatStream>;
}

export interface ChatServiceOptions {
  chats: Pick<ChatsService, 'recentMessages' | 'appendTurn'>;
  replyCache: ReplyCache;
  models: ModelRegistry;
  usage: Pick<UsageService, 'reserve' | 'costOf'>;
  outputFilter: OutputFilter;
  runConfig: RunConfigFactory;
  limits: {
    /** AI_MESSAGE_MAX_CHARS */
    messageMaxChars: number;
    /** AI_HISTORY_TOKENS */
    historyTokens: number;
    /** AI_REQUEST_TIMEOUT_MS */
    requestTimeoutMs: number;
  };
}

export function createChatService(options: ChatServiceOptions): ChatService {
  const { chats, replyCache, models, usage, outputFilter, runConfig, limits } = options;

  async function prepare(input: ChatInput): Promise<Turn> {
    const model = models.resolve(input.model);
    if (input.message.length > limits.messageMaxChars) {
      throw new ApiError(422, ERROR_CODES.VALIDATION_FAILED, 'The message is too long', {
        details: [
          {
            location: 'body',
            path: 'message',
            message: `Must be at most ${limits.messageMaxChars} characters`,
          },
        ],
      });
    }
    // The call's worst case is reserved while the history is read, and awaited before the
    // model is called (see `callModel`): a chat that is not the caller's answers 404 first.
    // The history is not known yet: its window, AI_HISTORY_TOKENS, bounds it.
    const budget = usage.reserve(
      input.userId,
      promptTokens([new SystemMessage(SYSTEM_PROMPT), new HumanMessage(input.message)]) +
        (input.chatId ? limits.historyTokens : 0),
    );
    // Handled here, so that a rejection is never reported as unhandled meanwhile; whoever
    // awaits `budget` still gets it.
    budget.catch(() => {});
    const history = input.chatId
      ? await readHistory(chats, input.userId, input.chatId, limits.historyTokens).catch(
          async (error: unknown) => {
            await settle({ budget });
            throw error;
          },
        )
      : [];
    if (!history) {
      await settle({ budget });
      throw new ApiError(404, ERROR_CODES.NOT_FOUND, 'Chat not found');
    }
    const prompt = [new SystemMessage(SYSTEM_PROMPT), ...history, new HumanMessage(input.message)];
    return {
      input,
      model,
      chatId: input.chatId ?? uuidv7(),
      isNew: !input.chatId,
      prompt,
      cacheKey: input.cache ? replyCache.key(input.userId, model.name, prompt) : null,
      budget,
    };
  }

  const usageOf = (turn: Turn, message: AIMessageChunk | AIMessage | null): TokenUsage => {
    const promptTokens = message?.usage_metadata?.input_tokens ?? 0;
    const completionTokens = message?.usage_metadata?.output_tokens ?? 0;
    return {
      promptTokens,
      completionTokens,
      totalTokens: promptTokens + completionTokens,
      costUsd: usage.costOf(turn.model.name, promptTokens, completionTokens),
    };
  };

  const config = (turn: Turn, signal: AbortSignal) =>
    runConfig({
      userId: turn.input.userId,
      requestId: turn.input.requestId,
      signal,
      runName: 'ai-chat',
      metadata: { chat_id: turn.chatId, model: turn.model.name },
    });

  return {
    async reply(input) {
      const turn = await prepare(input);
      try {
        return await replyTo(turn);
      } finally {
        await settle(turn);
      }
    },

    async stream(input) {
      const turn = await prepare(input);
      try {
        return await streamTo(turn);
      } catch (error) {
        await settle(turn);
        throw error;
      }
    },
  };

  async function replyTo(turn: Turn): Promise<ChatReply> {
    const { input } = turn;
    const hit = await replyCache.get(turn.cacheKey);
    let content: string;
    let answer: AIMessage | AIMessageChunk | null = null;
    if (hit !== null) {
      await turn.budget;
      content = hit;
    } else {
      const { signal, timedOut } = deadlineSignals(limits.requestTimeoutMs, input.signal);
      answer = await callModel(turn, timedOut, () =>
        turn.model.chatModel.invoke(turn.prompt, config(turn, signal)),
      );
      content = textOf(answer as AIMessageChunk);
    }
    const verdict = await outputFilter.check(content, input.signal).catch((error: unknown) => {
      throw providerError(error, false);
    });
    const filtered = !verdict.allowed;
    const { question, answer: stored } = await storeTurn(chats, turn, {
      content: filtered ? WITHHELD_REPLY : content,
      status: 'complete',
    });
    if (hit === null && !filtered) await replyCache.set(turn.cacheKey, content);
    return {
      chatId: turn.chatId,
      model: turn.model.name,
      provider: turn.model.provider,
      message: toStored(stored),
      userMessageId: question.id,
      usage: hit === null ? usageOf(turn, answer) : NO_USAGE,
      cached: hit !== null,
      filtered,
    };
  }

  async function streamTo(turn: Turn): Promise<ChatStream> {
    const { input } = turn;
    const hit = await replyCache.get(turn.cacheKey);
    const own = new AbortController();
    const { signal, timedOut } = deadlineSignals(limits.requestTimeoutMs, input.signal, own.signal);
    let iterator: AsyncIterator<AIMessageChunk> | null = null;
    let first: IteratorResult<AIMessageChunk> | null = null;
    if (hit !== null) {
      await turn.budget;
    } else {
      try {
        await callModel(turn, timedOut, async () => {
          const source = await turn.model.chatModel.stream(turn.prompt, config(turn, signal));
          iterator = source[Symbol.asyncIterator]();
          // The provider's opening chunk (its role, no content) proves little: wait for
          // output.
          do first = await iterator.next();
          while (!first.done && !hasOutput(first.value));
        });
      } catch (error) {
        own.abort();
        throw error;
      }
    }
    const source = iterator as AsyncIterator<AIMessageChunk> | null;
    // The first chunk, already read, then the rest.
    const chunks: AsyncIterable<AIMessageChunk> | null = source
      ? {
          [Symbol.asyncIterator]: () => ({
            next: async () => {
              if (first) {
                const result = first;
                first = null;
                return result;
              }
              return source.next();
            },
          }),
        }
      : null;

    let resolveDone: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    let clientGone = false;

    async function* events() {
      try {
        yield* chatStreamEvents({
          turn,
          hit,
          chunks,
          outputFilter,
          stop: () => own.abort(),
          timedOut,
          clientGone: () => clientGone,
          signal,
          store: (content, status) => storeTurn(chats, turn, { content, status }),
          remember: (content) => replyCache.set(turn.cacheKey, content),
          usageOf: (message) => usageOf(turn, message),
        });
      } finally {
        own.abort();
        await settle(turn);
        resolveDone();
      }
    }

    return {
      events: events(),
      abort() {
        clientGone = true;
        own.abort();
      },
      done,
    };
  }
}

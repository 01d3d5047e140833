/**
 * Chat with a model, on top of the chats feature: the conversation is a chat, its earlier
 * messages are the model's memory (the newest that fit AI_HISTORY_TOKENS), and a turn stores
 * the user's message and the reply together, in one transaction, once the reply is known:
 * a provider that fails or times out before answering leaves nothing behind.
 *
 * Order of checks (each before any model call): the model is allowlisted (422), the message
 * fits AI_MESSAGE_MAX_CHARS (422), the chat is the caller's (404), the caller is under the
 * daily token budget (429).
 */
import { createHash } from 'node:crypto';
import { chats, type Message, type MessageStatus, messages } from '@backend/shared/schema';
import {
  AIMessage,
  type AIMessageChunk,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  trimMessages,
} from '@langchain/core/messages';
import { and, desc, eq, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { AppDeps } from '../../deps.ts';
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import { chatListScope, touchChat } from '../../routes/chats/chats.queries.ts';
import { countTokens, messageText } from '../runtime/local-model.ts';
import {
  type ModelProvider,
  type ModelRegistry,
  type ResolvedModel,
  withRequestGate,
} from '../runtime/models.ts';
import { type OutputFilter, WITHHELD_REPLY } from '../runtime/output-filter.ts';
import type { AiRuntime } from '../runtime/runtime.ts';
import type { UsageService } from '../usage/usage.service.ts';

/** What the model is told before the conversation. */
export const SYSTEM_PROMPT =
  'You are a helpful assistant inside an API. Answer concisely and say when you do not know.';

/** Most earlier messages read from a chat before trimming to the token window. */
const HISTORY_ROWS = 200;
/** Longest title of a chat started by `POST /api/ai/chat`, in characters. */
const TITLE_CHARS = 80;

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
  deps: AppDeps;
  models: ModelRegistry;
  usage: UsageService;
  outputFilter: OutputFilter;
  runConfig: AiRuntime['runConfig'];
}

interface Turn {
  input: ChatInput;
  model: ResolvedModel;
  chatId: string;
  isNew: boolean;
  prompt: BaseMessage[];
  cacheKey: string | null;
  /** The budget check, under way; see `callModel`. */
  budget: Promise<unknown>;
}

/** Tokens of `text` for the history window: the local model's count, or ~4 characters each. */
const estimateTokens = (text: string) => Math.max(countTokens(text), Math.ceil(text.length / 4));
const countMessages = (list: BaseMessage[]) =>
  list.reduce((sum, message) => sum + estimateTokens(messageText(message)) + 1, 0);

const toLangChain = (row: Message): BaseMessage | null => {
  if (row.role === 'user') return new HumanMessage(row.content);
  if (row.role === 'assistant') return new AIMessage(row.content);
  if (row.role === 'system') return new SystemMessage(row.content);
  return null; // A tool result out of its call's context means nothing to a model.
};

const titleOf = (message: string) =>
  Array.from(message.replace(/\s+/g, ' ').trim()).slice(0, TITLE_CHARS).join('');

const toStored = (row: Message): StoredMessage => ({
  id: row.id,
  chatId: row.chatId,
  role: row.role as 'user' | 'assistant',
  content: row.content,
  status: row.status,
  model: row.model,
  createdAt: row.createdAt.toISOString(),
});

/** The 502/504 a failed model call answers (never the provider's own words: they may leak). */
export function providerError(error: unknown, timedOut: boolean): ApiError {
  const name = error instanceof Error ? error.name : '';
  if (timedOut || name === 'TimeoutError') {
    return new ApiError(504, ERROR_CODES.TIMEOUT, 'The model provider did not answer in time', {
      cause: error,
    });
  }
  return new ApiError(502, ERROR_CODES.BAD_GATEWAY, 'The model provider failed', {
    cause: error,
  });
}

const textOf = (chunk: AIMessageChunk) =>
  typeof chunk.content === 'string' ? chunk.content : messageText(chunk);

const hasOutput = (chunk: AIMessageChunk) =>
  Boolean(textOf(chunk) || chunk.tool_call_chunks?.length || chunk.usage_metadata);

export function createChatService(options: ChatServiceOptions): ChatService {
  const { deps, models, usage, outputFilter, runConfig } = options;
  const { db } = deps.database;
  const { env } = deps;

  /** The chat's earlier messages that fit the history window; 404 unless it is the caller's. */
  async function readHistory(chatId: string, userId: string): Promise<BaseMessage[]> {
    const [chat] = await db
      .select({ id: chats.id })
      .from(chats)
      .where(and(eq(chats.id, chatId), eq(chats.userId, userId)));
    if (!chat) throw new ApiError(404, ERROR_CODES.NOT_FOUND, 'Chat not found');
    const rows = await db
      .select()
      .from(messages)
      .where(and(eq(messages.chatId, chat.id), eq(messages.userId, userId)))
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(HISTORY_ROWS);
    const earlier = rows
      .reverse()
      .map(toLangChain)
      .filter((message): message is BaseMessage => message !== null);
    return trimMessages(earlier, {
      maxTokens: env.AI_HISTORY_TOKENS,
      strategy: 'last',
      tokenCounter: countMessages,
      startOn: 'human',
    });
  }

  async function prepare(input: ChatInput): Promise<Turn> {
    const model = models.resolve(input.model);
    if (input.message.length > env.AI_MESSAGE_MAX_CHARS) {
      throw new ApiError(422, ERROR_CODES.VALIDATION_FAILED, 'The message is too long', {
        details: [
          {
            location: 'body',
            path: 'message',
            message: `Must be at most ${env.AI_MESSAGE_MAX_CHARS} characters`,
          },
        ],
      });
    }
    // The budget is read while the history is, and awaited before the model is called (see
    // `callModel`): a chat that is not the caller's answers 404 first.
    const budget = usage.assertWithinBudget(input.userId);
    // Handled here, so that a rejection is never reported as unhandled meanwhile; whoever
    // awaits `budget` still gets it.
    budget.catch(() => {});
    const history = input.chatId ? await readHistory(input.chatId, input.userId) : [];
    const prompt = [new SystemMessage(SYSTEM_PROMPT), ...history, new HumanMessage(input.message)];
    const cacheKey = input.cache
      ? `ai:reply:${createHash('sha256')
          .update(JSON.stringify([model.name, prompt.map((m) => [m.getType(), messageText(m)])]))
          .digest('base64url')}`
      : null;
    return {
      input,
      model,
      chatId: input.chatId ?? uuidv7(),
      isNew: !input.chatId,
      prompt,
      cacheKey,
      budget,
    };
  }

  /**
   * Calls the model once the budget allows it. An OpenAI-compatible provider's request is
   * built while the budget is read and held until the check passes: it is never sent when
   * the check fails. The local model sends nothing; it runs after the check. A failed check
   * throws as it failed (an exhausted budget its 429, a database outage its own error),
   * whatever the call did meanwhile; a failed call, a 502/504.
   */
  async function callModel<T>(
    turn: Turn,
    timedOut: () => boolean,
    call: () => Promise<T>,
  ): Promise<T> {
    const gated = turn.model.provider === 'openai';
    if (!gated) await turn.budget;
    try {
      const result = gated ? await withRequestGate(turn.budget, call) : await call();
      await turn.budget;
      return result;
    } catch (error) {
      await turn.budget;
      throw providerError(error, timedOut());
    }
  }

  async function cachedReply(turn: Turn): Promise<string | null> {
    if (!turn.cacheKey) return null;
    const hit = await deps.cache.get(turn.cacheKey).catch(() => null);
    if (hit === null) return null;
    const parsed = JSON.parse(hit) as { content?: unknown };
    return typeof parsed.content === 'string' ? parsed.content : null;
  }

  async function remember(turn: Turn, content: string) {
    if (!turn.cacheKey) return;
    await deps.cache
      .set(turn.cacheKey, JSON.stringify({ content }), env.AI_CACHE_TTL_SECONDS)
      .catch((error: unknown) => deps.logger.warn('ai reply not cached', { err: error }));
  }

  /** Stores the user's message and the reply (and a new chat) in one transaction. */
  async function store(turn: Turn, reply: { content: string; status: MessageStatus }) {
    const { input } = turn;
    const stored = await db.transaction(async (tx) => {
      if (turn.isNew) {
        await tx
          .insert(chats)
          .values({ id: turn.chatId, userId: input.userId, title: titleOf(input.message) });
      } else {
        // Locking the chat keeps a concurrent delete out until commit; gone meanwhile: 404.
        const [chat] = await tx
          .select({ id: chats.id })
          .from(chats)
          .where(and(eq(chats.id, turn.chatId), eq(chats.userId, input.userId)))
          .for('update');
        if (!chat) throw new ApiError(404, ERROR_CODES.NOT_FOUND, 'Chat not found');
      }
      const [question] = await tx
        .insert(messages)
        .values({ chatId: turn.chatId, userId: input.userId, role: 'user', content: input.message })
        .returning();
      // The reply sorts after the question even within the same transaction's clock.
      const [answer] = await tx
        .insert(messages)
        .values({
          chatId: turn.chatId,
          userId: input.userId,
          role: 'assistant',
          content: reply.content,
          status: reply.status,
          model: turn.model.name,
          createdAt: sql`now() + interval '1 millisecond'`,
        })
        .returning();
      if (!question || !answer) throw new Error('insert returned no row');
      await touchChat(tx, turn.chatId);
      return { question, answer };
    });
    await deps.appCache.invalidate(chatListScope(input.userId));
    return stored;
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
  const NO_USAGE: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0 };

  /** The request's signals and the AI deadline; `timedOut()` tells the deadline fired. */
  function signals(input: ChatInput, own?: AbortController) {
    const deadline = AbortSignal.timeout(env.AI_REQUEST_TIMEOUT_MS);
    const all = [deadline, ...(input.signal ? [input.signal] : []), ...(own ? [own.signal] : [])];
    return { signal: AbortSignal.any(all), timedOut: () => deadline.aborted };
  }

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
      const hit = await cachedReply(turn);
      let content: string;
      let answer: AIMessage | AIMessageChunk | null = null;
      if (hit !== null) {
        await turn.budget;
        content = hit;
      } else {
        const { signal, timedOut } = signals(input);
        answer = await callModel(turn, timedOut, () =>
          turn.model.chatModel.invoke(turn.prompt, config(turn, signal)),
        );
        content = textOf(answer as AIMessageChunk);
      }
      const verdict = await outputFilter.check(content, input.signal).catch((error: unknown) => {
        throw providerError(error, false);
      });
      const filtered = !verdict.allowed;
      const { question, answer: stored } = await store(turn, {
        content: filtered ? WITHHELD_REPLY : content,
        status: 'complete',
      });
      if (hit === null && !filtered) await remember(turn, content);
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
    },

    async stream(input) {
      const turn = await prepare(input);
      const hit = await cachedReply(turn);
      const own = new AbortController();
      const { signal, timedOut } = signals(input, own);
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

      let resolveDone: () => void = () => {};
      const done = new Promise<void>((resolve) => {
        resolveDone = resolve;
      });
      let clientGone = false;

      async function* events(): AsyncGenerator<ChatStreamEvent> {
        let text = '';
        let combined: AIMessageChunk | null = null;
        let status: MessageStatus = 'complete';
        let filtered = false;
        let failure: ApiError | null = null;
        try {
          yield {
            event: 'start',
            data: { chatId: turn.chatId, model: turn.model.name, provider: turn.model.provider },
          };
          const chunks: AsyncIterable<AIMessageChunk> | null = iterator
            ? {
                [Symbol.asyncIterator]: () => ({
                  next: async () => {
                    if (first) {
                      const result = first;
                      first = null;
                      return result;
                    }
                    return (iterator as AsyncIterator<AIMessageChunk>).next();
                  },
                }),
              }
            : null;
          if (hit !== null) {
            text = hit;
            yield { event: 'token', data: { text: hit } };
          } else if (chunks) {
            try {
              for await (const chunk of chunks) {
                combined = combined ? combined.concat(chunk) : chunk;
                const piece = textOf(chunk);
                if (!piece) continue;
                if (outputFilter.blockedTerm(text + piece)) {
                  filtered = true;
                  own.abort();
                  break;
                }
                text += piece;
                yield { event: 'token', data: { text: piece } };
              }
            } catch (error) {
              if (clientGone) {
                status = 'incomplete';
              } else {
                failure = providerError(error, timedOut());
                status = 'incomplete';
              }
            }
          }
          if (clientGone) status = 'incomplete';
          if (!filtered && status === 'complete') {
            const verdict = await outputFilter
              .check(text, signal)
              .catch(() => ({ allowed: false, reason: 'moderation', categories: [] }) as const);
            filtered = !verdict.allowed;
          }
          if (filtered) yield { event: 'withheld', data: { content: WITHHELD_REPLY } };
          if (failure) {
            yield {
              event: 'error',
              data: {
                error: {
                  code: failure.code,
                  message: failure.message,
                  requestId: input.requestId,
                },
              },
            };
          }
          // Nothing generated and nothing withheld: a failed turn leaves nothing behind.
          if (!text && !filtered) return;
          const stored = await store(turn, {
            content: filtered ? WITHHELD_REPLY : text,
            status: filtered ? 'complete' : status,
          });
          if (hit === null && !filtered && status === 'complete') await remember(turn, text);
          yield {
            event: 'end',
            data: {
              chatId: turn.chatId,
              messageId: stored.answer.id,
              userMessageId: stored.question.id,
              model: turn.model.name,
              status: stored.answer.status,
              usage: hit === null ? usageOf(turn, combined) : NO_USAGE,
              cached: hit !== null,
              filtered,
            },
          };
        } finally {
          own.abort();
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
    },
  };
}

/**
 * The events of a streamed chat turn, in order: start, token…, [withheld | error], end.
 * The turn is stored before `end`; a turn that generated nothing leaves nothing behind.
 */

import type { MessageStatus } from '@backend/shared/schema';
import type { AIMessageChunk } from '@langchain/core/messages';
import type { ApiError } from '../../lib/errors.ts';
import type { OutputFilter } from '../runtime/output-filter.ts';
import { WITHHELD_REPLY } from '../runtime/output-filter.ts';
import { messageText } from '../runtime/tokens.ts';
import { type ChatStreamEvent, NO_USAGE, type TokenUsage, type Turn } from './chat.types.ts';
import { providerError } from './provider-call.ts';
import type { storeTurn } from './turn-store.ts';

export const textOf = (chunk: AIMessageChunk) =>
  typeof chunk.content === 'string' ? chunk.content : messageText(chunk);

export const hasOutput = (chunk: AIMessageChunk) =>
  Boolean(textOf(chunk) || chunk.tool_call_chunks?.length || chunk.usage_metadata);

export interface StreamEventsOptions {
  turn: Turn;
  /** The cached reply, when there was one (then no model was called). */
  hit: string | null;
  /** The model's chunks, the first already read. */
  chunks: AsyncIterable<AIMessageChunk> | null;
  outputFilter: OutputFilter;
  /** Stops the model's generation. */
  stop(): void;
  /** The AI deadline fired. */
  timedOut(): boolean;
  /** The client went away. */
  clientGone(): boolean;
  /** The turn's combined signal (moderation is bounded by it). */
  signal: AbortSignal;
  store(content: string, status: MessageStatus): ReturnType<typeof storeTurn>;
  remember(content: string): Promise<void>;
  usageOf(message: AIMessageChunk | null): TokenUsage;
}

export async function* chatStreamEvents(
  options: StreamEventsOptions,
): AsyncGenerator<ChatStreamEvent> {
  const { turn, hit, chunks, outputFilter } = options;
  let text = '';
  let combined: AIMessageChunk | null = null;
  let status: MessageStatus = 'complete';
  let filtered = false;
  let failure: ApiError | null = null;
  yield {
    event: 'start',
    data: { chatId: turn.chatId, model: turn.model.name, provider: turn.model.provider },
  };
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
          options.stop();
          break;
        }
        text += piece;
        yield { event: 'token', data: { text: piece } };
      }
    } catch (error) {
      if (!options.clientGone()) failure = providerError(error, options.timedOut());
      status = 'incomplete';
    }
  }
  if (options.clientGone()) status = 'incomplete';
  if (!filtered && status === 'complete') {
    const verdict = await outputFilter
      .check(text, options.signal)
      .catch(() => ({ allowed: false, reason: 'moderation', categories: [] }) as const);
    filtered = !verdict.allowed;
  }
  if (filtered) yield { event: 'withheld', data: { content: WITHHELD_REPLY } };
  if (failure) {
    yield {
      event: 'error',
      data: {
        error: { code: failure.code, message: failure.message, requestId: turn.input.requestId },
      },
    };
  }
  // Nothing generated and nothing withheld: a failed turn leaves nothing behind.
  if (!text && !filtered) return;
  const stored = await options.store(
    filtered ? WITHHELD_REPLY : text,
    filtered ? 'complete' : status,
  );
  if (hit === null && !filtered && status === 'complete') await options.remember(text);
  yield {
    event: 'end',
    data: {
      chatId: turn.chatId,
      messageId: stored.answer.id,
      userMessageId: stored.question.id,
      model: turn.model.name,
      status: stored.answer.status,
      usage: hit === null ? options.usageOf(combined) : NO_USAGE,
      cached: hit !== null,
      filtered,
    },
  };
}

/**
 * The `chat` assistant's graph: a messages-state graph whose model node answers with the
 * existing tools bound, and a tool node; the thread's checkpoints are its memory. Every model
 * call runs under a token-budget reservation, like the agents'. A provider's request is built
 * while the reservation is taken and held until it is (never sent if it is refused), as the
 * chat stream's is: the reservation's statements overlap the request's preparation.
 */
import {
  type BaseMessage,
  coerceMessageLikeToMessage,
  SystemMessage,
} from '@langchain/core/messages';
import type { StructuredToolInterface } from '@langchain/core/tools';
import type { CheckpointTuple } from '@langchain/langgraph-checkpoint';
import { SYSTEM_PROMPT } from '../chat/chat.service.ts';
import { type ModelRegistry, withRequestGate } from '../runtime/models.ts';
import { toolLoopGraph } from '../runtime/tool-loop.ts';
import { DOCUMENT_CITATION_RULES } from '../tools/search-documents.ts';
import { type BudgetReservation, promptTokens } from '../usage/budget.ts';
import type { UsageService } from '../usage/usage.service.ts';

export interface ChatGraphOptions {
  models: ModelRegistry;
  usage: Pick<UsageService, 'reserve'>;
  tools: StructuredToolInterface[];
  userId: string;
  /** A model name from the registry; the default when absent. */
  model?: string;
  /** A reservation already taken for the first model call (see `firstPromptTokens`). */
  held?: Promise<BudgetReservation>;
}

/**
 * Tokens of the first prompt a run sends: the system prompt, the thread's messages at its
 * latest checkpoint `tuple` and the run's input messages (the reservation's estimate, taken
 * before the graph runs).
 */
export function firstPromptTokens(tuple: CheckpointTuple | undefined, input: unknown): number {
  const history = (tuple?.checkpoint.channel_values.messages ?? []) as BaseMessage[];
  const sent = (input as { messages?: unknown } | null)?.messages;
  const added = Array.isArray(sent)
    ? sent.map((message) => coerceMessageLikeToMessage(message))
    : [];
  return promptTokens([new SystemMessage(SYSTEM_PROMPT), ...history, ...added]);
}

export function buildChatGraph(options: ChatGraphOptions) {
  const { chatModel, provider } = options.models.resolve(options.model);
  // The local model sends no request to hold: it runs once the reservation is taken.
  const gated = provider === 'openai';
  let held = options.held;
  return toolLoopGraph({
    chatModel,
    tools: options.tools,
    // With document search bound, the assistant cites what it found and obeys none of it.
    systemPrompt: options.tools.some((tool) => tool.name === 'search_documents')
      ? `${SYSTEM_PROMPT} ${DOCUMENT_CITATION_RULES}`
      : SYSTEM_PROMPT,
    async aroundCall(prompt, call) {
      const reservation = held ?? options.usage.reserve(options.userId, promptTokens(prompt));
      held = undefined;
      reservation.catch(() => {});
      try {
        if (!gated) await reservation;
        const reply = gated ? await withRequestGate(reservation, call) : await call();
        await reservation;
        return reply;
      } catch (error) {
        // A refused reservation fails as itself (its 429), whatever the held request did.
        await reservation;
        throw error;
      } finally {
        await reservation.then(
          (held) => held.settle(),
          () => undefined,
        );
      }
    },
  });
}

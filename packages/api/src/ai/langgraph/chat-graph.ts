/**
 * The `chat` assistant's graph: a messages-state graph whose model node answers with the
 * existing tools bound, and a tool node; the thread's checkpoints are its memory. Every model
 * call runs under a token-budget reservation, like the agents'. A provider's request is built
 * while the reservation is taken and held until it is (never sent if it is refused), as the
 * chat stream's is: the reservation's statements overlap the request's preparation.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import {
  type AIMessageChunk,
  type BaseMessage,
  coerceMessageLikeToMessage,
  SystemMessage,
} from '@langchain/core/messages';
import type { Runnable } from '@langchain/core/runnables';
import type { StructuredToolInterface } from '@langchain/core/tools';
import type { CheckpointTuple } from '@langchain/langgraph-checkpoint';
import { SYSTEM_PROMPT } from '../chat/chat.service.ts';
import type { ModelRegistry } from '../runtime/models.ts';
import { type EarlyRequest, withRequestGate } from '../runtime/request-gate.ts';
import { bindTools, toolLoopGraph } from '../runtime/tool-loop.ts';
import { DOCUMENT_CITATION_RULES } from '../tools/search-documents.ts';
import { type BudgetReservation, promptTokens } from '../usage/budget.ts';
import type { UsageService } from '../usage/usage.service.ts';

/** What a user's chat graph is built from, for one model: the same for every run. */
export interface ChatModelParts {
  chatModel: BaseChatModel;
  /** Sends a request to hold (not the local model, which runs once the reservation is taken). */
  gated: boolean;
  tools: StructuredToolInterface[];
  /** `chatModel` with `tools` bound. */
  model: Runnable<BaseMessage[], AIMessageChunk>;
  systemPrompt: string;
}

/** The chat graph's model with the user's tools bound (converting the tools' schemas: not per run). */
export function chatModelParts(
  models: ModelRegistry,
  tools: StructuredToolInterface[],
  model?: string,
): ChatModelParts {
  const { chatModel, provider } = models.resolve(model);
  return {
    chatModel,
    gated: provider === 'openai',
    tools,
    model: bindTools(chatModel, tools),
    // With document search bound, the assistant cites what it found and obeys none of it.
    systemPrompt: tools.some((tool) => tool.name === 'search_documents')
      ? `${SYSTEM_PROMPT} ${DOCUMENT_CITATION_RULES}`
      : SYSTEM_PROMPT,
  };
}

export interface ChatGraphOptions {
  parts: ChatModelParts;
  usage: Pick<UsageService, 'reserve'>;
  userId: string;
  /** A reservation already taken for the first model call (see `firstPromptTokens`). */
  held?: Promise<BudgetReservation>;
  /** The first model call, sent early (`sendFirstCallEarly`): the graph's first call takes it. */
  early?: EarlyRequest;
}

/**
 * Sends a run's first model call before the graph reaches it (see `request-gate.ts`), once
 * `gate` resolves (never if it rejects): `messages` are the ones the call sends after the
 * system prompt — the thread's at its latest checkpoint plus the run's input, as the graph's
 * reducer combines them; null: not known, nothing is sent. The graph built with this
 * `request` as its `early` takes it if its first call is the same request.
 */
export function sendFirstCallEarly(
  parts: ChatModelParts,
  request: EarlyRequest,
  gate: Promise<unknown>,
  messages: Promise<BaseMessage[] | null>,
): void {
  if (!parts.gated) return;
  const { chatModel, model, systemPrompt } = parts;
  // The call as the model node makes it: the bound tools are its call options.
  const callOptions = (model as { config?: Record<string, unknown> }).config ?? {};
  request.start(gate, async (signal) => {
    const sent = await messages;
    if (!sent) return;
    const prompt = [new SystemMessage(systemPrompt), ...sent];
    await chatModel._streamResponseChunks(prompt, { ...callOptions, signal }).next();
  });
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
  const { chatModel, gated, model, systemPrompt, tools } = options.parts;
  let held = options.held;
  let early = gated ? options.early : undefined;
  return toolLoopGraph({
    chatModel,
    tools,
    model,
    systemPrompt,
    async aroundCall(prompt, call) {
      const reservation = held ?? options.usage.reserve(options.userId, promptTokens(prompt));
      const first = early;
      held = undefined;
      early = undefined;
      reservation.catch(() => {});
      try {
        if (!gated) await reservation;
        const reply = gated ? await withRequestGate(reservation, call, first) : await call();
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

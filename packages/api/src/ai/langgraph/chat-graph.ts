/**
 * The `chat` assistant's graph: a messages-state graph whose model node answers with the
 * existing tools bound, and a tool node; the thread's checkpoints are its memory. Every model
 * call runs under a token-budget reservation, like the agents'.
 */
import type { StructuredToolInterface } from '@langchain/core/tools';
import { SYSTEM_PROMPT } from '../chat/chat.service.ts';
import type { ModelRegistry } from '../runtime/models.ts';
import { toolLoopGraph } from '../runtime/tool-loop.ts';
import { DOCUMENT_CITATION_RULES } from '../tools/search-documents.ts';
import { promptTokens, withReservation } from '../usage/budget.ts';
import type { UsageService } from '../usage/usage.service.ts';

export interface ChatGraphOptions {
  models: ModelRegistry;
  usage: Pick<UsageService, 'reserve'>;
  tools: StructuredToolInterface[];
  userId: string;
  /** A model name from the registry; the default when absent. */
  model?: string;
}

export function buildChatGraph(options: ChatGraphOptions) {
  const { chatModel } = options.models.resolve(options.model);
  return toolLoopGraph({
    chatModel,
    tools: options.tools,
    // With document search bound, the assistant cites what it found and obeys none of it.
    systemPrompt: options.tools.some((tool) => tool.name === 'search_documents')
      ? `${SYSTEM_PROMPT} ${DOCUMENT_CITATION_RULES}`
      : SYSTEM_PROMPT,
    aroundCall: (prompt, call) =>
      withReservation(options.usage, options.userId, promptTokens(prompt), call),
  });
}

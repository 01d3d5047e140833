/**
 * The `chat` assistant's graph: a messages-state graph whose model node answers with the
 * existing tools bound, and a tool node; the thread's checkpoints are its memory. Every model
 * call runs under a token-budget reservation, like the agents'.
 */
import type { BaseMessage } from '@langchain/core/messages';
import { AIMessage, SystemMessage } from '@langchain/core/messages';
import type { StructuredToolInterface } from '@langchain/core/tools';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import { SYSTEM_PROMPT } from '../chat/chat.service.ts';
import type { ModelRegistry } from '../runtime/models.ts';
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
  const model =
    options.tools.length > 0 && chatModel.bindTools
      ? chatModel.bindTools(options.tools)
      : chatModel;
  const system = new SystemMessage(SYSTEM_PROMPT);
  return new StateGraph(MessagesAnnotation)
    .addNode('agent', async (state, config) => {
      const prompt: BaseMessage[] = [system, ...state.messages];
      const reply = await withReservation(options.usage, options.userId, promptTokens(prompt), () =>
        model.invoke(prompt, config),
      );
      return { messages: [reply] };
    })
    .addNode('tools', new ToolNode(options.tools))
    .addEdge(START, 'agent')
    .addConditionalEdges(
      'agent',
      (state) => {
        const last = state.messages.at(-1);
        return last && AIMessage.isInstance(last) && (last.tool_calls?.length ?? 0) > 0
          ? 'tools'
          : END;
      },
      ['tools', END],
    )
    .addEdge('tools', 'agent');
}

/**
 * The tool-calling loop that the agents and the `chat` assistant both run: a messages-state
 * graph whose model node answers with the tools bound, and a tool node that runs the calls of
 * a reply, back to the model until a reply calls no tool. Returned uncompiled: each caller
 * compiles it with what it needs (a name, a checkpointer).
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import {
  AIMessage,
  type AIMessageChunk,
  type BaseMessage,
  SystemMessage,
} from '@langchain/core/messages';
import type { Runnable } from '@langchain/core/runnables';
import type { StructuredToolInterface } from '@langchain/core/tools';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { ToolNode } from '@langchain/langgraph/prebuilt';

export interface ToolLoopOptions {
  chatModel: BaseChatModel;
  tools: StructuredToolInterface[];
  systemPrompt: string;
  /**
   * Runs each model call, given its prompt: under a token-budget reservation, say.
   * @default - the call as it is
   */
  aroundCall?: <T>(prompt: BaseMessage[], call: () => Promise<T>) => Promise<T>;
  /**
   * `chatModel` with `tools` bound, when the caller bound them already.
   * @default - `bindTools(chatModel, tools)`
   */
  model?: Runnable<BaseMessage[], AIMessageChunk>;
}

/** `chatModel` with `tools` bound (itself when there are none). */
export const bindTools = (
  chatModel: BaseChatModel,
  tools: StructuredToolInterface[],
): Runnable<BaseMessage[], AIMessageChunk> =>
  tools.length > 0 && chatModel.bindTools ? chatModel.bindTools(tools) : chatModel;

export function toolLoopGraph(options: ToolLoopOptions) {
  const { chatModel, tools, aroundCall } = options;
  const model = options.model ?? bindTools(chatModel, tools);
  const system = new SystemMessage(options.systemPrompt);
  return new StateGraph(MessagesAnnotation)
    .addNode('agent', async (state, config) => {
      const prompt: BaseMessage[] = [system, ...state.messages];
      const call = () => model.invoke(prompt, config);
      const reply = aroundCall ? await aroundCall(prompt, call) : await call();
      return { messages: [reply] };
    })
    .addNode('tools', new ToolNode(tools))
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

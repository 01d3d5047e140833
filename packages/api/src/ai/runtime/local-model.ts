/**
 * The local model: a deterministic LangChain chat model for laptops and tests, used when no
 * model provider is configured. It never pretends to be a real model: it is named `local`
 * everywhere (usage records, responses, traces) and says so in its replies.
 *
 * Its rules, applied to the conversation it is given:
 *  1. Tool results: when the conversation ends with tool messages (answers to its own tool
 *     calls), it answers from them: one line per result, `<tool name>: <result>`.
 *  2. Tool calls: when tools are bound (`bindTools`), `tool_choice` is not `none` and the
 *     last human message asks for one of these, it calls the first bound tool whose name
 *     fits, by name, with arguments taken from the message:
 *       - arithmetic (an expression such as `12 * (3 + 4)`): a tool named like
 *         calc / math / arith, with `{ expression }`;
 *       - the time or date (`time`, `date`, `today`, `clock`): a tool named like
 *         time / date / clock / now, with `{ timezone }` when the message names one
 *         (`UTC`, `Europe/Paris`), else `{}`;
 *       - searching (`search`, `find`, `look up`): a tool named like search / find /
 *         lookup / retriev, with `{ query }`: the quoted text, else what follows `for` or
 *         `about`, else what follows the verb; when the message names documents or files
 *         (`my documents`, `files`, `PDFs`), a tool named like doc / file first.
 *     An argument goes under the tool's own property name when its schema has a fitting one
 *     (`expression`/`expr`/`input`, `query`/`q`/`term`/`text`, `timezone`/`tz`), else under
 *     its first string property. `tool_choice` naming a tool (or `any`/`required`) forces a
 *     call even without a matching request, with the whole message as the argument.
 *     Tool call ids are `call_local_<n>`, numbered by position in the conversation.
 *  3. Otherwise it echoes: `Local model (no provider configured). You said: "<message>".`
 *     and, when the conversation has earlier (non-system) messages, how many it was given.
 *
 * Tokens are runs of non-space characters with their leading whitespace. A reply streams one
 * token per chunk (every `tokenDelayMs`), then a last empty chunk carrying `usage_metadata`:
 * prompt tokens are the tokens of every message given, plus one per message; completion
 * tokens are the chunks streamed (a tool call counts as the tokens of its arguments, plus one).
 * An aborted signal stops the stream between two tokens.
 */
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
  type BindToolsInput,
  type LangSmithParams,
} from '@langchain/core/language_models/chat_models';
import {
  AIMessage,
  AIMessageChunk,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import type { Runnable } from '@langchain/core/runnables';
import { convertToOpenAITool } from '@langchain/core/utils/function_calling';
import { findExpression } from '../tools/calculator.ts';
import { countTokens, messageText, tokenize } from './tokens.ts';

/** The name the local model goes by, everywhere. */
export const LOCAL_MODEL_NAME = 'local';

/** A tool as the local model sees it: OpenAI's function-tool format. */
export interface LocalToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface LocalChatModelCallOptions extends BaseChatModelCallOptions {
  tools?: LocalToolDefinition[];
}

export interface LocalChatModelFields extends BaseChatModelParams {
  /** Pause between two streamed tokens, in milliseconds. @default 0 */
  tokenDelayMs?: number;
}

type Intent = 'arithmetic' | 'time' | 'documents' | 'search';

const TOOL_NAMES: Record<Intent, RegExp> = {
  arithmetic: /calc|math|arith/i,
  time: /time|date|clock|now/i,
  documents: /doc|file/i,
  search: /search|find|lookup|retriev/i,
};
const ARGUMENT_NAMES: Record<Intent, string[]> = {
  arithmetic: ['expression', 'expr', 'input'],
  time: ['timezone', 'timeZone', 'tz'],
  documents: ['query', 'q', 'term', 'text', 'input'],
  search: ['query', 'q', 'term', 'text', 'input'],
};
const DOCUMENT_WORDS = /\b(documents?|files?|docs|uploads?|pdfs?)\b/i;

function findSearchQuery(text: string): string {
  const quoted = text.match(/["“'‘]([^"”'’]+)["”'’]/);
  if (quoted?.[1]) return quoted[1].trim();
  const after =
    text.match(/\b(?:for|about)\s+(.+)$/is) ??
    text.match(/\b(?:search|find|look\s*-?up)\s+(.+)$/is);
  return (after?.[1] ?? text).replace(/[?.!\s]+$/, '').trim();
}

const TIME_ZONE = /\b(UTC|GMT|[A-Z][A-Za-z_]+\/[A-Z][A-Za-z_]+(?:\/[A-Z][A-Za-z_]+)?)\b/;

function intentsOf(text: string): Array<{ intent: Intent; value: string | null }> {
  const found: Array<{ intent: Intent; value: string | null }> = [];
  const expression = findExpression(text);
  if (expression) found.push({ intent: 'arithmetic', value: expression });
  if (/\b(time|date|today|clock)\b/i.test(text)) {
    found.push({ intent: 'time', value: text.match(TIME_ZONE)?.[1] ?? null });
  }
  if (/\b(search|find|look\s*-?up)\b/i.test(text)) {
    // Searching the documents comes first when the message names them.
    if (DOCUMENT_WORDS.test(text)) {
      found.push({ intent: 'documents', value: findSearchQuery(text) });
    }
    found.push({ intent: 'search', value: findSearchQuery(text) });
  }
  return found;
}

/** The arguments for `tool`: `value` under the property that fits `intent` best. */
function argumentsFor(tool: LocalToolDefinition, intent: Intent | null, value: string | null) {
  if (value === null) return {};
  const properties = (tool.function.parameters?.properties ?? {}) as Record<
    string,
    { type?: unknown }
  >;
  const names = Object.keys(properties);
  const preferred = (intent ? ARGUMENT_NAMES[intent] : []).find((name) => names.includes(name));
  const firstString = names.find((name) => properties[name]?.type === 'string');
  const name = preferred ?? firstString;
  return name ? { [name]: value } : {};
}

type ToolChoice = BaseChatModelCallOptions['tool_choice'];

/** The name of the tool `choice` forces, `'any'` for any tool, `'none'`, or null (auto). */
function forcedTool(choice: ToolChoice): string | null {
  if (choice === undefined || choice === 'auto') return null;
  if (typeof choice === 'string') return choice === 'required' ? 'any' : choice;
  const name = (choice as { function?: { name?: unknown } }).function?.name;
  return typeof name === 'string' ? name : null;
}

interface Decision {
  text: string;
  toolCall?: { name: string; args: Record<string, unknown>; id: string };
}

/** What the local model answers to `messages` with `tools` bound: its rules, in order. */
export function decide(
  messages: BaseMessage[],
  tools: LocalToolDefinition[] = [],
  toolChoice?: ToolChoice,
): Decision {
  const trailingTools: ToolMessage[] = [];
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message = messages[i];
    if (!ToolMessage.isInstance(message)) break;
    trailingTools.unshift(message);
  }
  if (trailingTools.length > 0) {
    return {
      text: trailingTools
        .map((message) => `${message.name ?? 'tool'}: ${messageText(message)}`)
        .join('\n'),
    };
  }

  const humans = messages.filter((message) => HumanMessage.isInstance(message));
  const last = humans.at(-1);
  const question = last ? messageText(last).trim() : '';
  const forced = forcedTool(toolChoice);
  if (tools.length > 0 && forced !== 'none') {
    const callId = `call_local_${messages.length}`;
    const eligible =
      forced && forced !== 'any' ? tools.filter((tool) => tool.function.name === forced) : tools;
    for (const { intent, value } of intentsOf(question)) {
      const tool = eligible.find((candidate) => TOOL_NAMES[intent].test(candidate.function.name));
      if (tool) {
        return {
          text: '',
          toolCall: {
            name: tool.function.name,
            args: argumentsFor(tool, intent, value),
            id: callId,
          },
        };
      }
    }
    const [first] = eligible;
    if (forced && first) {
      return {
        text: '',
        toolCall: {
          name: first.function.name,
          args: argumentsFor(first, null, question),
          id: callId,
        },
      };
    }
  }

  const history = messages
    .slice(0, last ? messages.indexOf(last) : 0)
    .filter((message) => !SystemMessage.isInstance(message)).length;
  const note =
    history > 0 ? ` I was given ${history} earlier message${history === 1 ? '' : 's'}.` : '';
  return { text: `Local model (no provider configured). You said: "${question}".${note}` };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export class LocalChatModel extends BaseChatModel<LocalChatModelCallOptions> {
  static override lc_name() {
    return 'LocalChatModel';
  }

  /** The model's name, as providers report theirs. */
  readonly model = LOCAL_MODEL_NAME;
  readonly tokenDelayMs: number;

  constructor(fields: LocalChatModelFields = {}) {
    super(fields);
    this.tokenDelayMs = fields.tokenDelayMs ?? 0;
  }

  _llmType() {
    return LOCAL_MODEL_NAME;
  }

  override get callKeys() {
    return [...super.callKeys, 'tools', 'tool_choice'];
  }

  override getLsParams(options: this['ParsedCallOptions']): LangSmithParams {
    return {
      ...super.getLsParams(options),
      ls_provider: LOCAL_MODEL_NAME,
      ls_model_name: LOCAL_MODEL_NAME,
      ls_model_type: 'chat',
    };
  }

  override bindTools(
    tools: BindToolsInput[],
    kwargs?: Partial<LocalChatModelCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, LocalChatModelCallOptions> {
    const definitions = tools.map(
      (tool) =>
        convertToOpenAITool(
          tool as Parameters<typeof convertToOpenAITool>[0],
        ) as LocalToolDefinition,
    );
    return this.withConfig({ ...kwargs, tools: definitions } as Partial<LocalChatModelCallOptions>);
  }

  override async _generate(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    let combined: ChatGenerationChunk | undefined;
    for await (const chunk of this._streamResponseChunks(messages, options, runManager)) {
      combined = combined ? combined.concat(chunk) : chunk;
    }
    const message = combined?.message as AIMessageChunk | undefined;
    return {
      generations: [
        {
          text: combined?.text ?? '',
          message: new AIMessage({
            content: message?.content ?? '',
            tool_calls: message?.tool_calls ?? [],
            usage_metadata: message?.usage_metadata,
            response_metadata: message?.response_metadata ?? {},
          }),
        },
      ],
    };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const { signal } = options;
    const decision = decide(messages, options.tools, options.tool_choice);
    const promptTokens = messages.reduce(
      (sum, message) => sum + countTokens(messageText(message)) + 1,
      0,
    );
    let completionTokens = 0;

    if (decision.toolCall) {
      const { name, args, id } = decision.toolCall;
      const argsJson = JSON.stringify(args);
      completionTokens = countTokens(argsJson.replace(/[{}":,]/g, ' ')) + 1;
      signal?.throwIfAborted();
      yield new ChatGenerationChunk({
        text: '',
        message: new AIMessageChunk({
          content: '',
          tool_call_chunks: [{ type: 'tool_call_chunk', name, args: argsJson, id, index: 0 }],
        }),
      });
    } else {
      for (const [index, token] of tokenize(decision.text).entries()) {
        if (index > 0 && this.tokenDelayMs > 0) await sleep(this.tokenDelayMs, signal);
        signal?.throwIfAborted();
        completionTokens += 1;
        const chunk = new ChatGenerationChunk({
          text: token,
          message: new AIMessageChunk({ content: token }),
        });
        yield chunk;
        await runManager?.handleLLMNewToken(token, undefined, undefined, undefined, undefined, {
          chunk,
        });
      }
    }

    yield new ChatGenerationChunk({
      text: '',
      message: new AIMessageChunk({
        content: '',
        usage_metadata: {
          input_tokens: promptTokens,
          output_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
        response_metadata: {
          model_name: LOCAL_MODEL_NAME,
          model_provider: LOCAL_MODEL_NAME,
          finish_reason: decision.toolCall ? 'tool_calls' : 'stop',
        },
      }),
    });
  }
}

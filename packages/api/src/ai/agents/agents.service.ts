/**
 * Tool-calling agents, each a small LangGraph graph: the model (with the agent's tools bound)
 * and a ToolNode, looping until the model answers without calling a tool.
 *
 * A run is limited to `maxSteps` model calls (AI_AGENT_MAX_STEPS, lowered per request): past
 * it LangGraph's recursion limit stops the loop and the run fails with a 422
 * STEP_LIMIT_EXCEEDED. Every model call reserves its worst case from the daily token budget
 * (429 when used up) and is recorded through the run's callbacks. Agents keep no state between runs.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import {
  AIMessage,
  type AIMessageChunk,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { StructuredToolInterface } from '@langchain/core/tools';
import { GraphRecursionError } from '@langchain/langgraph';
import type { Retrieval } from '../../files/retrieval.ts';
import type { Database } from '../../lib/db/index.ts';
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import type { ModelRegistry } from '../runtime/models.ts';
import { type OutputFilter, WITHHELD_REPLY } from '../runtime/output-filter.ts';
import { messageText } from '../runtime/tokens.ts';
import { toolLoopGraph } from '../runtime/tool-loop.ts';
import { buildTools, type ToolName } from '../tools/index.ts';
import { DOCUMENT_CITATION_RULES } from '../tools/search-documents.ts';
import { type BudgetReservation, promptTokens, withReservation } from '../usage/budget.ts';
import type { UsageService } from '../usage/usage.service.ts';

export interface AgentDefinition {
  name: string;
  description: string;
  /** The tools it may use; `http_fetch` only exists with AI_FETCH_ALLOWED_HOSTS set. */
  tools: readonly ToolName[];
  systemPrompt: string;
}

export const AGENTS: readonly AgentDefinition[] = [
  {
    name: 'assistant',
    description:
      'A general assistant: searches your own chats and documents (citing them), does arithmetic, tells the time and, when enabled, fetches pages from allowed hosts.',
    tools: ['search_chats', 'search_documents', 'calculator', 'current_time', 'http_fetch'],
    systemPrompt: `You are a helpful assistant. Use the tools when they help: search_chats searches only the user's own chats; use calculator for any arithmetic instead of computing it yourself. ${DOCUMENT_CITATION_RULES} Answer briefly.`,
  },
  {
    name: 'calculator',
    description: 'Does arithmetic with the calculator tool and explains the result.',
    tools: ['calculator'],
    systemPrompt:
      'You answer arithmetic questions. Always use the calculator tool to compute; then give the result.',
  },
];

export const findAgent = (name: string) => AGENTS.find((agent) => agent.name === name);

/** A tool call and its result, as responses and streams show them. */
export interface ToolStep {
  id: string;
  name: string;
  args: Record<string, unknown>;
  /** Absent until the tool has answered. */
  result?: string;
}

export interface AgentRunResult {
  output: string;
  toolCalls: ToolStep[];
  /** Model calls made. */
  steps: number;
  /** The output filter withheld the answer (`output` says so). */
  filtered: boolean;
}

/** What a streamed run sends, in order. */
export type AgentEvent =
  | { type: 'token'; text: string }
  | { type: 'tool_call'; id: string; name: string; args: Record<string, unknown> }
  | { type: 'tool_result'; id: string; name: string; content: string }
  | { type: 'withheld'; content: string }
  | { type: 'done'; result: AgentRunResult };

export interface AgentRunOptions {
  agent: AgentDefinition;
  chatModel: BaseChatModel;
  tools: StructuredToolInterface[];
  input: string;
  maxSteps: number;
  /** Callbacks (usage, tracing), signal, tags: from the runtime's `runConfig`. */
  config: RunnableConfig;
  /** Runs every model call, given its prompt: under a token budget reservation. */
  underBudget?: <T>(prompt: BaseMessage[], call: () => Promise<T>) => Promise<T>;
}

function buildAgentGraph(options: AgentRunOptions) {
  const { agent, chatModel, tools, underBudget } = options;
  return toolLoopGraph({
    chatModel,
    tools,
    systemPrompt: agent.systemPrompt,
    ...(underBudget ? { aroundCall: underBudget } : {}),
  }).compile({ name: `agent:${agent.name}` });
}

/** `maxSteps` model calls take `2 * maxSteps - 1` supersteps (agent, tools, agent, …), and
 * LangGraph counts the input step too. */
const recursionLimitFor = (maxSteps: number) => 2 * maxSteps;

export const stepLimitError = (maxSteps: number) =>
  new ApiError(
    422,
    ERROR_CODES.STEP_LIMIT_EXCEEDED,
    `The agent did not finish within ${maxSteps} model call${maxSteps === 1 ? '' : 's'}`,
    { details: { maxSteps } },
  );

function summarize(messages: BaseMessage[]): AgentRunResult {
  const toolCalls: ToolStep[] = [];
  let steps = 0;
  for (const message of messages) {
    if (AIMessage.isInstance(message)) {
      steps += 1;
      for (const call of message.tool_calls ?? []) {
        toolCalls.push({ id: call.id ?? '', name: call.name, args: call.args });
      }
    }
    if (ToolMessage.isInstance(message)) {
      const step = toolCalls.find((call) => call.id === message.tool_call_id);
      if (step) step.result = messageText(message);
    }
  }
  const last = messages.at(-1);
  const output = last && AIMessage.isInstance(last) ? messageText(last) : '';
  return { output, toolCalls, steps, filtered: false };
}

/** Runs an agent to its answer. */
export async function runAgent(options: AgentRunOptions): Promise<AgentRunResult> {
  const graph = buildAgentGraph(options);
  try {
    const state = await graph.invoke(
      { messages: [new HumanMessage(options.input)] },
      { ...options.config, recursionLimit: recursionLimitFor(options.maxSteps) },
    );
    return summarize(state.messages);
  } catch (error) {
    if (error instanceof GraphRecursionError) throw stepLimitError(options.maxSteps);
    throw error;
  }
}

/** Runs an agent, yielding its tokens, tool calls and tool results as they happen. */
export async function* streamAgent(options: AgentRunOptions): AsyncGenerator<AgentEvent> {
  const graph = buildAgentGraph(options);
  const messages: BaseMessage[] = [new HumanMessage(options.input)];
  try {
    const stream = await graph.stream(
      { messages: [...messages] },
      {
        ...options.config,
        recursionLimit: recursionLimitFor(options.maxSteps),
        streamMode: ['messages', 'updates'],
      },
    );
    for await (const [mode, chunk] of stream) {
      if (mode === 'messages') {
        const [message, metadata] = chunk as [AIMessageChunk, Record<string, unknown>];
        const text = typeof message.content === 'string' ? message.content : '';
        if (metadata.langgraph_node === 'agent' && text) yield { type: 'token', text };
        continue;
      }
      const update = chunk as Record<string, { messages?: BaseMessage[] } | undefined>;
      for (const message of update.agent?.messages ?? []) {
        messages.push(message);
        if (!AIMessage.isInstance(message)) continue;
        for (const call of message.tool_calls ?? []) {
          yield { type: 'tool_call', id: call.id ?? '', name: call.name, args: call.args };
        }
      }
      for (const message of update.tools?.messages ?? []) {
        messages.push(message);
        if (!ToolMessage.isInstance(message)) continue;
        yield {
          type: 'tool_result',
          id: message.tool_call_id,
          name: message.name ?? '',
          content: messageText(message),
        };
      }
    }
  } catch (error) {
    if (error instanceof GraphRecursionError) throw stepLimitError(options.maxSteps);
    throw error;
  }
  yield { type: 'done', result: summarize(messages.slice(1)) };
}

/** What `GET /api/ai/agents` shows of an agent. */
export interface AgentInfo {
  name: string;
  description: string;
  /** The tools it has in this configuration. */
  tools: string[];
}

export interface AgentServiceOptions {
  db: Database;
  models: ModelRegistry;
  usage: Pick<UsageService, 'reserve'>;
  /** AI_AGENT_MAX_STEPS: the most model calls a run may make. */
  maxSteps: number;
  /** AI_FETCH_ALLOWED_HOSTS; empty: no fetch tool. */
  fetchAllowedHosts: readonly string[];
  fetchTimeoutMs: number;
  /** Document search for the search_documents tool; absent: agents have no such tool. */
  documents?: Retrieval;
  /** Checks answers before a client sees them; none: answers pass as they are. */
  outputFilter?: OutputFilter;
}

export interface AgentRequest {
  agent: AgentDefinition;
  input: string;
  /** A model name; the default when absent (422 for an unknown one). */
  model?: string;
  /** At most AI_AGENT_MAX_STEPS. */
  maxSteps?: number;
  userId: string;
  /** Callbacks (usage, tracing), signal, tags: from the runtime's `runConfig`. */
  config: RunnableConfig;
  /** The first model call's reservation (`reserveFirstCall`), used by that call. */
  firstCall?: BudgetReservation;
}

export interface AgentService {
  readonly maxSteps: number;
  list(): AgentInfo[];
  find(name: string): AgentDefinition | undefined;
  /** The model a request names, resolved (422 for an unknown name). */
  modelName(name?: string): string;
  /**
   * Reserves the first model call's worst case before anything answers (429 over budget),
   * for `request.firstCall`; later calls reserve their own.
   */
  reserveFirstCall(request: AgentRequest): Promise<BudgetReservation>;
  run(request: AgentRequest): Promise<AgentRunResult>;
  stream(request: AgentRequest): AsyncGenerator<AgentEvent>;
  /** The error a client gets for a failure of a run (see toModelError). */
  clientError(error: unknown): unknown;
}

export function createAgentService(options: AgentServiceOptions): AgentService {
  const toolsFor = (agent: AgentDefinition, userId: string) =>
    buildTools(agent.tools, {
      db: options.db,
      userId,
      fetchAllowedHosts: options.fetchAllowedHosts,
      fetchTimeoutMs: options.fetchTimeoutMs,
      ...(options.documents ? { documents: options.documents } : {}),
    });
  const runOptions = (request: AgentRequest): AgentRunOptions => {
    let prepaid = request.firstCall;
    return {
      agent: request.agent,
      chatModel: options.models.resolve(request.model).chatModel,
      tools: toolsFor(request.agent, request.userId),
      input: request.input,
      maxSteps: Math.min(request.maxSteps ?? options.maxSteps, options.maxSteps),
      config: request.config,
      underBudget: (prompt, call) => {
        const reserved = prepaid;
        prepaid = undefined;
        const budget = reserved ? { reserve: async () => reserved } : options.usage;
        return withReservation(budget, request.userId, promptTokens(prompt), call);
      },
    };
  };
  const allowed = async (output: string, request: AgentRequest) =>
    !options.outputFilter ||
    (await options.outputFilter.check(output, request.config.signal)).allowed;
  const withheld = (result: AgentRunResult): AgentRunResult => ({
    ...result,
    output: WITHHELD_REPLY,
    filtered: true,
  });
  return {
    maxSteps: options.maxSteps,
    list: () =>
      AGENTS.map((agent) => ({
        name: agent.name,
        description: agent.description,
        tools: agent.tools.filter(
          (tool) =>
            (tool !== 'http_fetch' || options.fetchAllowedHosts.length > 0) &&
            (tool !== 'search_documents' || options.documents !== undefined),
        ),
      })),
    find: findAgent,
    modelName: (name) => options.models.resolve(name).name,
    reserveFirstCall: (request) =>
      options.usage.reserve(
        request.userId,
        promptTokens([
          new SystemMessage(request.agent.systemPrompt),
          new HumanMessage(request.input),
        ]),
      ),
    async run(request) {
      const result = await runAgent(runOptions(request));
      return (await allowed(result.output, request)) ? result : withheld(result);
    },
    async *stream(request) {
      let shown = '';
      let stopped = false;
      for await (const event of streamAgent(runOptions(request))) {
        if (event.type === 'token') {
          if (stopped) continue;
          // A listed term never goes out, even split across tokens.
          if (options.outputFilter?.blockedTerm(shown + event.text)) {
            stopped = true;
            yield { type: 'withheld', content: WITHHELD_REPLY };
            continue;
          }
          shown += event.text;
          yield event;
        } else if (event.type === 'done') {
          const ok = !stopped && (await allowed(event.result.output, request));
          if (!ok && !stopped) yield { type: 'withheld', content: WITHHELD_REPLY };
          yield { type: 'done', result: ok ? event.result : withheld(event.result) };
        } else {
          yield event;
        }
      }
    },
    clientError: toModelError,
  };
}

/**
 * The error a client gets for a failed model call: 504 for a timeout, 502 for any other
 * provider failure (its message stays in the logs). Expected errors pass through.
 */
export function toModelError(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  if (error instanceof GraphRecursionError) return error;
  const cause =
    error instanceof Error && error.name === 'NodeError' && error.cause ? error.cause : error;
  if (cause instanceof ApiError) return cause;
  if (!(cause instanceof Error)) return error;
  const text = `${cause.name} ${cause.message}`;
  if (/timeout|timed out/i.test(text)) {
    return new ApiError(504, ERROR_CODES.TIMEOUT, 'The model provider did not answer in time', {
      cause,
    });
  }
  const status = (cause as { status?: unknown }).status;
  const fromProvider =
    typeof status === 'number' ||
    /APIError|APIConnection|RateLimit|InternalServer|Authentication|fetch failed|ECONN/i.test(
      text,
    ) ||
    'lc_error_code' in cause;
  if (fromProvider) {
    return new ApiError(502, ERROR_CODES.BAD_GATEWAY, 'The model provider failed', { cause });
  }
  return error;
}

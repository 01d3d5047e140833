/**
 * The AI runtime: the one entry to all AI code, loaded with `await import()` by the AI route
 * handlers so that importing the app never loads LangChain (a cold start of a non-AI route
 * does not pay for it). Built once per deps, on first use, and reused.
 *
 * Anything that runs a model passes `runtime.runConfig({ userId, requestId })` (or at least
 * its callbacks): usage is recorded for every model call, and with LangSmith configured the
 * run is traced, tagged with the stage, user and request. Call `runtime.flush()` before the
 * response completes.
 */
import type { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Env } from '../../env.ts';
import { createEmbedder, type Embedder } from '../../files/embeddings.ts';
import { createRetrieval, DEFAULT_SEARCH_MODE, type Retrieval } from '../../files/retrieval.ts';
import type { AppDeps } from '../../lib/app-deps.ts';
import { loadCache } from '../../lib/cache/lazy.ts';
import { createChatsService } from '../../routes/chats/chats.service.ts';
import { type AgentService, createAgentService } from '../agents/agents.service.ts';
import { type ChatService, createChatService } from '../chat/chat.service.ts';
import { createReplyCache } from '../chat/reply-cache.ts';
import { DrizzleCheckpointSaver } from '../checkpointer/checkpointer.ts';
import { createGraphService, type GraphService } from '../graphs/graphs.service.ts';
import { createLangGraphService, type LangGraphService } from '../langgraph/langgraph.service.ts';
import { createUsageService, type UsageService } from '../usage/usage.service.ts';
import { createTracing, type Tracing } from './langsmith.ts';
import { modelCallCallbacks } from './model-calls.ts';
import { createModelRegistry, type ModelRegistry } from './models.ts';
import { createOutputFilter, type OutputFilter } from './output-filter.ts';
import type { RunConfigFactory, RunContext } from './run-config.ts';
import { createStreamSlots, type StreamSlots } from './stream-slots.ts';

/** Added to AI_REQUEST_TIMEOUT_MS for a graph run's lease: a run ends a little after it. */
const GRAPH_LEASE_MARGIN_MS = 30_000;

export type { RunConfigOptions, RunContext } from './run-config.ts';

export interface AiRuntime {
  readonly env: Env;
  readonly models: ModelRegistry;
  readonly usage: UsageService;
  readonly tracing: Tracing;
  readonly outputFilter: OutputFilter;
  /** Chat turns stored in the chats feature (the /api/ai/chat routes). */
  readonly chat: ChatService;
  /** LangGraph checkpoints in the app's database (PGlite or PostgreSQL). */
  readonly checkpointer: DrizzleCheckpointSaver;
  /** The tool-calling agents. */
  readonly agents: AgentService;
  /** The registered workflows and their instances. */
  readonly graphs: GraphService;
  /** Threads, runs and run events of the LangGraph Platform API (/api/langgraph). */
  readonly langgraph: LangGraphService;
  /** Embeddings of document chunks and queries (OpenAI-compatible, or the local one). */
  readonly embedder: Embedder;
  /** Search over the users' document chunks, charged to the caller's token budget. */
  readonly retrieval: Retrieval;
  /** Open streams per user (AI_MAX_CONCURRENT_STREAMS): every streaming route takes a slot. */
  readonly streamSlots: StreamSlots;
  /** Usage recording plus, when configured, the LangSmith tracer. */
  callbacks(context: RunContext): BaseCallbackHandler[];
  /** A RunnableConfig with the callbacks, tags and metadata of `options`. */
  runConfig: RunConfigFactory;
  /** Waits for traces to be delivered (nothing to wait for without LangSmith). */
  flush(): Promise<void>;
}

export function createAiRuntime(deps: AppDeps): AiRuntime {
  const { env, logger } = deps;
  const models = createModelRegistry({ env, openaiApiKey: deps.aiKeys.openai });
  const usage = createUsageService({ db: deps.database.db, env, logger, metrics: deps.metrics });
  const tracing = createTracing({
    apiKey: deps.aiKeys.langsmith,
    project: env.LANGSMITH_PROJECT,
    stage: env.STAGE,
    endpoint: env.LANGSMITH_ENDPOINT,
    logger,
  });
  const outputFilter = createOutputFilter({
    blocklist: env.AI_OUTPUT_BLOCKLIST,
    moderation:
      env.AI_MODERATION && deps.aiKeys.openai
        ? { apiKey: deps.aiKeys.openai, baseUrl: env.OPENAI_BASE_URL }
        : null,
    logger,
  });
  const checkpointer = new DrizzleCheckpointSaver(deps.database.db);
  const embedder = createEmbedder({ env, openaiApiKey: deps.aiKeys.openai });
  const retrieval = createRetrieval({
    db: deps.database.db,
    embedder,
    mode: DEFAULT_SEARCH_MODE,
    efSearch: env.FILES_HNSW_EF_SEARCH,
    scanRows: env.FILES_HNSW_SCAN_ROWS,
    usage,
  });
  const agents = createAgentService({
    db: deps.database.db,
    models,
    usage,
    maxSteps: env.AI_AGENT_MAX_STEPS,
    fetchAllowedHosts: env.AI_FETCH_ALLOWED_HOSTS,
    fetchTimeoutMs: env.AI_FETCH_TIMEOUT_MS,
    documents: retrieval,
    outputFilter,
  });
  const graphs = createGraphService({
    context: { db: deps.database.db, models, usage },
    checkpointer,
    // A run lasts at most as long as an AI request may.
    leaseMs: env.AI_REQUEST_TIMEOUT_MS + GRAPH_LEASE_MARGIN_MS,
  });
  const callbacks = (context: RunContext) => [
    ...usage.callbacks(context),
    ...tracing.callbacks(context),
    ...modelCallCallbacks(deps.tracing),
  ];
  const runConfig: AiRuntime['runConfig'] = (options) => {
    const context = { userId: options.userId, requestId: options.requestId };
    return {
      callbacks: callbacks(context),
      tags: [...tracing.tags(context), ...(options.tags ?? [])],
      metadata: { ...tracing.metadata(context), ...options.metadata },
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.runName ? { runName: options.runName } : {}),
    };
  };
  return {
    env,
    models,
    usage,
    tracing,
    outputFilter,
    chat: createChatService({
      chats: createChatsService({
        db: deps.database.db,
        appCache: deps.appCache,
        listTtlSeconds: env.APP_CACHE_TTL_SECONDS,
      }),
      replyCache: createReplyCache({
        cache: deps.cache,
        ttlSeconds: env.AI_CACHE_TTL_SECONDS,
        logger,
      }),
      models,
      usage,
      outputFilter,
      runConfig,
      limits: {
        messageMaxChars: env.AI_MESSAGE_MAX_CHARS,
        historyTokens: env.AI_HISTORY_TOKENS,
        requestTimeoutMs: env.AI_REQUEST_TIMEOUT_MS,
      },
    }),
    checkpointer,
    embedder,
    retrieval,
    agents,
    graphs,
    langgraph: createLangGraphService({
      db: deps.database.db,
      checkpointer,
      models,
      usage,
      runConfig,
      logger,
      fetchAllowedHosts: env.AI_FETCH_ALLOWED_HOSTS,
      fetchTimeoutMs: env.AI_FETCH_TIMEOUT_MS,
      documents: retrieval,
      pollMs: env.LANGGRAPH_POLL_MS,
      flush: () => tracing.flush(),
    }),
    streamSlots: createStreamSlots({
      max: env.AI_MAX_CONCURRENT_STREAMS,
      slotTtlMs: env.AI_REQUEST_TIMEOUT_MS + GRAPH_LEASE_MARGIN_MS,
      cache: deps.cache,
      logger,
    }),
    callbacks,
    runConfig,
    flush: () => tracing.flush(),
  };
}

const runtimes = new WeakMap<AppDeps, AiRuntime>();

/** The runtime of `deps`, built on first use. */
export async function getAiRuntime(deps: AppDeps): Promise<AiRuntime> {
  let runtime = runtimes.get(deps);
  if (!runtime) {
    // The stream slots read the Redis client as they are built: a lazy cache loads first (if
    // it cannot, they count in-process, as they do while Redis is down).
    await loadCache(deps.cache).catch(() => undefined);
    runtime = runtimes.get(deps);
  }
  if (!runtime) {
    runtime = createAiRuntime(deps);
    runtimes.set(deps, runtime);
  }
  return runtime;
}

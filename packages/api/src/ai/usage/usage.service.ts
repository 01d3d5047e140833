/**
 * Token usage: every model call is recorded (user, model, prompt and completion tokens, an
 * estimated cost from the price table), and a per-user daily token budget is enforced before
 * a call. Recording rides on LangChain callbacks, so anything that runs a model (chat, agents,
 * graphs) is recorded by passing `usage.callbacks({ userId, requestId })` in its config.
 *
 * The budget day is the UTC day: usage since 00:00 UTC counts, and the budget resets at the
 * next 00:00 UTC.
 */
import { aiUsage } from '@backend/shared/schema';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { BaseMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Env } from '../../env.ts';
import type { Database } from '../../lib/db/index.ts';
import type { Logger } from '../../lib/logger.ts';
import type { AppMetrics } from '../../lib/observability/metrics.ts';
import { MODEL_METADATA } from '../runtime/models.ts';
import { countTokens, messageText } from '../runtime/tokens.ts';
import {
  type BudgetReservation,
  type BudgetStatus,
  budgetExceeded,
  createTokenBudget,
} from './budget.ts';

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

/** Known list prices (USD per million tokens); AI_PRICES adds to and overrides these. */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  local: { input: 0, output: 0 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  // Embeddings: input only.
  'local-embedding': { input: 0, output: 0 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
};

export interface UsageEntry {
  userId: string;
  requestId?: string | null;
  /** The registry's model name. */
  model: string;
  provider: string;
  promptTokens: number;
  completionTokens: number;
}

/** Who a run's model calls are charged to. */
export interface UsageContext {
  userId: string;
  requestId?: string | null;
}

export type { BudgetReservation, BudgetStatus } from './budget.ts';

/** One line of the usage report: a day (UTC), a model, and for admins a user. */
export interface UsageRow {
  day: string;
  model: string;
  userId?: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: number;
}

export interface UsageQuery {
  /** Only this user's usage; all users' when absent. */
  userId?: string;
  /** Inclusive start. */
  from: Date;
  /** Exclusive end. */
  to: Date;
}

export interface UsageService {
  readonly dailyBudget: number;
  /** Estimated cost in USD of a call to `model`. */
  costOf(model: string, promptTokens: number, completionTokens: number): number;
  budgetStatus(userId: string, now?: Date): Promise<BudgetStatus>;
  /** Resolves when the user is under budget; otherwise throws a 429 with the budget and reset. */
  assertWithinBudget(userId: string, now?: Date): Promise<BudgetStatus>;
  /**
   * Reserves one model call's worst case: `promptTokens` plus AI_MAX_OUTPUT_TOKENS; throws
   * the 429 when the user is over budget (see budget.ts). Settle it when the call has ended.
   */
  reserve(userId: string, promptTokens: number): Promise<BudgetReservation>;
  /** Records one model call. */
  record(entry: UsageEntry): Promise<void>;
  /** Callback handlers that record every model call of a run (awaited, so they land first). */
  callbacks(context: UsageContext): BaseCallbackHandler[];
  /** Usage by day and model (and user, when no user is given), oldest day first. */
  report(query: UsageQuery): Promise<UsageRow[]>;
}

export interface UsageServiceOptions {
  db: Database;
  env: Pick<
    Env,
    'AI_DAILY_TOKEN_BUDGET' | 'AI_PRICES' | 'AI_MAX_OUTPUT_TOKENS' | 'AI_REQUEST_TIMEOUT_MS'
  >;
  logger?: Logger;
  /** Token usage and estimated cost by model, as CloudWatch metrics. @default none */
  metrics?: AppMetrics;
}

/** Added to AI_REQUEST_TIMEOUT_MS for how long an unsettled reservation counts. */
const RESERVATION_MARGIN_MS = 60_000;

export function createUsageService(options: UsageServiceOptions): UsageService {
  const { db, env, logger } = options;
  const prices: Record<string, ModelPrice> = { ...DEFAULT_PRICES, ...env.AI_PRICES };
  const unpriced = new Set<string>();

  const costOf = (model: string, promptTokens: number, completionTokens: number) => {
    const price = prices[model];
    if (!price) {
      if (!unpriced.has(model)) logger?.warn('no price for model; cost estimated as 0', { model });
      unpriced.add(model);
      return 0;
    }
    return (promptTokens * price.input + completionTokens * price.output) / 1_000_000;
  };

  // A reservation never settled counts as long as a call may last, and a margin.
  const budget = createTokenBudget({
    db,
    dailyBudget: env.AI_DAILY_TOKEN_BUDGET,
    reservationTtlMs: env.AI_REQUEST_TIMEOUT_MS + RESERVATION_MARGIN_MS,
  });

  async function record(entry: UsageEntry) {
    const costUsd = costOf(entry.model, entry.promptTokens, entry.completionTokens);
    options.metrics?.modelCall({
      model: entry.model,
      inputTokens: entry.promptTokens,
      outputTokens: entry.completionTokens,
      costUsd,
    });
    await db.insert(aiUsage).values({
      userId: entry.userId,
      requestId: entry.requestId ?? null,
      model: entry.model,
      provider: entry.provider,
      promptTokens: entry.promptTokens,
      completionTokens: entry.completionTokens,
      totalTokens: entry.promptTokens + entry.completionTokens,
      costUsd,
    });
  }

  return {
    dailyBudget: env.AI_DAILY_TOKEN_BUDGET,
    costOf,
    budgetStatus: (userId, now = new Date()) => budget.status(userId, now),
    async assertWithinBudget(userId, now = new Date()) {
      const status = await budget.status(userId, now);
      if (status.remaining > 0) return status;
      throw budgetExceeded(status, now);
    },
    reserve: (userId, promptTokens) =>
      budget.reserve(userId, promptTokens + env.AI_MAX_OUTPUT_TOKENS),
    record,
    callbacks(context) {
      return [new UsageCallbackHandler({ record, context, logger })];
    },
    async report(query) {
      const day = sql<string>`to_char(${aiUsage.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
      const rows = await db
        .select({
          day,
          model: aiUsage.model,
          ...(query.userId ? {} : { userId: aiUsage.userId }),
          calls: sql<number>`count(*)`.mapWith(Number),
          promptTokens: sql<number>`sum(${aiUsage.promptTokens})`.mapWith(Number),
          completionTokens: sql<number>`sum(${aiUsage.completionTokens})`.mapWith(Number),
          totalTokens: sql<number>`sum(${aiUsage.totalTokens})`.mapWith(Number),
          costUsd: sql<number>`sum(${aiUsage.costUsd})`.mapWith(Number),
        })
        .from(aiUsage)
        .where(
          and(
            query.userId ? eq(aiUsage.userId, query.userId) : undefined,
            gte(aiUsage.createdAt, query.from),
            lt(aiUsage.createdAt, query.to),
          ),
        )
        .groupBy(...(query.userId ? [day, aiUsage.model] : [day, aiUsage.model, aiUsage.userId]))
        .orderBy(asc(day), asc(aiUsage.model), ...(query.userId ? [] : [asc(aiUsage.userId)]));
      return rows.map((row) => ({ ...row, costUsd: Number(row.costUsd.toFixed(8)) }));
    },
  };
}

interface RunInfo {
  model: string;
  provider: string;
  promptTokens: number;
  /** What has streamed so far, for a call that fails or is aborted mid-way. */
  streamed: string;
}

/** The tokens LangChain reports for a finished call: from the messages, else `llmOutput`. */
export function tokensOf(output: LLMResult): { prompt: number; completion: number } | null {
  let prompt = 0;
  let completion = 0;
  let found = false;
  for (const generation of output.generations.flat()) {
    const usage = (generation as { message?: { usage_metadata?: Record<string, number> } }).message
      ?.usage_metadata;
    // Some clients fill zeros when the provider sent no usage: a real call is never free.
    if (usage && (usage.input_tokens || usage.output_tokens)) {
      found = true;
      prompt += usage.input_tokens ?? 0;
      completion += usage.output_tokens ?? 0;
    }
  }
  if (found) return { prompt, completion };
  const tokenUsage = output.llmOutput?.tokenUsage;
  if (tokenUsage?.promptTokens || tokenUsage?.completionTokens) {
    return { prompt: tokenUsage.promptTokens ?? 0, completion: tokenUsage.completionTokens ?? 0 };
  }
  return null;
}

/**
 * Records each chat model call when it ends. The model's name comes from the registry's
 * metadata on the model (else LangSmith's `ls_model_name`). A provider that reports no usage
 * is charged by counting: the prompt's tokens and the reply's, as the local model counts.
 * A call that fails before its first token is not recorded; one cut off mid-stream (the
 * client left) is charged for the prompt and what streamed.
 */
export class UsageCallbackHandler extends BaseCallbackHandler {
  name = 'ai_usage';
  override awaitHandlers = true;
  private readonly runs = new Map<string, RunInfo>();
  private readonly record: (entry: UsageEntry) => Promise<void>;
  private readonly context: UsageContext;
  private readonly logger: Logger | undefined;

  constructor(options: {
    record: (entry: UsageEntry) => Promise<void>;
    context: UsageContext;
    logger?: Logger;
  }) {
    super();
    this.record = options.record;
    this.context = options.context;
    this.logger = options.logger;
  }

  override handleChatModelStart(
    _llm: Serialized,
    messages: BaseMessage[][],
    runId: string,
    _parentRunId?: string,
    _extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ) {
    const name = metadata?.[MODEL_METADATA.name] ?? metadata?.ls_model_name ?? 'unknown';
    const provider = metadata?.[MODEL_METADATA.provider] ?? metadata?.ls_provider ?? 'unknown';
    const promptTokens = messages
      .flat()
      .reduce((sum, message) => sum + countTokens(messageText(message)) + 1, 0);
    this.runs.set(runId, {
      model: String(name),
      provider: String(provider),
      promptTokens,
      streamed: '',
    });
  }

  override handleLLMNewToken(token: string, _idx: unknown, runId: string) {
    const run = this.runs.get(runId);
    if (run) run.streamed += token;
  }

  override async handleLLMEnd(output: LLMResult, runId: string) {
    const run = this.runs.get(runId);
    this.runs.delete(runId);
    if (!run) return;
    const counted = tokensOf(output) ?? {
      prompt: run.promptTokens,
      completion: output.generations.flat().reduce((sum, g) => sum + countTokens(g.text), 0),
    };
    await this.save(run, counted);
  }

  /** A call that failed before any token costs nothing; one cut off mid-stream is charged. */
  override async handleLLMError(_error: unknown, runId: string) {
    const run = this.runs.get(runId);
    this.runs.delete(runId);
    if (!run?.streamed) return;
    await this.save(run, { prompt: run.promptTokens, completion: countTokens(run.streamed) });
  }

  private async save(run: RunInfo, counted: { prompt: number; completion: number }) {
    try {
      await this.record({
        userId: this.context.userId,
        requestId: this.context.requestId ?? null,
        model: run.model,
        provider: run.provider,
        promptTokens: counted.prompt,
        completionTokens: counted.completion,
      });
    } catch (error) {
      // A lost usage line must not fail the user's request; it is logged for reconciliation.
      this.logger?.error('usage not recorded', { err: error, model: run.model, ...counted });
    }
  }
}

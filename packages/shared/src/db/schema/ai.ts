/**
 * The AI feature's records: one row per model call (who, which model, how many tokens, what
 * it is estimated to cost), the source of daily budgets and of the usage report.
 */
import { index, integer, numeric, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, timestamptz, uuidV7PrimaryKey } from '../columns.ts';
import { ownerId } from './auth.ts';

/** Model names: `local`, an allowlisted OpenAI model, or an alias from configuration. */
export const AI_MODEL_NAME_MAX = 64;

export const aiUsage = pgTable(
  'ai_usage',
  {
    id: uuidV7PrimaryKey(),
    userId: ownerId(),
    /** The request that made the call, to join with the logs and traces. */
    requestId: text('request_id'),
    /** The registry's name of the model (`local` for the local model). */
    model: text('model').notNull(),
    /** `openai` (any OpenAI-compatible endpoint) or `local`. */
    provider: text('provider').notNull(),
    promptTokens: integer('prompt_tokens').notNull(),
    completionTokens: integer('completion_tokens').notNull(),
    totalTokens: integer('total_tokens').notNull(),
    /** Estimated from the configured price table, in US dollars. */
    costUsd: numeric('cost_usd', { precision: 14, scale: 8, mode: 'number' }).notNull(),
    createdAt: createdAt(),
  },
  // "This user's usage today" (budgets) and "by day" (reports) both scan by user and time.
  (table) => [
    index('ai_usage_user_id_created_at_idx').on(table.userId, table.createdAt),
    index('ai_usage_created_at_idx').on(table.createdAt),
  ],
);

export type AiUsage = typeof aiUsage.$inferSelect;
export type NewAiUsage = typeof aiUsage.$inferInsert;

/**
 * Tokens held for model calls under way: each call reserves its worst case (prompt plus the
 * most output it may produce) before it starts, and deletes its row when it ends, once its
 * real usage is in `ai_usage`. The budget counts both, so a burst of calls cannot overspend.
 * A row whose container died is ignored after `expires_at`.
 */
export const aiBudgetReservations = pgTable(
  'ai_budget_reservations',
  {
    id: uuidV7PrimaryKey(),
    userId: ownerId(),
    tokens: integer('tokens').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamptz('expires_at').notNull(),
  },
  (table) => [index('ai_budget_reservations_user_id_idx').on(table.userId, table.expiresAt)],
);

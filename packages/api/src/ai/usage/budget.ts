/**
 * The daily token budget, enforced by reservation. A model call reserves its worst case
 * (its prompt plus the most output it may produce) before it starts and settles when it
 * ends: its reservation is deleted, and what it really used is in `ai_usage` by then (the
 * usage callbacks record it when the call ends, aborted or not). A call is admitted while the
 * user's usage today plus the reservations under way is below the budget.
 *
 * The check and the reservation are one step per user, in one statement (the SQL function
 * `ai_budget_reserve`) holding a PostgreSQL advisory lock on the user, so across containers
 * too. In a burst every call but the first
 * sees the first one's worst case, and the total recorded stays within the budget plus one
 * call's worst case. The budget lives beside the usage it counts, in the database (PGlite or
 * PostgreSQL), so there is no second store to drift from it or to fail open.
 *
 * The budget day is the UTC day; reservations count until they end or expire, whatever day
 * they began.
 */
import { aiBudgetReservations, aiUsage } from '@backend/shared/schema';
import type { BaseMessage } from '@langchain/core/messages';
import { and, eq, gt, gte, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { type Database, rowsOf } from '../../lib/db/index.ts';
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import { countTokens, messageText } from '../runtime/tokens.ts';

export interface BudgetStatus {
  budget: number;
  /** Tokens recorded today, plus those reserved by calls under way. */
  used: number;
  remaining: number;
  /** The next 00:00 UTC. */
  resetAt: Date;
}

/** Tokens held for one model call; `settle()` once the call has ended (twice does nothing). */
export interface BudgetReservation {
  readonly tokens: number;
  settle(): Promise<void>;
}

export interface TokenBudget {
  readonly dailyBudget: number;
  status(userId: string, now?: Date): Promise<BudgetStatus>;
  /**
   * Reserves `tokens` for one model call when the user is under budget (counting the calls
   * under way); otherwise throws the 429 of `budgetExceeded`.
   */
  reserve(userId: string, tokens: number, now?: Date): Promise<BudgetReservation>;
}

export interface TokenBudgetOptions {
  db: Database;
  /** AI_DAILY_TOKEN_BUDGET. */
  dailyBudget: number;
  /**
   * How long a reservation counts if it is never settled (its container died): the longest
   * a model call may last, plus a margin.
   */
  reservationTtlMs: number;
}

const DAY_MS = 86_400_000;
export const startOfUtcDay = (now: Date) => new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);

/** Tokens of `text` for budgeting: the local model's count, or ~4 characters each. */
export const estimateTokens = (text: string) =>
  Math.max(countTokens(text), Math.ceil(text.length / 4));

/** Tokens of a prompt for budgeting: each message's, plus one for its role. */
export const promptTokens = (prompt: readonly BaseMessage[]) =>
  prompt.reduce((sum, message) => sum + estimateTokens(messageText(message)) + 1, 0);

/** The 429 for a budget used up: the budget, what counts against it, and the reset. */
export function budgetExceeded(status: BudgetStatus, now = new Date()): ApiError {
  const retryAfter = Math.max(1, Math.ceil((status.resetAt.getTime() - now.getTime()) / 1000));
  return new ApiError(429, ERROR_CODES.RATE_LIMITED, 'Daily token budget used up', {
    headers: { 'Retry-After': String(retryAfter) },
    details: {
      budget: status.budget,
      used: status.used,
      resetAt: status.resetAt.toISOString(),
      retryAfterSeconds: retryAfter,
    },
  });
}

export function createTokenBudget(options: TokenBudgetOptions): TokenBudget {
  const { db, dailyBudget, reservationTtlMs } = options;
  type Reader = Pick<Database, 'select'>;

  async function committed(reader: Reader, userId: string, now: Date) {
    const start = startOfUtcDay(now);
    // Both sums sent at once (pipelined on a transaction's connection): one round trip.
    const [[recorded], [reserved]] = await Promise.all([
      reader
        .select({ tokens: sql<number>`coalesce(sum(${aiUsage.totalTokens}), 0)`.mapWith(Number) })
        .from(aiUsage)
        .where(and(eq(aiUsage.userId, userId), gte(aiUsage.createdAt, start))),
      reader
        .select({
          tokens: sql<number>`coalesce(sum(${aiBudgetReservations.tokens}), 0)`.mapWith(Number),
        })
        .from(aiBudgetReservations)
        .where(
          and(eq(aiBudgetReservations.userId, userId), gt(aiBudgetReservations.expiresAt, now)),
        ),
    ]);
    const used = (recorded?.tokens ?? 0) + (reserved?.tokens ?? 0);
    return {
      budget: dailyBudget,
      used,
      remaining: Math.max(0, dailyBudget - used),
      resetAt: new Date(start.getTime() + DAY_MS),
    };
  }

  return {
    dailyBudget,
    status: (userId, now = new Date()) => committed(db, userId, now),
    async reserve(userId, tokens, now = new Date()) {
      // One statement: the lock, the sums, the cleanup and the insert (0010_ai_budget_reserve).
      const start = startOfUtcDay(now);
      const result = await db.execute(sql`
        select reservation_id, used from ai_budget_reserve(${uuidv7()}::uuid, ${userId},
          ${tokens}::integer, ${dailyBudget}::bigint, ${start.toISOString()}::timestamptz,
          ${now.toISOString()}::timestamptz,
          ${new Date(now.getTime() + reservationTtlMs).toISOString()}::timestamptz)`);
      const [answer] = rowsOf<{ reservation_id: string | null; used: string | number }>(result);
      if (!answer) throw new Error('ai_budget_reserve returned no row');
      if (!answer.reservation_id) {
        const used = Number(answer.used);
        throw budgetExceeded(
          {
            budget: dailyBudget,
            used,
            remaining: Math.max(0, dailyBudget - used),
            resetAt: new Date(start.getTime() + DAY_MS),
          },
          now,
        );
      }
      const row = { id: answer.reservation_id };
      let settled: Promise<void> | null = null;
      return {
        tokens,
        settle() {
          settled ??= db
            .delete(aiBudgetReservations)
            .where(eq(aiBudgetReservations.id, row.id))
            // Left behind, it over-counts until it expires: the budget errs on the safe side.
            .then(
              () => undefined,
              () => undefined,
            );
          return settled;
        },
      };
    },
  };
}

/**
 * Runs one model call under a reservation of `tokens` (for the usage service: the prompt's;
 * it adds the most output). Settled however the call ends; a refused reservation (429) means
 * no call.
 */
export async function withReservation<T>(
  budget: { reserve(userId: string, tokens: number): Promise<BudgetReservation> },
  userId: string,
  tokens: number,
  call: () => Promise<T>,
): Promise<T> {
  const reservation = await budget.reserve(userId, tokens);
  try {
    return await call();
  } finally {
    await reservation.settle();
  }
}

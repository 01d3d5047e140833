import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { aiBudgetReservations, aiUsage } from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import { signUp } from '../../../test/accounts.ts';
import { createTestDeps } from '../../../test/test-deps.ts';
import { createApp } from '../../app.ts';
import type { AppDeps } from '../../deps.ts';
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import { createTokenBudget, type TokenBudget } from './budget.ts';

let deps: AppDeps;
let budget: TokenBudget;

beforeAll(async () => {
  deps = await createTestDeps();
  budget = createTokenBudget({ db: deps.database.db, dailyBudget: 100, reservationTtlMs: 60_000 });
});
afterAll(async () => {
  await deps.close();
});

const newUser = async () => (await signUp(createApp(deps), deps)).id;
const settled = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

describe('token budget reservations', () => {
  test('of 20 parallel reservations of 80 tokens against 100, only the two that start under budget are admitted; the rest are 429', async () => {
    const userId = await newUser();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => settled(budget.reserve(userId, 80))),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(2);
    for (const result of results.filter((r) => !r.ok)) {
      const error = (result as { error: unknown }).error;
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(429);
      expect((error as ApiError).code).toBe(ERROR_CODES.RATE_LIMITED);
      expect((error as ApiError).details).toMatchObject({ budget: 100, used: 160 });
    }
  });

  test('settling lets go of the reservation: only recorded usage counts afterwards', async () => {
    const userId = await newUser();
    const reservation = await budget.reserve(userId, 500);
    await expect(budget.reserve(userId, 1)).rejects.toBeInstanceOf(ApiError);
    await deps.database.db.insert(aiUsage).values({
      userId,
      model: 'local',
      provider: 'local',
      promptTokens: 10,
      completionTokens: 20,
      totalTokens: 30,
      costUsd: 0,
    });
    await reservation.settle();
    await reservation.settle();
    expect((await budget.status(userId)).used).toBe(30);
    const next = await budget.reserve(userId, 10);
    expect((await budget.status(userId)).used).toBe(40);
    await next.settle();
  });

  test('a reservation never settled stops counting once it expires', async () => {
    const userId = await newUser();
    const shortLived = createTokenBudget({
      db: deps.database.db,
      dailyBudget: 100,
      reservationTtlMs: 1,
    });
    await shortLived.reserve(userId, 1_000, new Date(Date.now() - 1_000));
    expect((await shortLived.status(userId)).used).toBe(0);
    const fresh = await shortLived.reserve(userId, 5);
    // The expired row is gone; the new one counts until it expires.
    const rows = await deps.database.db
      .select()
      .from(aiBudgetReservations)
      .where(eq(aiBudgetReservations.userId, userId));
    expect(rows.map((row) => row.tokens)).toEqual([5]);
    await fresh.settle();
  });
});

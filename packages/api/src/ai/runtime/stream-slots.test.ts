import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomUUID } from 'node:crypto';
import { createTestDeps } from '../../../test/test-deps.ts';
import type { AppDeps } from '../../deps.ts';
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';
import { createStreamSlots } from './stream-slots.ts';

let deps: AppDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  await deps.close();
});

// Against Redis when REDIS_URL is set (counted across containers), in-process otherwise.
describe(`stream slots (${process.env.REDIS_URL ? 'redis' : 'in-process'})`, () => {
  test('a user holds at most the configured number of slots; another user is not affected', async () => {
    expect(deps.cache.kind).toBe(process.env.REDIS_URL ? 'redis' : 'memory');
    const slots = createStreamSlots({ max: 4, slotTtlMs: 60_000, cache: deps.cache });
    const user = randomUUID();
    const held = await Promise.all(Array.from({ length: 4 }, () => slots.acquire(user)));
    const refused = await slots.acquire(user).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(429);
    expect((refused as ApiError).code).toBe(ERROR_CODES.TOO_MANY_STREAMS);
    const other = await slots.acquire(randomUUID());
    await other.release();
    // Released (twice: the second does nothing), a slot can be taken again, once.
    await held[0]?.release();
    await held[0]?.release();
    const again = await slots.acquire(user);
    await expect(slots.acquire(user)).rejects.toBeInstanceOf(ApiError);
    await Promise.all([again, ...held].map((slot) => slot?.release()));
  });

  test('in a burst of 20 parallel acquisitions exactly the limit succeed', async () => {
    const slots = createStreamSlots({ max: 4, slotTtlMs: 60_000, cache: deps.cache });
    const user = randomUUID();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => slots.acquire(user)));
    const taken = results.filter((result) => result.status === 'fulfilled');
    expect(taken).toHaveLength(4);
    await Promise.all(taken.map((result) => result.value.release()));
  });

  test('a slot never released (its container died) stops counting after its TTL', async () => {
    let clock = Date.now();
    const slots = createStreamSlots({
      max: 1,
      slotTtlMs: 1_000,
      cache: deps.cache,
      now: () => clock,
    });
    const user = randomUUID();
    await slots.acquire(user);
    await expect(slots.acquire(user)).rejects.toBeInstanceOf(ApiError);
    clock += 1_001;
    const next = await slots.acquire(user);
    await next.release();
  });
});

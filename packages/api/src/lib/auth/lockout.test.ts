import { afterAll, describe, expect, test } from 'bun:test';
import { signIn, signUp } from '../../../test/accounts.ts';
import { captureLogs, createTestDeps } from '../../../test/test-deps.ts';
import { createApp } from '../../app.ts';
import type { AppDeps } from '../../deps.ts';
import { createMemoryCache } from '../cache/memory.ts';
import { createRedisCache } from '../cache/redis.ts';
import { ERROR_CODES, type ErrorBody } from '../errors.ts';
import { createLockout } from './lockout.ts';

const opened: AppDeps[] = [];
afterAll(() => Promise.all(opened.map((deps) => deps.close())));

describe('lockout', () => {
  test('locks after the threshold, for the lock time, and a success resets the count', async () => {
    const lockout = createLockout({ cache: createMemoryCache(), threshold: 3, seconds: 60 });
    expect(await lockout.recordFailure('A@example.com')).toBe(false);
    await lockout.recordSuccess('a@example.com');
    expect(await lockout.recordFailure('a@example.com')).toBe(false);
    expect(await lockout.recordFailure('a@example.com')).toBe(false);
    expect(await lockout.retryAfter('a@example.com')).toBeNull();
    expect(await lockout.recordFailure(' a@EXAMPLE.com ')).toBe(true);
    expect(await lockout.retryAfter('a@example.com')).toBeGreaterThan(55);
    expect(await lockout.retryAfter('b@example.com')).toBeNull();
  });

  test('with the shared cache down, sign-in answers 401/429, never 5xx, and the lock still holds', async () => {
    const logs = captureLogs('info');
    const dead = createRedisCache({
      url: 'redis://127.0.0.1:1',
      prefix: 'x:',
      commandTimeoutMs: 200,
    });
    // The database is healthy; only the cache is gone. Sign up first on a working app.
    const deps = await createTestDeps({
      cache: dead,
      logger: logs.logger,
      env: { AUTH_LOCKOUT_THRESHOLD: '3' },
    });
    opened.push(deps);
    const app = createApp(deps);
    const user = await signUp(app, deps);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await signIn(app, deps, user.email, 'wrong password!')).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const locked = await signIn(app, deps, user.email);
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as ErrorBody).error.code).toBe(ERROR_CODES.RATE_LIMITED);
    expect(
      logs.lines.some((line) => String(line.message).includes('lockout counters falling back')),
    ).toBe(true);
  });
});

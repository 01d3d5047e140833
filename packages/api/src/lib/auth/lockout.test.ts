import { afterAll, describe, expect, test } from 'bun:test';
import { session } from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import { PASSWORD, signIn, signUp } from '../../../test/accounts.ts';
import {
  type CapturedLogs,
  captureLogs,
  createTestDeps,
  services,
} from '../../../test/test-deps.ts';
import { createApp } from '../../app.ts';
import type { AppDeps } from '../../deps.ts';
import type { Cache } from '../cache/index.ts';
import { createMemoryCache } from '../cache/memory.ts';
import { createRedisCache } from '../cache/redis.ts';
import { ERROR_CODES, type ErrorBody } from '../errors.ts';
import { createLockout } from './lockout.ts';

const opened: AppDeps[] = [];
afterAll(() => Promise.all(opened.map((deps) => deps.close())));

const THRESHOLD = 5;
const BURST = 19;

async function lockoutApp(cache: Cache | undefined, logs: CapturedLogs) {
  const deps = await createTestDeps({
    cache,
    logger: logs.logger,
    env: { AUTH_LOCKOUT_THRESHOLD: String(THRESHOLD), AUTH_LOCKOUT_SECONDS: '60' },
  });
  opened.push(deps);
  return { deps, app: createApp(deps) };
}

/**
 * A burst of parallel guesses for one email, the right password last among wrong ones of the
 * same length. Every request the lockout lets through reaches the password check and answers
 * 401 (or 200); every other one answers 429 before any password is checked.
 */
async function burst(cache: Cache | undefined) {
  const logs = captureLogs('info');
  const { deps, app } = await lockoutApp(cache, logs);
  const user = await signUp(app, deps);
  const guesses = Array.from({ length: BURST }, (_, index) =>
    index === BURST - 1 ? PASSWORD : `wrong-guess-${String(index).padStart(8, '0')}`,
  );
  const responses = await Promise.all(
    guesses.map((password) => signIn(app, deps, user.email, password)),
  );
  const evaluated = responses.filter((response) => response.status !== 429).length;
  const refused = responses.filter((response) => response.status === 429);
  const failedChecks = logs.lines.filter(
    (line) =>
      line.message === 'audit' &&
      (line.event === 'auth.sign_in_failed' || line.event === 'auth.locked_out'),
  ).length;
  const sessions = await deps.database.db.select().from(session).where(eq(session.userId, user.id));
  return { responses, evaluated, refused, failedChecks, sessions, logs };
}

async function expectBurstHeld(result: Awaited<ReturnType<typeof burst>>) {
  const { responses, evaluated, refused, failedChecks, sessions } = result;
  expect(evaluated).toBe(THRESHOLD);
  expect(failedChecks).toBe(THRESHOLD);
  expect(refused).toHaveLength(BURST - THRESHOLD);
  for (const response of refused) {
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await response.json()) as ErrorBody).error.code).toBe(ERROR_CODES.RATE_LIMITED);
  }
  const right = responses.at(-1);
  expect(right?.status).toBe(429);
  expect(right?.headers.get('set-auth-token')).toBeNull();
  expect(right?.headers.getSetCookie().some((cookie) => cookie.includes('session_token='))).toBe(
    false,
  );
  // The sign-up's own session, and no other.
  expect(sessions).toHaveLength(1);
}

describe('lockout counters', () => {
  test('an attempt is counted before it is evaluated: past the threshold it is refused until the window ends', async () => {
    const lockout = createLockout({ cache: createMemoryCache(), threshold: 3, seconds: 60 });
    expect((await lockout.attempt('A@example.com')).allowed).toBe(true);
    await lockout.clear('a@example.com');
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await lockout.attempt(' a@EXAMPLE.com ')).toEqual({
        allowed: true,
        count: attempt,
        retryAfterSeconds: 0,
      });
    }
    const refused = await lockout.attempt('a@example.com');
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThan(55);
    expect((await lockout.attempt('b@example.com')).allowed).toBe(true);
  });

  test('parallel attempts are counted atomically: exactly the threshold are allowed', async () => {
    const lockout = createLockout({ cache: createMemoryCache(), threshold: 5, seconds: 60 });
    const attempts = await Promise.all(
      Array.from({ length: 50 }, () => lockout.attempt('c@example.com')),
    );
    expect(attempts.filter((attempt) => attempt.allowed)).toHaveLength(5);
  });
});

describe('sign-in lockout under a burst of parallel guesses', () => {
  test('in-process counters: at most the threshold of 19 guesses are evaluated; the right one among the rest gets 429 and no session', async () => {
    await expectBurstHeld(await burst(createMemoryCache()));
  });

  test.skipIf(!services.redisUrl)(
    'Redis counters: at most the threshold of 19 guesses are evaluated; the right one among the rest gets 429 and no session',
    async () => {
      await expectBurstHeld(await burst(undefined));
    },
  );

  test('Redis down: the counters fall back to this process and the burst is held all the same', async () => {
    const dead = createRedisCache({
      url: 'redis://127.0.0.1:1',
      prefix: 'x:',
      commandTimeoutMs: 200,
    });
    const result = await burst(dead);
    await expectBurstHeld(result);
    expect(
      result.logs.lines.some((line) =>
        String(line.message).includes('lockout counters falling back'),
      ),
    ).toBe(true);
  });
});

describe('sign-in lockout with the shared cache down', () => {
  test('sign-in answers 401/429, never 5xx, and the lock still holds', async () => {
    const logs = captureLogs('info');
    const dead = createRedisCache({
      url: 'redis://127.0.0.1:1',
      prefix: 'x:',
      commandTimeoutMs: 200,
    });
    // The database is healthy; only the cache is gone.
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

import { beforeAll, describe, expect, test } from 'bun:test';
import { jsonRequest } from '../../../../test/accounts.ts';
import { useTestApp } from '../../../../test/test-app.ts';
import { ERROR_CODES, type ErrorBody } from '../../errors.ts';
import { findNulInJson } from './input-guard.ts';

const t = useTestApp();
let origin: string;

beforeAll(async () => {
  origin = new URL(t.deps.env.PUBLIC_URL).origin;
});

/** `[[[ … leaf … ]]]`, `depth` arrays deep, built without recursion. */
function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level++) value = [value];
  return value;
}

describe('input guard: the NUL scan', () => {
  test('finds a NUL in a key or a string and names where it sits', () => {
    expect(findNulInJson({ a: [{ b: 'ok' }, { c: 'x\u0000y' }] })).toBe('a.1.c');
    expect(findNulInJson({ a: { 'k\u0000': 1 } })).toBe('a.k\u0000');
    expect(findNulInJson({ a: ['fine', 1, null, true] })).toBeNull();
    expect(findNulInJson('\u0000')).toBe('');
  });

  test('is iterative: a NUL 100,000 levels deep is found without a stack overflow', () => {
    const started = performance.now();
    const path = findNulInJson(nested(100_000, 'a\u0000b'));
    expect(path?.split('.')).toHaveLength(100_000);
    expect(findNulInJson(nested(100_000, 'clean'))).toBeNull();
    // A scan quadratic in the depth would take minutes here; its speed is benchmarked, not
    // timed in a test (bench/json-depth.ts).
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe('input guard on /api/auth/*', () => {
  test('a NUL in a sign-in body answers 422 naming the field, in the error shape', async () => {
    const response = await t.app.request(
      '/api/auth/sign-in/email',
      jsonRequest('POST', { email: 'a@example.com', password: 'pass\u0000word!' }, { origin }),
    );
    expect(response.status).toBe(422);
    const { error } = (await response.json()) as ErrorBody;
    expect(error.code).toBe(ERROR_CODES.VALIDATION_FAILED);
    expect(error.details).toEqual([
      { location: 'body', path: 'password', message: 'Must not contain a NUL character' },
    ]);
  });

  test('a body 20,000 levels deep answers 4xx within a second', async () => {
    const body = { email: 'a@example.com', password: nested(20_000, 'x') };
    const started = performance.now();
    const response = await t.app.request(
      '/api/auth/sign-in/email',
      jsonRequest('POST', body, { origin }),
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  test('a NUL in the query answers 422', async () => {
    const response = await t.app.request('/api/auth/get-session?x=%00', { headers: { origin } });
    expect(response.status).toBe(422);
    expect(((await response.json()) as ErrorBody).error.details).toEqual([
      { location: 'query', path: 'x', message: 'Must not contain a NUL character' },
    ]);
  });
});

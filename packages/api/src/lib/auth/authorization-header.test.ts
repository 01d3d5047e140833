import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { signUp, type TestUser } from '../../../test/accounts.ts';
import { createTestDeps } from '../../../test/test-deps.ts';
import { createApp } from '../../app.ts';
import type { AppDeps } from '../../deps.ts';
import { parseBearer } from './authorization-header.ts';

describe('parseBearer', () => {
  test('the scheme is case-insensitive', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      expect(parseBearer(`${scheme} abc.def`)).toBe('abc.def');
    }
  });

  test('one or more spaces separate the scheme from the credential; trailing spaces are ignored', () => {
    expect(parseBearer('Bearer   abc')).toBe('abc');
    expect(parseBearer('Bearer abc  ')).toBe('abc');
  });

  test('token68 characters and percent-encoding are kept as sent', () => {
    expect(parseBearer('Bearer a-b.c_d~e+f/g==')).toBe('a-b.c_d~e+f/g==');
    expect(parseBearer('Bearer tok.sig%2B%3D')).toBe('tok.sig%2B%3D');
  });

  test('another scheme, a missing credential or a credential with spaces is no bearer token', () => {
    for (const header of [
      undefined,
      null,
      '',
      'Basic dXNlcjpwYXNz',
      'Bearer',
      'Bearer ',
      'Bearerabc',
      'Bearer a b',
      'Bearer\tabc',
      ' Bearer abc',
    ]) {
      expect(parseBearer(header)).toBeNull();
    }
  });
});

describe('the bearer scheme on the app', () => {
  let deps: AppDeps;
  let app: ReturnType<typeof createApp>;
  let user: TestUser;
  beforeAll(async () => {
    deps = await createTestDeps();
    app = createApp(deps);
    user = await signUp(app, deps);
  });
  afterAll(() => deps.close());

  test('GET /api/me accepts the scheme in any letter case, as Better Auth does', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const me = await app.request('/api/me', {
        headers: { authorization: `${scheme} ${user.bearer}` },
      });
      expect({ scheme, status: me.status }).toEqual({ scheme, status: 200 });
      expect(((await me.json()) as { authMethod: string }).authMethod).toBe('bearer');
      const session = await app.request('/api/auth/get-session', {
        headers: { authorization: `${scheme} ${user.bearer}` },
      });
      expect(((await session.json()) as { user: { id: string } }).user.id).toBe(user.id);
    }
  });
});

/** Helpers for tests that need signed-up users, sessions and API keys. */
import { randomBytes } from 'node:crypto';
import type { App } from '../src/app.ts';
import type { AppDeps } from '../src/deps.ts';

export const PASSWORD = 'correct horse battery';

export interface TestUser {
  id: string;
  email: string;
  /** The `Cookie` header of the user's session. */
  cookie: string;
  /** The raw session token, as stored: no credential (a bearer token must be signed). */
  token: string;
  /** The signed token of the `set-auth-token` header, for `Authorization: Bearer`. */
  bearer: string;
  /** Headers a browser would send: the cookie and a trusted Origin. */
  headers: Record<string, string>;
}

/** `name=value` pairs from every Set-Cookie header of `response`. */
export function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .filter((pair) => pair && !pair.endsWith('='))
    .join('; ');
}

export const uniqueEmail = (label = 'user') =>
  `${label}-${randomBytes(5).toString('hex')}@example.com`;

export function jsonRequest(method: string, body: unknown, headers: Record<string, string> = {}) {
  return {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** Signs up (and so signs in) a new user through the API. */
export async function signUp(
  app: App,
  deps: AppDeps,
  options: { email?: string; password?: string; name?: string } = {},
): Promise<TestUser> {
  const email = options.email ?? uniqueEmail();
  const origin = new URL(deps.env.PUBLIC_URL).origin;
  const response = await app.request(
    '/api/auth/sign-up/email',
    jsonRequest(
      'POST',
      { email, password: options.password ?? PASSWORD, name: options.name ?? 'Test User' },
      { origin },
    ),
  );
  if (response.status !== 200)
    throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { user: { id: string }; token: string };
  const cookie = cookiesOf(response);
  const bearer = response.headers.get('set-auth-token') ?? '';
  return {
    id: body.user.id,
    email,
    cookie,
    token: body.token,
    bearer,
    headers: { cookie, origin },
  };
}

/** Signs in an existing user; returns the raw response. */
export function signIn(app: App, deps: AppDeps, email: string, password = PASSWORD) {
  const origin = new URL(deps.env.PUBLIC_URL).origin;
  return app.request(
    '/api/auth/sign-in/email',
    jsonRequest('POST', { email, password }, { origin }),
  );
}

/** Makes `user` an admin (there is no API for the first admin: it is an operator's act). */
export async function promoteToAdmin(deps: AppDeps, userId: string) {
  const { user } = await import('@backend/shared/schema');
  const { eq } = await import('drizzle-orm');
  await deps.database.db.update(user).set({ role: 'admin' }).where(eq(user.id, userId));
}

/** Creates an API key for `owner` through Better Auth's endpoint and returns it. */
export async function createApiKey(
  app: App,
  owner: TestUser,
  options: { name?: string; expiresIn?: number } = {},
): Promise<{ id: string; key: string }> {
  const response = await app.request(
    '/api/auth/api-key/create',
    jsonRequest(
      'POST',
      { name: options.name ?? 'test key', expiresIn: options.expiresIn },
      owner.headers,
    ),
  );
  if (response.status !== 200)
    throw new Error(`api key: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { id: string; key: string };
  return { id: body.id, key: body.key };
}

/** The raw secret of an `otpauth://` URI (its `secret` parameter is base32, RFC 4648). */
export function totpSecretOf(totpURI: string): string {
  const encoded = new URL(totpURI).searchParams.get('secret') ?? '';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of encoded.replace(/=+$/, ''))
    bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  const bytes = bits.match(/.{8}/g)?.map((byte) => Number.parseInt(byte, 2)) ?? [];
  return new TextDecoder().decode(new Uint8Array(bytes));
}

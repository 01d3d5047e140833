/**
 * The clients a frontend team uses, run against the app in-process: Better Auth's own
 * client (from a browser and from Node) and the typed client of this package, through the
 * examples of docs/clients.md. Every response any of them receives is checked against the
 * OpenAPI document (status, content type, body schema: JSON Schema 2020-12).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { apiKeyClient } from '@better-auth/api-key/client';
import { createOTP } from '@better-auth/utils/otp';
import { createAuthClient } from 'better-auth/client';
import { adminClient, twoFactorClient } from 'better-auth/client/plugins';
import { PASSWORD, totpSecretOf, uniqueEmail } from '../../api/test/accounts.ts';
import { loadDocument } from '../../api/test/reliability/document.ts';
import { useTestApp } from '../../api/test/test-app.ts';
import { browserExample, createBrowserClients } from '../src/examples/browser.ts';
import { serverExample } from '../src/examples/server.ts';
import { createApiKeyClient, serverAuthFetchOptions } from '../src/index.ts';
import { browserFetch, type Conformance, conformance, nodeFetch } from './in-process.ts';

const t = useTestApp();
const API = 'http://api.test';
let origin: string;
let checks: Conformance;

beforeAll(async () => {
  origin = new URL(t.deps.env.PUBLIC_URL).origin;
  checks = conformance(await loadDocument(t.app));
});

/** Every response a test received matched the document. */
const expectConformance = () => expect(checks.mismatches).toEqual([]);

/** Better Auth's client as a server uses it: Node's fetch, the trusted origin sent. */
function nodeAuthClient(fetchOptions: Record<string, unknown> = {}) {
  return createAuthClient({
    baseURL: `${API}/api/auth`,
    plugins: [twoFactorClient(), apiKeyClient(), adminClient()],
    fetchOptions: { ...fetchOptions, customFetchImpl: nodeFetch(t.app, checks.observe) },
  });
}

async function newAccount() {
  const email = uniqueEmail('client');
  const signUp = await nodeAuthClient({ headers: { origin } }).signUp.email({
    email,
    password: PASSWORD,
    name: 'Client User',
  });
  expect(signUp.error).toBeNull();
  return { email, password: PASSWORD };
}

describe("Better Auth's client from Node", () => {
  test('the origin check stays on, and its 403 says how a server proves its origin', async () => {
    expect(t.deps.auth.options.advanced?.disableOriginCheck).toBe(false);
    const { error } = await nodeAuthClient().signUp.email({
      email: uniqueEmail('no-origin'),
      password: PASSWORD,
      name: 'No Origin',
    });
    expect(error?.status).toBe(403);
    expect(error?.code).toBe('MISSING_OR_NULL_ORIGIN');
    expect(error?.message).toContain('must send one of the trusted origins');
    expect(error?.message).toContain('as its Origin header');
    expectConformance();
  });

  test('sign-in with a wrong password shows the message a UI would toast', async () => {
    const account = await newAccount();
    const { data, error } = await nodeAuthClient({ headers: { origin } }).signIn.email({
      ...account,
      password: 'wrong password entirely',
    });
    expect(data).toBeNull();
    expect(error?.status).toBe(401);
    expect(error?.code).toBe('INVALID_EMAIL_OR_PASSWORD');
    expect(error?.message).toBe('Invalid email or password');
    expectConformance();
  });

  test('sign-in, session, sessions list, two-factor, API keys and sign-out with a bearer token', async () => {
    const account = await newAccount();
    const session = serverAuthFetchOptions(origin);
    const auth = nodeAuthClient(session.fetchOptions);

    const signedIn = await auth.signIn.email(account);
    expect(signedIn.error).toBeNull();
    expect(session.token).toBeString();

    const current = await auth.getSession();
    expect(current.data?.user.email).toBe(account.email);
    const sessions = await auth.listSessions();
    expect(sessions.data?.length).toBeGreaterThanOrEqual(1);

    const enabled = await auth.twoFactor.enable({ password: account.password });
    expect(enabled.error).toBeNull();
    const totpURI = enabled.data?.method === 'totp' ? enabled.data.totpURI : '';
    const otp = createOTP(totpSecretOf(totpURI));
    const verified = await auth.twoFactor.verifyTotp({ code: await otp.totp() });
    expect(verified.error).toBeNull();

    // With two factors, the password alone asks for the second one.
    expect((await auth.signOut()).error).toBeNull();
    const firstFactor = await auth.signIn.email(account);
    expect((firstFactor.data as { twoFactorRedirect?: boolean }).twoFactorRedirect).toBe(true);
    const secondFactor = await auth.twoFactor.verifyTotp({ code: await otp.totp() });
    expect(secondFactor.error).toBeNull();

    const created = await auth.apiKey.create({ name: 'reporting' });
    expect(created.error).toBeNull();
    const listed = await auth.apiKey.list();
    expect(listed.error).toBeNull();
    const keys = (listed.data as { apiKeys?: Array<{ id: string }> } | null)?.apiKeys ?? [];
    expect(keys.map((key) => key.id)).toContain(created.data?.id ?? 'missing');
    const byKey = createApiKeyClient(API, created.data?.key ?? '', {
      fetch: nodeFetch(t.app, checks.observe),
    });
    expect((await byKey.GET('/api/me')).response.status).toBe(200);

    expect((await auth.signOut()).error).toBeNull();
    const after = await auth.getSession();
    expect(after.data).toBeNull();
    expectConformance();
  });
});

describe('the examples of docs/clients.md', () => {
  test('from a server: Better Auth client with the trusted origin, typed client by bearer and by API key', async () => {
    const account = await newAccount();
    const result = await serverExample(API, origin, account, nodeFetch(t.app, checks.observe));
    expect(result.titles).toEqual(['Nightly report']);
    expectConformance();
  });

  test('in a browser: Better Auth client and typed client on the session cookie', async () => {
    const account = await newAccount();
    const clients = createBrowserClients(API, browserFetch(t.app, origin, checks.observe));
    const shown: string[] = [];
    const result = await browserExample(clients, account, (message) => shown.push(message));
    expect(shown).toEqual([]);
    expect(result?.reply).toBeString();

    const wrong = await browserExample(
      createBrowserClients(API, browserFetch(t.app, origin, checks.observe)),
      { ...account, password: 'not the password' },
      (message) => shown.push(message),
    );
    expect(wrong).toBeUndefined();
    expect(shown).toEqual(['Invalid email or password']);
    expectConformance();
  });
});

afterAll(() => {
  console.log(
    `conformance: ${checks.checked.length} responses checked, ${checks.mismatches.length} mismatches`,
  );
});

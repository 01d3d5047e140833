/**
 * The whole account flow through the official Better Auth client, as a frontend uses it:
 * sign up → sign in → a protected route → enable TOTP → sign in with the second factor
 * (and with a backup code) → sign out.
 */
import { describe, expect, test } from 'bun:test';
import { createOTP } from '@better-auth/utils/otp';
import { createAuthClient } from 'better-auth/client';
import { twoFactorClient } from 'better-auth/client/plugins';
import { PASSWORD, totpSecretOf, uniqueEmail } from '../../../test/accounts.ts';
import { CookieJar } from '../../../test/cookie-jar.ts';
import { useTestApp } from '../../../test/test-app.ts';

const t = useTestApp();

/** A browser's cookie jar in front of `app.request`. */
function browser() {
  const jar = new CookieJar();
  const origin = new URL(t.deps.env.PUBLIC_URL).origin;
  const fetchImpl = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const headers = new Headers(request.headers);
    jar.attach(headers);
    headers.set('origin', origin);
    const response = await t.app.request(new Request(request, { headers }));
    jar.store(response);
    return response;
  };
  const client = createAuthClient({
    baseURL: `${origin}/api/auth`,
    plugins: [twoFactorClient()],
    fetchOptions: { customFetchImpl: fetchImpl },
  });
  const me = () => t.app.request('/api/me', { headers: { cookie: jar.header() ?? '' } });
  return { client, me, jar };
}

describe('the Better Auth client against the API', () => {
  test('sign up, sign in, enable TOTP, sign in with the second factor, sign out', async () => {
    const { client, me } = browser();
    const email = uniqueEmail('client');

    const signUp = await client.signUp.email({ email, password: PASSWORD, name: 'Client User' });
    expect(signUp.error).toBeNull();
    await client.signOut();
    expect((await me()).status).toBe(401);

    const signIn = await client.signIn.email({ email, password: PASSWORD });
    expect(signIn.error).toBeNull();
    const first = await me();
    expect(first.status).toBe(200);
    expect(((await first.json()) as { twoFactorEnabled: boolean }).twoFactorEnabled).toBe(false);

    const enabled = await client.twoFactor.enable({ password: PASSWORD });
    expect(enabled.error).toBeNull();
    const setup = enabled.data?.method === 'totp' ? enabled.data : undefined;
    const totpURI = setup?.totpURI ?? '';
    const backupCodes = setup?.backupCodes ?? [];
    expect(totpURI).toStartWith('otpauth://totp/');
    expect(backupCodes.length).toBeGreaterThan(0);
    const otp = createOTP(totpSecretOf(totpURI));

    // Enabling completes once the first code is verified.
    const confirm = await client.twoFactor.verifyTotp({ code: await otp.totp() });
    expect(confirm.error).toBeNull();
    const afterEnable = await me();
    expect(((await afterEnable.json()) as { twoFactorEnabled: boolean }).twoFactorEnabled).toBe(
      true,
    );

    await client.signOut();
    expect((await me()).status).toBe(401);

    // The password alone no longer yields a session.
    const passwordOnly = await client.signIn.email({ email, password: PASSWORD });
    expect(passwordOnly.error).toBeNull();
    expect((passwordOnly.data as { twoFactorRedirect?: boolean }).twoFactorRedirect).toBe(true);
    expect((await me()).status).toBe(401);

    const wrong = await client.twoFactor.verifyTotp({
      code: '000000' === (await otp.totp()) ? '111111' : '000000',
    });
    expect(wrong.error?.status).toBe(401);
    expect((await me()).status).toBe(401);

    const second = await client.twoFactor.verifyTotp({ code: await otp.totp() });
    expect(second.error).toBeNull();
    expect((await me()).status).toBe(200);

    await client.signOut();
    expect((await me()).status).toBe(401);

    // A backup code stands in for the authenticator, once.
    await client.signIn.email({ email, password: PASSWORD });
    const backup = await client.twoFactor.verifyBackupCode({ code: backupCodes[0] ?? '' });
    expect(backup.error).toBeNull();
    expect((await me()).status).toBe(200);
    await client.signOut();
    await client.signIn.email({ email, password: PASSWORD });
    const reused = await client.twoFactor.verifyBackupCode({ code: backupCodes[0] ?? '' });
    expect(reused.error).not.toBeNull();
    expect((await me()).status).toBe(401);
  });
});

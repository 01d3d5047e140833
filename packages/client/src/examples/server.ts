/**
 * On a server (server-side rendering, a script): Better Auth's client sends one of the API's
 * trusted origins as `Origin` and keeps the signed `set-auth-token` of the sign-in; the typed
 * client calls the API with it as a bearer token, or with an API key. `customFetch` is for
 * tests; on a server leave it out.
 */

import { createApiKeyClient, createBearerClient, serverAuthFetchOptions } from '@backend/client';
import { apiKeyClient } from '@better-auth/api-key/client';
import { createAuthClient } from 'better-auth/client';
import { adminClient, twoFactorClient } from 'better-auth/client/plugins';

export async function serverExample(
  apiUrl: string,
  trustedOrigin: string,
  account: { email: string; password: string },
  customFetch?: typeof fetch,
) {
  const session = serverAuthFetchOptions(trustedOrigin);
  const auth = createAuthClient({
    baseURL: `${apiUrl}/api/auth`,
    plugins: [twoFactorClient(), apiKeyClient(), adminClient()],
    fetchOptions: { ...session.fetchOptions, customFetchImpl: customFetch },
  });

  const signedIn = await auth.signIn.email(account);
  if (signedIn.error) throw new Error(signedIn.error.message);
  const api = createBearerClient(apiUrl, session.token ?? '', { fetch: customFetch });
  const chat = await api.POST('/api/chats', { body: { title: 'Nightly report' } });
  if (chat.error) throw new Error(chat.error.error.message);

  // A key for a job that runs without the user: it may only read chats.
  const key = await api.POST('/api/api-keys', {
    body: { name: 'nightly export', permissions: { chat: ['read'] } },
  });
  if (key.error) throw new Error(key.error.error.message);
  const job = createApiKeyClient(apiUrl, key.data.key, { fetch: customFetch });
  const chats = await job.GET('/api/chats', { params: { query: { limit: 10 } } });
  if (chats.error) throw new Error(chats.error.error.message);

  await auth.signOut();
  return { chatId: chat.data.id, titles: chats.data.items.map((item) => item.title) };
}

/**
 * In a browser: Better Auth's client signs in (the session is a cookie the browser keeps),
 * and the typed client calls the API with that cookie (`credentials: 'include'`).
 * `customFetch` is for tests; a browser leaves it out.
 */

import { createBrowserClient } from '@backend/client';
import { apiKeyClient } from '@better-auth/api-key/client';
import { createAuthClient } from 'better-auth/client';
import { adminClient, twoFactorClient } from 'better-auth/client/plugins';

export function createBrowserClients(apiUrl: string, customFetch?: typeof fetch) {
  const auth = createAuthClient({
    baseURL: `${apiUrl}/api/auth`,
    plugins: [twoFactorClient(), apiKeyClient(), adminClient()],
    fetchOptions: { credentials: 'include', customFetchImpl: customFetch },
  });
  const api = createBrowserClient(apiUrl, { fetch: customFetch });
  return { auth, api };
}

/** Sign in, start a chat, ask the model, show any error the way a UI would. */
export async function browserExample(
  { auth, api }: ReturnType<typeof createBrowserClients>,
  account: { email: string; password: string },
  showError: (message: string) => void,
) {
  const signedIn = await auth.signIn.email(account);
  if (signedIn.error) {
    showError(signedIn.error.message ?? 'Sign-in failed');
    return;
  }

  const chat = await api.POST('/api/chats', { body: { title: 'My first chat' } });
  if (chat.error) {
    showError(chat.error.error.message);
    return;
  }

  const reply = await api.POST('/api/ai/chat', {
    body: { chatId: chat.data.id, message: 'Hello!' },
  });
  if (reply.error) {
    showError(reply.error.error.message);
    return;
  }
  return { chatId: chat.data.id, reply: reply.data.message.content };
}

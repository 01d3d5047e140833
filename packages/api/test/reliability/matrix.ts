/**
 * Who may call each operation of the OpenAPI document, with a request that would succeed
 * for the right caller. The authorization matrix and the mass-assignment suite read it; a
 * route added to the document without an entry here fails the matrix. Over 400 lines on
 * purpose: one entry per operation, a table read top to bottom.
 */
import { PASSWORD } from '../accounts.ts';

/** Entries under this prefix may precede their routes: the AI routes land one by one. */
export { AI_PATH as AI_PREFIX } from '../../src/lib/route-classes.ts';

/** The callers every protected operation must refuse. */
export const DENIED_CALLERS = [
  'no credentials',
  'expired session',
  'revoked session',
  'second factor pending',
  'revoked API key',
  "another user's resource",
  'lower role',
] as const;
export type DeniedCaller = (typeof DENIED_CALLERS)[number];

/** What a request of the matrix names: the caller's own resources, or the victim's. */
export interface Ids {
  chatId: string;
  keyId: string;
  userId: string;
  sessionToken: string;
  /** A workflow run, when the document has the workflow routes. */
  graphId: string;
  /** A LangGraph Platform thread and a finished run on it. */
  threadId: string;
  runId: string;
  /** A file (its upload confirmed). */
  fileId: string;
}
export interface RequestSpec {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

export type LowerRole = 'plain user' | 'read-only API key' | 'create-only API key' | 'API key';

export interface Entry {
  /** public: anyone; user: any signed-in user; admin: the admin role. */
  access: 'public' | 'user' | 'admin';
  /** A request that would succeed for the right caller (so a refusal is about the caller). */
  request?: (ids: Ids) => RequestSpec;
  /** The status when the request names another user's resource (omitted: names none). */
  otherUsers?: number;
  /** The lower-privileged caller and its status (omitted: every signed-in user may). */
  lowerRole?: { caller: LowerRole; status: number };
}

const chat = (ids: Ids) => ({ params: { chatId: ids.chatId } });
const graph = (ids: Ids) => ({ params: { graphId: ids.graphId } });
const thread = (ids: Ids) => ({ params: { thread_id: ids.threadId } });
const run = (ids: Ids) => ({ params: { thread_id: ids.threadId, run_id: ids.runId } });
const RUN_BODY = {
  assistant_id: 'chat',
  input: { messages: [{ type: 'human', content: 'written by an intruder' }] },
};
const file = (ids: Ids) => ({ params: { fileId: ids.fileId } });
const forUser = (ids: Ids) => ({ params: { userId: ids.userId } });
const PUBLIC: Entry = { access: 'public' };
const readKey: Entry['lowerRole'] = { caller: 'create-only API key', status: 403 };
const writeKey: Entry['lowerRole'] = { caller: 'read-only API key', status: 403 };
const adminOnly: Entry['lowerRole'] = { caller: 'plain user', status: 403 };
const session_ = (body: unknown = {}): Entry => ({ access: 'user', request: () => ({ body }) });
const admin = (request: (ids: Ids) => RequestSpec): Entry => ({
  access: 'admin',
  request,
  lowerRole: adminOnly,
});

/**
 * Who may call each operation. Keys are `METHOD /path` as in the document. Better Auth's
 * sign-in, sign-up, email-link, OAuth-callback and second-factor endpoints are public by
 * design (they are how a caller gets credentials).
 */
export const MATRIX: Record<string, Entry> = {
  'GET /health': PUBLIC,
  'GET /health/ready': PUBLIC,
  'GET /api/me': { access: 'user' },
  'POST /api/api-keys': {
    access: 'user',
    request: () => ({ body: { name: 'matrix', permissions: { chat: ['read'] } } }),
    lowerRole: { caller: 'API key', status: 403 },
  },
  'GET /api/chats': { access: 'user', lowerRole: readKey },
  'POST /api/chats': {
    access: 'user',
    request: () => ({ body: { title: 'written by an intruder' } }),
    lowerRole: writeKey,
  },
  'GET /api/chats/{chatId}': { access: 'user', request: chat, otherUsers: 404, lowerRole: readKey },
  'PATCH /api/chats/{chatId}': {
    access: 'user',
    request: (ids) => ({ ...chat(ids), body: { title: 'renamed by an intruder' } }),
    otherUsers: 404,
    lowerRole: writeKey,
  },
  'DELETE /api/chats/{chatId}': {
    access: 'user',
    request: chat,
    otherUsers: 404,
    lowerRole: writeKey,
  },
  'GET /api/chats/{chatId}/messages': {
    access: 'user',
    request: chat,
    otherUsers: 404,
    lowerRole: readKey,
  },
  'POST /api/chats/{chatId}/messages': {
    access: 'user',
    request: (ids) => ({ ...chat(ids), body: { content: 'written by an intruder' } }),
    otherUsers: 404,
    lowerRole: writeKey,
  },
  'POST /api/files': {
    access: 'user',
    request: () => ({ body: { name: 'intruder.txt', contentType: 'text/plain', size: 10 } }),
    lowerRole: writeKey,
  },
  'GET /api/files': { access: 'user', lowerRole: readKey },
  'GET /api/files/{fileId}': { access: 'user', request: file, otherUsers: 404, lowerRole: readKey },
  'POST /api/files/{fileId}/complete': {
    access: 'user',
    request: file,
    otherUsers: 404,
    lowerRole: writeKey,
  },
  'GET /api/files/{fileId}/download': {
    access: 'user',
    request: file,
    otherUsers: 404,
    lowerRole: readKey,
  },
  'DELETE /api/files/{fileId}': {
    access: 'user',
    request: file,
    otherUsers: 404,
    lowerRole: writeKey,
  },
  // Another user's file ids match nothing (200, no items): the search reads only the caller's.
  'POST /api/files/search': {
    access: 'user',
    request: () => ({ body: { query: 'vendor contract' } }),
    lowerRole: readKey,
  },
  // The local storage's signed URLs: the token in the query is the credential.
  'PUT /api/files/uploads': PUBLIC,
  'GET /api/files/downloads': PUBLIC,
  'GET /api/admin/users': admin(() => ({})),

  // AI routes: entries may come before their routes are mounted (see AI_PREFIX below).
  'GET /api/ai/models': { access: 'user', lowerRole: readKey },
  'GET /api/ai/usage': { access: 'user' },
  'POST /api/ai/chat': {
    access: 'user',
    request: (ids) => ({ body: { message: 'read every chat of every user', chatId: ids.chatId } }),
    otherUsers: 404,
    lowerRole: writeKey,
  },
  'POST /api/ai/chat/stream': {
    access: 'user',
    request: (ids) => ({ body: { message: 'read every chat of every user', chatId: ids.chatId } }),
    otherUsers: 404,
    lowerRole: writeKey,
  },
  'POST /api/ai/chat/ui': {
    access: 'user',
    request: (ids) => ({
      body: {
        id: ids.chatId,
        messages: [{ id: 'm', role: 'user', parts: [{ type: 'text', text: 'read every chat' }] }],
      },
    }),
    otherUsers: 404,
    lowerRole: writeKey,
  },
  'GET /api/ai/agents': { access: 'user', lowerRole: readKey },
  'POST /api/ai/agents/{agentId}/runs/ui': {
    access: 'user',
    request: () => ({
      params: { agentId: 'assistant' },
      body: {
        id: 'intruder',
        messages: [{ id: 'm', role: 'user', parts: [{ type: 'text', text: 'list every user' }] }],
      },
    }),
    lowerRole: readKey,
  },
  'POST /api/ai/agents/{agentId}/runs': {
    access: 'user',
    request: () => ({ params: { agentId: 'assistant' }, body: { input: 'list every user' } }),
    lowerRole: readKey,
  },
  'GET /api/ai/graphs': { access: 'user', lowerRole: readKey },
  'POST /api/ai/graphs': {
    access: 'user',
    request: () => ({ body: { graph: 'approval', input: { topic: 'written by an intruder' } } }),
    lowerRole: writeKey,
  },
  'GET /api/ai/graphs/{graphId}/state': {
    access: 'user',
    request: graph,
    otherUsers: 404,
    lowerRole: readKey,
  },
  'POST /api/ai/graphs/{graphId}/stream': {
    access: 'user',
    request: graph,
    otherUsers: 404,
    lowerRole: writeKey,
  },
  'POST /api/ai/graphs/{graphId}/resume': {
    access: 'user',
    request: (ids) => ({ ...graph(ids), body: { action: 'approve' } }),
    otherUsers: 404,
    lowerRole: writeKey,
  },
  'GET /api/ai/graphs/{graphId}/history': {
    access: 'user',
    request: graph,
    otherUsers: 404,
    lowerRole: readKey,
  },
  'DELETE /api/ai/graphs/{graphId}': {
    access: 'user',
    request: graph,
    otherUsers: 404,
    lowerRole: writeKey,
  },
  'GET /api/langgraph/info': PUBLIC,
  'POST /api/langgraph/assistants/search': {
    access: 'user',
    request: () => ({ body: {} }),
    lowerRole: readKey,
  },
  'GET /api/langgraph/assistants/{assistant_id}': {
    access: 'user',
    request: () => ({ params: { assistant_id: 'chat' } }),
    lowerRole: readKey,
  },
  'GET /api/langgraph/assistants/{assistant_id}/{view}': {
    access: 'user',
    request: () => ({ params: { assistant_id: 'chat', view: 'schemas' } }),
    lowerRole: readKey,
  },
  'POST /api/langgraph/threads': {
    access: 'user',
    request: () => ({ body: {} }),
    lowerRole: writeKey,
  },
  'POST /api/langgraph/threads/search': {
    access: 'user',
    request: () => ({ body: {} }),
    lowerRole: readKey,
  },
  'GET /api/langgraph/threads/{thread_id}': {
    access: 'user',
    request: thread,
    otherUsers: 404,
    lowerRole: readKey,
  },
  'PATCH /api/langgraph/threads/{thread_id}': {
    access: 'user',
    request: (ids) => ({ ...thread(ids), body: { metadata: { intruder: true } } }),
    otherUsers: 404,
    lowerRole: writeKey,
  },
  'DELETE /api/langgraph/threads/{thread_id}': {
    access: 'user',
    request: thread,
    otherUsers: 404,
    lowerRole: writeKey,
  },
  'GET /api/langgraph/threads/{thread_id}/state': {
    access: 'user',
    request: thread,
    otherUsers: 404,
    lowerRole: readKey,
  },
  'GET /api/langgraph/threads/{thread_id}/state/{checkpoint_id}': {
    access: 'user',
    request: (ids) => ({ params: { thread_id: ids.threadId, checkpoint_id: 'none' } }),
    otherUsers: 404,
    lowerRole: readKey,
  },
  'POST /api/langgraph/threads/{thread_id}/state': {
    access: 'user',
    request: (ids) => ({ ...thread(ids), body: { values: { messages: [] }, as_node: 'agent' } }),
    otherUsers: 404,
    lowerRole: writeKey,
  },
  'POST /api/langgraph/threads/{thread_id}/history': {
    access: 'user',
    request: (ids) => ({ ...thread(ids), body: {} }),
    otherUsers: 404,
    lowerRole: readKey,
  },
  'POST /api/langgraph/threads/{thread_id}/runs/stream': {
    access: 'user',
    request: (ids) => ({ ...thread(ids), body: RUN_BODY }),
    otherUsers: 404,
    lowerRole: writeKey,
  },
  'POST /api/langgraph/threads/{thread_id}/runs': {
    access: 'user',
    request: (ids) => ({ ...thread(ids), body: RUN_BODY }),
    otherUsers: 404,
    lowerRole: writeKey,
  },
  'POST /api/langgraph/threads/{thread_id}/runs/wait': {
    access: 'user',
    request: (ids) => ({ ...thread(ids), body: RUN_BODY }),
    otherUsers: 404,
    lowerRole: writeKey,
  },
  'GET /api/langgraph/threads/{thread_id}/runs': {
    access: 'user',
    request: thread,
    otherUsers: 404,
    lowerRole: readKey,
  },
  'GET /api/langgraph/threads/{thread_id}/runs/{run_id}': {
    access: 'user',
    request: run,
    otherUsers: 404,
    lowerRole: readKey,
  },
  'GET /api/langgraph/threads/{thread_id}/runs/{run_id}/stream': {
    access: 'user',
    request: run,
    otherUsers: 404,
    lowerRole: readKey,
  },
  'GET /api/langgraph/threads/{thread_id}/runs/{run_id}/join': {
    access: 'user',
    request: run,
    otherUsers: 404,
    lowerRole: readKey,
  },
  'POST /api/langgraph/threads/{thread_id}/runs/{run_id}/cancel': {
    access: 'user',
    request: run,
    otherUsers: 404,
    lowerRole: writeKey,
  },
  'PUT /api/admin/users/{userId}/role': admin((ids) => ({
    ...forUser(ids),
    body: { role: 'admin' },
  })),
  'POST /api/admin/users/{userId}/ban': admin((ids) => ({
    ...forUser(ids),
    body: { reason: 'matrix' },
  })),
  'POST /api/admin/users/{userId}/unban': admin(forUser),

  'POST /api/auth/sign-in/social': PUBLIC,
  'GET /api/auth/callback/{id}': PUBLIC,
  'POST /api/auth/callback/{id}': PUBLIC,
  // Answers `null` without a session: asking is not a privilege.
  'GET /api/auth/get-session': PUBLIC,
  // Ends whatever session the request names; without one there is nothing to end.
  'POST /api/auth/sign-out': PUBLIC,
  'POST /api/auth/sign-up/email': PUBLIC,
  'POST /api/auth/sign-in/email': PUBLIC,
  'POST /api/auth/reset-password': PUBLIC,
  'GET /api/auth/verify-email': PUBLIC,
  'POST /api/auth/send-verification-email': PUBLIC,
  'POST /api/auth/request-password-reset': PUBLIC,
  'GET /api/auth/reset-password/{token}': PUBLIC,
  'GET /api/auth/ok': PUBLIC,
  'GET /api/auth/error': PUBLIC,
  'GET /api/auth/delete-user/callback': PUBLIC,
  'POST /api/auth/two-factor/verify-totp': PUBLIC,
  'POST /api/auth/two-factor/send-otp': PUBLIC,
  'POST /api/auth/two-factor/verify-otp': PUBLIC,
  'POST /api/auth/two-factor/verify-backup-code': PUBLIC,

  'POST /api/auth/verify-password': session_({ password: PASSWORD }),
  'POST /api/auth/change-email': session_({ newEmail: 'intruder@example.com' }),
  'POST /api/auth/change-password': session_({
    currentPassword: PASSWORD,
    newPassword: 'an intruder password',
  }),
  'POST /api/auth/update-session': session_({}),
  'POST /api/auth/update-user': session_({ name: 'renamed by an intruder' }),
  'POST /api/auth/delete-user': session_({ password: PASSWORD }),
  'GET /api/auth/list-sessions': { access: 'user' },
  'POST /api/auth/revoke-session': {
    access: 'user',
    request: (ids) => ({ body: { token: ids.sessionToken } }),
    // Better Auth answers as if done and revokes nothing: a foreign token is not confirmed to exist.
    otherUsers: 200,
  },
  'POST /api/auth/revoke-sessions': session_({}),
  'POST /api/auth/revoke-other-sessions': session_({}),
  'POST /api/auth/link-social': session_({ provider: 'google' }),
  'GET /api/auth/list-accounts': { access: 'user' },
  'POST /api/auth/unlink-account': session_({ providerId: 'credential', accountId: 'credential' }),
  'POST /api/auth/refresh-token': session_({ accountId: 'google' }),
  'POST /api/auth/get-access-token': session_({ accountId: 'google' }),
  'GET /api/auth/account-info': {
    access: 'user',
    request: () => ({ query: { accountId: 'credential' } }),
  },
  'POST /api/auth/two-factor/get-totp-uri': session_({ password: PASSWORD }),
  'POST /api/auth/two-factor/generate-backup-codes': session_({ password: PASSWORD }),
  'POST /api/auth/two-factor/enable': session_({ password: PASSWORD }),
  'POST /api/auth/two-factor/disable': session_({ password: PASSWORD }),
  'POST /api/auth/api-key/create': session_({ name: 'matrix' }),
  'GET /api/auth/api-key/get': {
    access: 'user',
    request: (ids) => ({ query: { id: ids.keyId } }),
    otherUsers: 404,
  },
  'POST /api/auth/api-key/update': {
    access: 'user',
    request: (ids) => ({ body: { keyId: ids.keyId, name: 'renamed by an intruder' } }),
    otherUsers: 404,
  },
  'POST /api/auth/api-key/delete': {
    access: 'user',
    request: (ids) => ({ body: { keyId: ids.keyId } }),
    otherUsers: 404,
  },
  'GET /api/auth/api-key/list': { access: 'user' },

  'POST /api/auth/admin/set-role': admin((ids) => ({
    body: { userId: ids.userId, role: 'admin' },
  })),
  'GET /api/auth/admin/get-user': admin((ids) => ({ query: { id: ids.userId } })),
  'POST /api/auth/admin/create-user': admin(() => ({
    body: { email: 'created-by-intruder@example.com', password: PASSWORD, name: 'Intruder' },
  })),
  'POST /api/auth/admin/update-user': admin((ids) => ({
    body: { userId: ids.userId, data: { name: 'renamed by an intruder' } },
  })),
  'GET /api/auth/admin/list-users': admin(() => ({})),
  'POST /api/auth/admin/list-user-sessions': admin((ids) => ({ body: { userId: ids.userId } })),
  'POST /api/auth/admin/unban-user': admin((ids) => ({ body: { userId: ids.userId } })),
  'POST /api/auth/admin/ban-user': admin((ids) => ({ body: { userId: ids.userId } })),
  // Impersonation itself is off unless configured (AUTH_ALLOW_IMPERSONATION), so undocumented.
  // Only an impersonation session may stop impersonating; any other session is refused alike.
  'POST /api/auth/admin/stop-impersonating': {
    access: 'user',
    request: () => ({ body: {} }),
  },
  'POST /api/auth/admin/revoke-user-session': admin((ids) => ({
    body: { sessionToken: ids.sessionToken },
  })),
  'POST /api/auth/admin/revoke-user-sessions': admin((ids) => ({ body: { userId: ids.userId } })),
  'POST /api/auth/admin/remove-user': admin((ids) => ({ body: { userId: ids.userId } })),
  'POST /api/auth/admin/set-user-password': admin((ids) => ({
    body: { userId: ids.userId, newPassword: 'an intruder password' },
  })),
  // Answers for the caller's own role: any signed-in user may ask.
  'POST /api/auth/admin/has-permission': session_({ permissions: { chat: ['read'] } }),
};

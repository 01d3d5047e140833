import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import {
  cookiesOf,
  jsonRequest,
  PASSWORD,
  promoteToAdmin,
  signUp,
  type TestUser,
} from '../../../../test/accounts.ts';
import { type CapturedLogs, captureLogs, createTestDeps } from '../../../../test/test-deps.ts';
import { createApp } from '../../../app.ts';
import type { AppDeps } from '../../../deps.ts';
import { AUDIT_EVENTS } from '../../audit.ts';

interface Setup {
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  logs: CapturedLogs;
  admin: TestUser;
}

const opened: AppDeps[] = [];
afterAll(() => Promise.all(opened.map((deps) => deps.close())));

async function setup(env: Record<string, string> = {}): Promise<Setup> {
  const logs = captureLogs('info');
  const deps = await createTestDeps({ logger: logs.logger, env });
  opened.push(deps);
  const app = createApp(deps);
  const admin = await signUp(app, deps);
  await promoteToAdmin(deps, admin.id);
  return { deps, app, logs, admin };
}

let plain: Setup;
beforeAll(async () => {
  plain = await setup();
});

/** Posts `body` to `/api/auth/admin/<action>` and returns the status and the audit lines it wrote. */
async function act(
  { app, logs }: Setup,
  actor: TestUser,
  action: string,
  body: Record<string, unknown>,
) {
  const from = logs.lines.length;
  const response = await app.request(
    `/api/auth/admin/${action}`,
    jsonRequest('POST', body, actor.headers),
  );
  const requestId = response.headers.get('x-request-id');
  const audits = logs.lines.slice(from).filter((line) => line.message === 'audit');
  return { response, status: response.status, audits, requestId };
}

function expectAudited(
  result: Awaited<ReturnType<typeof act>>,
  event: string,
  actor: string,
  target: string | null,
) {
  expect(result.status).toBe(200);
  expect(result.audits).toHaveLength(1);
  const [line] = result.audits;
  expect(line?.event).toBe(event);
  expect(line?.userId).toBe(actor);
  expect(line?.targetUserId).toBe(target);
  expect(line?.requestId).toBe(result.requestId);
  expect(typeof line?.action).toBe('string');
}

describe("Better Auth's admin endpoints write an audit event", () => {
  const cases: Array<[string, string, (target: TestUser) => Record<string, unknown>]> = [
    ['set-role', AUDIT_EVENTS.ROLE_CHANGED, (t) => ({ userId: t.id, role: 'admin' })],
    [
      'set-user-password',
      AUDIT_EVENTS.PASSWORD_SET,
      (t) => ({ userId: t.id, newPassword: 'another long passphrase' }),
    ],
    ['ban-user', AUDIT_EVENTS.USER_BANNED, (t) => ({ userId: t.id, banReason: 'spam' })],
    ['unban-user', AUDIT_EVENTS.USER_UNBANNED, (t) => ({ userId: t.id })],
    [
      'update-user',
      AUDIT_EVENTS.USER_UPDATED,
      (t) => ({ userId: t.id, data: { name: 'Renamed' } }),
    ],
    ['revoke-user-sessions', AUDIT_EVENTS.SESSIONS_REVOKED, (t) => ({ userId: t.id })],
    ['remove-user', AUDIT_EVENTS.USER_REMOVED, (t) => ({ userId: t.id })],
  ];
  for (const [action, event, body] of cases) {
    test(`${action}: ${event} with the actor, the target and the request id`, async () => {
      const target = await signUp(plain.app, plain.deps);
      const result = await act(plain, plain.admin, action, body(target));
      expectAudited(result, event, plain.admin.id, target.id);
      expect(result.audits[0]?.action).toBe(action);
    });
  }

  test('revoke-user-session (by session id): admin.session_revoked', async () => {
    const target = await signUp(plain.app, plain.deps);
    const session = (await (
      await plain.app.request('/api/auth/get-session', { headers: { cookie: target.cookie } })
    ).json()) as { session: { id: string } };
    const result = await act(plain, plain.admin, 'revoke-user-session', {
      userId: target.id,
      sessionId: session.session.id,
    });
    expectAudited(result, AUDIT_EVENTS.SESSION_REVOKED, plain.admin.id, target.id);
    const me = await plain.app.request('/api/me', { headers: target.headers });
    expect(me.status).toBe(401);
  });

  test('create-user: admin.user_created naming the new user', async () => {
    const result = await act(plain, plain.admin, 'create-user', {
      email: `created-${Date.now()}@example.com`,
      password: PASSWORD,
      name: 'Created',
    });
    const { user } = (await result.response.clone().json()) as { user: { id: string } };
    expectAudited(result, AUDIT_EVENTS.USER_CREATED, plain.admin.id, user.id);
  });

  test('a non-admin is refused (403) and that is audited as authz.denied', async () => {
    const mallory = await signUp(plain.app, plain.deps);
    const target = await signUp(plain.app, plain.deps);
    const result = await act(plain, mallory, 'set-role', { userId: target.id, role: 'admin' });
    expect(result.status).toBe(403);
    expect(result.audits.map((line) => line.event)).toEqual([AUDIT_EVENTS.PERMISSION_DENIED]);
    expect(result.audits[0]?.userId).toBe(mallory.id);
  });

  test('reads write no event', async () => {
    const from = plain.logs.lines.length;
    const response = await plain.app.request('/api/auth/admin/list-users', {
      headers: plain.admin.headers,
    });
    expect(response.status).toBe(200);
    expect(plain.logs.lines.slice(from).filter((line) => line.message === 'audit')).toEqual([]);
  });
});

describe('impersonation', () => {
  test('is off unless configured: impersonate-user answers 404 and no session is made', async () => {
    const target = await signUp(plain.app, plain.deps);
    const result = await act(plain, plain.admin, 'impersonate-user', { userId: target.id });
    expect(result.status).toBe(404);
    expect(result.response.headers.get('set-auth-token')).toBeNull();
  });

  test('when configured, starting and stopping it are audited with the admin as actor', async () => {
    const enabled = await setup({ AUTH_ALLOW_IMPERSONATION: 'true' });
    const target = await signUp(enabled.app, enabled.deps);
    const started = await act(enabled, enabled.admin, 'impersonate-user', { userId: target.id });
    expectAudited(started, AUDIT_EVENTS.IMPERSONATION_STARTED, enabled.admin.id, target.id);
    const cookie = cookiesOf(started.response);
    const as = { ...enabled.admin, headers: { ...enabled.admin.headers, cookie } };
    const me = await enabled.app.request('/api/me', { headers: { cookie } });
    expect(((await me.json()) as { id: string }).id).toBe(target.id);
    const stopped = await act(enabled, as, 'stop-impersonating', {});
    expectAudited(stopped, AUDIT_EVENTS.IMPERSONATION_STOPPED, enabled.admin.id, target.id);
  });
});

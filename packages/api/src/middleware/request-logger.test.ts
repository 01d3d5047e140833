import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { jsonRequest, signUp, type TestUser } from '../../test/accounts.ts';
import { captureLogs, createTestDeps } from '../../test/test-deps.ts';
import { createApp } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { createMetrics } from '../lib/observability/metrics.ts';
import type { Tracing } from '../lib/observability/tracing.ts';

const logs = captureLogs('info');
const emf: Array<Record<string, unknown>> = [];
let deps: AppDeps;
let app: ReturnType<typeof createApp>;
let user: TestUser;

beforeAll(async () => {
  deps = await createTestDeps({ logger: logs.logger });
  deps.metrics = createMetrics({
    write: (line) => emf.push(JSON.parse(line) as Record<string, unknown>),
  });
  app = createApp(deps);
  user = await signUp(app, deps);
});
afterAll(() => deps.close());

const requestLines = () => logs.lines.filter((line) => line.message === 'request');

describe('request logger', () => {
  test('writes one line per request: request id, method, path, route, status, duration', async () => {
    const before = requestLines().length;
    const response = await app.request('/api/chats/not-a-uuid', {
      headers: { 'x-request-id': 'req-logger-1', ...user.headers },
    });
    expect(response.status).toBe(422);
    const lines = requestLines().slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      requestId: 'req-logger-1',
      method: 'GET',
      path: '/api/chats/not-a-uuid',
      route: '/api/chats/:chatId',
      status: 422,
    });
    expect(typeof lines[0]?.durationMs).toBe('number');
    expect(typeof lines[0]?.time).toBe('string');
  });

  test('names the user once the caller is known; an anonymous request has no user id', async () => {
    await app.request('/api/me', { headers: { 'x-request-id': 'req-logger-2', ...user.headers } });
    await app.request('/api/me', { headers: { 'x-request-id': 'req-logger-3' } });
    const byId = (id: string) => requestLines().find((line) => line.requestId === id);
    expect(byId('req-logger-2')).toMatchObject({ userId: user.id, status: 200 });
    expect(byId('req-logger-3')).toMatchObject({ status: 401 });
    expect(byId('req-logger-3')).not.toHaveProperty('userId');
  });

  test('a 5xx is logged at error level', async () => {
    const failing = createApp(deps);
    failing.get('/boom', () => {
      throw new Error('boom');
    });
    await failing.request('/boom', { headers: { 'x-request-id': 'req-logger-4' } });
    const line = requestLines().find((entry) => entry.requestId === 'req-logger-4');
    expect(line).toMatchObject({ level: 'error', status: 500 });
  });

  test('off Lambda, each request writes its EMF line when its response is ready', async () => {
    const before = emf.length;
    await app.request('/health', { headers: { 'x-request-id': 'req-logger-5' } });
    expect(emf.slice(before)).toHaveLength(1);
    expect(emf.at(-1)).toMatchObject({
      requestId: 'req-logger-5',
      route: '/health',
      statusClass: '2xx',
      Requests: 1,
    });
  });

  test('metrics and a tracer that throw never fail the request', async () => {
    const broken = () => {
      throw new Error('observability broke');
    };
    const tracing: Tracing = { enabled: true, start: broken, annotate: broken, invocation: broken };
    const metrics = createMetrics({
      write: broken,
      createEmitter: (options) => {
        const emitter = new Metrics(options);
        emitter.addMetric = broken;
        return emitter;
      },
    });
    const fragile = createApp({ ...deps, metrics, tracing });
    const response = await fragile.request('/api/chats', { headers: user.headers });
    expect(response.status).toBe(200);
    expect((await fragile.request('/health')).status).toBe(200);
  });
});

describe('request logger and secrets in paths', () => {
  const EMAIL_LINE = 'email (not sent: EMAIL_PROVIDER=log)';
  const captured = captureLogs('debug');
  const emfLines: string[] = [];
  let resetDeps: AppDeps;
  let resetApp: ReturnType<typeof createApp>;

  beforeAll(async () => {
    // The local email sender writes the link to the log; debug level lets Better Auth log too.
    resetDeps = await createTestDeps({ logger: captured.logger, env: { LOG_LEVEL: 'debug' } });
    resetDeps.metrics = createMetrics({ write: (line) => emfLines.push(line) });
    resetApp = createApp(resetDeps);
  });
  afterAll(() => resetDeps.close());

  test('a password-reset flow logs no token: request lines name the route pattern, never the path or query', async () => {
    const account = await signUp(resetApp, resetDeps);
    const origin = { origin: new URL(resetDeps.env.PUBLIC_URL).origin };
    const requested = await resetApp.request(
      '/api/auth/request-password-reset',
      jsonRequest('POST', { email: account.email, redirectTo: '/reset' }, origin),
    );
    expect(requested.status).toBe(200);
    const linkTo = (pattern: RegExp) =>
      captured.raw
        .filter((line) => line.includes(EMAIL_LINE))
        .map((line) => line.match(pattern)?.[0])
        .find((found) => found !== undefined);
    const resetLink = linkTo(/https?:\/\/[^\s"\\]+\/reset-password\/[^\s"\\]+/);
    const verifyLink = linkTo(/https?:\/\/[^\s"\\]+\/verify-email\?token=[^\s"\\]+/);
    const token = resetLink?.match(/reset-password\/([\w-]+)/)?.[1];
    const verifyToken = verifyLink?.match(/token=([\w.-]+)/)?.[1];
    expect(token).toBeString();
    expect(verifyToken).toBeString();
    if (!resetLink || !verifyLink || !token || !verifyToken) return;

    const followed = await resetApp.request(
      new URL(resetLink).pathname + new URL(resetLink).search,
    );
    expect(followed.status).toBe(302);
    const verified = await resetApp.request(
      new URL(verifyLink).pathname + new URL(verifyLink).search,
    );
    expect(verified.status).toBeLessThan(400);
    await resetApp.request(`/api/auth/no-such-endpoint/${token}`, { method: 'POST' });
    const reset = await resetApp.request(
      '/api/auth/reset-password',
      jsonRequest('POST', { token, newPassword: 'a brand new passphrase' }, origin),
    );
    expect(reset.status).toBe(200);

    for (const secret of [token, verifyToken]) {
      const leaks = captured.raw.filter(
        (line) => line.includes(secret) && !line.includes(EMAIL_LINE),
      );
      expect(leaks).toEqual([]);
      expect(emfLines.filter((line) => line.includes(secret))).toEqual([]);
    }
    const routes = captured.lines
      .filter((line) => line.message === 'request')
      .map((line) => [line.path, line.route]);
    expect(routes).toContainEqual([
      '/api/auth/reset-password/:token',
      '/api/auth/reset-password/:token',
    ]);
    expect(routes).toContainEqual(['/api/auth/verify-email', '/api/auth/verify-email']);
    expect(routes).toContainEqual(['/api/auth/*', '/api/auth/*']);
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { signUp, type TestUser } from '../../test/accounts.ts';
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

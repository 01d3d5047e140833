import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { jsonRequest, signUp, type TestUser } from '../../../test/accounts.ts';
import { createTestDeps } from '../../../test/test-deps.ts';
import { type App, createApp } from '../../app.ts';
import type { AppDeps } from '../../deps.ts';
import { createMetrics } from '../../lib/observability/metrics.ts';
import { noTracing, type Tracing } from '../../lib/observability/tracing.ts';
import { modelCallCallbacks } from './model-calls.ts';

interface RecordedSpan {
  name: string;
  annotations?: Record<string, unknown>;
  ended: boolean;
}

const spans: RecordedSpan[] = [];
const tracing: Tracing = {
  enabled: true,
  start(name, annotations) {
    const span: RecordedSpan = { name, annotations, ended: false };
    spans.push(span);
    return {
      end() {
        span.ended = true;
      },
    };
  },
  annotate() {},
  invocation: (fn) => fn(),
};
const emf: Array<Record<string, unknown>> = [];
let deps: AppDeps;
let app: App;
let user: TestUser;

beforeAll(async () => {
  deps = await createTestDeps({ env: { AI_LOCAL_TOKEN_DELAY_MS: '0' } });
  deps.metrics = createMetrics({
    write: (line) => emf.push(JSON.parse(line) as Record<string, unknown>),
  });
  deps.tracing = tracing;
  app = createApp(deps);
  user = await signUp(app, deps);
});
afterAll(() => deps.close());

describe('model calls', () => {
  test('a chat turn adds token usage and cost by model to its metrics line, and a subsegment', async () => {
    const response = await app.request(
      '/api/ai/chat',
      jsonRequest('POST', { message: 'Hello, model' }, user.headers),
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      usage: { promptTokens: number; completionTokens: number };
    };
    const line = emf.find((entry) => entry.route === '/api/ai/chat');
    expect(line).toMatchObject({
      userId: user.id,
      model: 'local',
      ModelCalls: 1,
      InputTokens: body.usage.promptTokens,
      OutputTokens: body.usage.completionTokens,
      TokenCostUSD: 0,
    });
    const model = spans.find((span) => span.name === 'model local');
    expect(model).toMatchObject({ annotations: { model: 'local' }, ended: true });
  });

  test('with tracing off, no callback is added to a run', () => {
    expect(modelCallCallbacks(noTracing)).toEqual([]);
    expect(modelCallCallbacks(tracing)).toHaveLength(1);
  });
});

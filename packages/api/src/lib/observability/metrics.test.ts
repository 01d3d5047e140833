import { describe, expect, test } from 'bun:test';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { captureLogs } from '../../../test/test-deps.ts';
import { createMetrics, METRIC_NAMES, type MetricsOptions } from './metrics.ts';

type Emf = Record<string, unknown> & {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
};

function capture(options: MetricsOptions = {}) {
  const lines: Emf[] = [];
  const metrics = createMetrics({
    namespace: 'Test',
    serviceName: 'api',
    stage: 'local',
    write: (line) => lines.push(JSON.parse(line) as Emf),
    ...options,
  });
  return { metrics, lines };
}

/** A `POST /api/ai/chat` request as the request metrics record it. */
const aiChatRequest = (figures: { status: number; durationMs: number; userId: string }) => ({
  route: '/api/ai/chat',
  method: 'POST',
  ...figures,
});

describe('metrics', () => {
  test('a flush writes one EMF line: the request by route and status class, and every counter', () => {
    const { metrics, lines } = capture();
    metrics.count('coldStart');
    metrics.count('cacheHit');
    metrics.count('cacheHit');
    metrics.count('cacheMiss');
    metrics.count('rateLimited');
    metrics.count('authFailure');
    metrics.request({
      route: '/api/chats/:chatId',
      method: 'GET',
      status: 404,
      durationMs: 12.5,
      requestId: 'r-1',
      userId: 'u-1',
    });
    metrics.flush({ lambdaRequestId: 'aws-1' });
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({
      service: 'api',
      stage: 'local',
      route: '/api/chats/:chatId',
      statusClass: '4xx',
      requestId: 'r-1',
      userId: 'u-1',
      lambdaRequestId: 'aws-1',
      [METRIC_NAMES.requests]: 1,
      [METRIC_NAMES.latency]: 12.5,
      [METRIC_NAMES.coldStart]: 1,
      [METRIC_NAMES.cacheHit]: 2,
      [METRIC_NAMES.cacheMiss]: 1,
      [METRIC_NAMES.rateLimited]: 1,
      [METRIC_NAMES.authFailure]: 1,
    });
    const directive = line?._aws.CloudWatchMetrics[0];
    expect(directive?.Namespace).toBe('Test');
    expect(directive?.Dimensions).toEqual([
      ['service', 'stage'],
      ['service', 'stage', 'route', 'statusClass'],
    ]);
    expect(directive?.Metrics).toContainEqual({ Name: 'Latency', Unit: 'Milliseconds' });
  });

  test('a line of a shape seen before is exactly what Powertools writes for it', () => {
    const raw: string[] = [];
    const metrics = createMetrics({ stage: 'dev', write: (line) => raw.push(line) });
    const figures = (durationMs: number) => {
      metrics.count('cacheMiss');
      metrics.modelCall({ model: 'gpt-4o-mini', inputTokens: 9, outputTokens: 4, costUsd: 0.001 });
      metrics.modelCall({ model: 'local', inputTokens: 2, outputTokens: 1, costUsd: 0 });
      metrics.request(aiChatRequest({ status: 201, durationMs, userId: 'u' }));
      metrics.flush({ lambdaRequestId: 'aws-1' });
    };
    figures(5); // built by Powertools
    figures(5); // the same shape again: the cached directive
    expect(raw).toHaveLength(4);
    const withoutTime = (line: string) => line.replace(/"Timestamp":\d+/, '"Timestamp":0');
    expect(withoutTime(raw[2] ?? '')).toBe(withoutTime(raw[0] ?? ''));
    expect(withoutTime(raw[3] ?? '')).toBe(withoutTime(raw[1] ?? ''));
    // A new value is a new value, the shape is the same.
    figures(7);
    expect(JSON.parse(raw[4] ?? '{}')).toMatchObject({ Latency: 7, route: '/api/ai/chat' });
  });

  test('nothing recorded, nothing written; a flush starts the next line from zero', () => {
    const { metrics, lines } = capture();
    metrics.flush();
    expect(lines).toHaveLength(0);
    metrics.count('cacheHit');
    metrics.flush();
    metrics.request({ route: '/health', method: 'GET', status: 200, durationMs: 1 });
    metrics.flush();
    expect(lines).toHaveLength(2);
    expect(lines[1]).not.toHaveProperty(METRIC_NAMES.cacheHit);
    expect(lines[1]).toMatchObject({ statusClass: '2xx', Requests: 1 });
  });

  test('token usage and cost by model: the first model on the line, each other on its own', () => {
    const { metrics, lines } = capture();
    metrics.modelCall({ model: 'gpt-4o-mini', inputTokens: 100, outputTokens: 20, costUsd: 0.01 });
    metrics.modelCall({ model: 'gpt-4o-mini', inputTokens: 50, outputTokens: 10, costUsd: 0.02 });
    metrics.modelCall({ model: 'local', inputTokens: 5, outputTokens: 5, costUsd: 0 });
    metrics.request(aiChatRequest({ status: 200, durationMs: 900, userId: 'u-2' }));
    metrics.flush();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      model: 'gpt-4o-mini',
      route: '/api/ai/chat',
      ModelCalls: 2,
      InputTokens: 150,
      OutputTokens: 30,
      TokenCostUSD: 0.03,
    });
    expect(lines[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toContainEqual([
      'service',
      'stage',
      'model',
    ]);
    expect(lines[1]).toMatchObject({
      model: 'local',
      ModelCalls: 1,
      InputTokens: 5,
      userId: 'u-2',
    });
    expect(lines[1]).not.toHaveProperty('Requests');
  });

  test('two requests between flushes never share a line', () => {
    const { metrics, lines } = capture();
    metrics.request({ route: '/a', method: 'GET', status: 200, durationMs: 1 });
    metrics.request({ route: '/b', method: 'GET', status: 500, durationMs: 2 });
    metrics.flush();
    expect(lines.map((line) => [line.route, line.statusClass])).toEqual([
      ['/a', '2xx'],
      ['/b', '5xx'],
    ]);
  });

  test('a failing emitter or output never throws: the failure is logged and the next flush works', () => {
    const logs = captureLogs();
    let broken = true;
    const { metrics, lines } = capture({
      logger: logs.logger,
      createEmitter: (options) => {
        const real = new Metrics(options);
        const addMetric = real.addMetric.bind(real);
        real.addMetric = (...args) => {
          if (broken) throw new Error('emitter broke');
          return addMetric(...args);
        };
        return real;
      },
    });
    metrics.request({ route: '/health', method: 'GET', status: 200, durationMs: 1 });
    expect(() => metrics.flush()).not.toThrow();
    expect(lines).toHaveLength(0);
    expect(logs.lines.some((line) => line.message === 'metrics not published')).toBe(true);
    broken = false;
    metrics.request({ route: '/health', method: 'GET', status: 200, durationMs: 1 });
    metrics.flush();
    expect(lines).toHaveLength(1);
    // Nothing of the failed line (its dimension sets) is left behind.
    expect(lines[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toHaveLength(2);

    const failing = createMetrics({
      write: () => {
        throw new Error('stdout closed');
      },
    });
    failing.count('cacheHit');
    expect(() => failing.flush()).not.toThrow();
  });

  test('an emitter that fails to clear is replaced: the next line carries nothing of the failed one', () => {
    const logs = captureLogs();
    let built = 0;
    const { metrics, lines } = capture({
      logger: logs.logger,
      createEmitter: (options) => {
        built += 1;
        const real = new Metrics(options);
        if (built === 1) {
          real.addMetric = () => {
            throw new Error('emitter broke');
          };
          real.clearDimensions = () => {
            throw new Error('clear broke');
          };
        }
        return real;
      },
    });
    metrics.request({ route: '/a', method: 'GET', status: 200, durationMs: 1 });
    expect(() => metrics.flush()).not.toThrow();
    expect(lines).toHaveLength(0);
    metrics.request({ route: '/b', method: 'GET', status: 200, durationMs: 1 });
    metrics.flush();
    expect(built).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.route).toBe('/b');
    expect(lines[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toHaveLength(2);
  });

  test('switched off, metrics record and write nothing', () => {
    const { metrics, lines } = capture({ enabled: false });
    metrics.count('cacheHit');
    metrics.request({ route: '/health', method: 'GET', status: 200, durationMs: 1 });
    metrics.flush();
    expect(metrics.enabled).toBe(false);
    expect(lines).toHaveLength(0);
  });
});

import { describe, expect, test } from 'bun:test';
import type { LambdaContext } from 'hono/aws-lambda';
import { captureLogs } from '../../../test/test-deps.ts';
import { createLogger } from '../logger.ts';
import { instrumentHandler } from './lambda.ts';
import { type AppMetrics, createMetrics } from './metrics.ts';
import { noTracing, type Tracing } from './tracing.ts';

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const context = (awsRequestId: string) => ({ awsRequestId, functionName: 'api' }) as LambdaContext;

function streamingHandler(work: () => Promise<string>) {
  const handler = async (_event: unknown, _stream: unknown, _context: LambdaContext) => work();
  return Object.assign(handler, { [STREAMING]: 'response' });
}

function setup(options: { tracing?: Tracing; metrics?: AppMetrics } = {}) {
  const emf: Array<Record<string, unknown>> = [];
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level: 'debug',
    write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
  });
  const metrics =
    options.metrics ??
    createMetrics({ write: (line) => emf.push(JSON.parse(line) as Record<string, unknown>) });
  return { emf, logs, logger, metrics, tracing: options.tracing ?? noTracing };
}

describe('the instrumented Lambda handler', () => {
  test('keeps the response-streaming mark the runtime looks for', () => {
    const { logger, metrics, tracing } = setup();
    const handler = instrumentHandler(
      streamingHandler(async () => 'ok'),
      { logger, metrics, tracing },
    );
    expect((handler as unknown as Record<symbol, unknown>)[STREAMING]).toBe('response');
  });

  test('writes metrics once per invocation, after the handler, with the cold start on the first', async () => {
    const { emf, logs, logger, metrics, tracing } = setup();
    let invocations = 0;
    const handler = instrumentHandler(
      streamingHandler(async () => {
        invocations += 1;
        logger.info('inside');
        metrics.count('cacheHit');
        // Nothing of this invocation is written before its handler is done.
        expect(emf).toHaveLength(invocations - 1);
        return 'ok';
      }),
      { logger, metrics, tracing },
    );
    await handler({}, {}, context('aws-1'));
    await handler({}, {}, context('aws-2'));
    expect(emf.map((line) => [line.lambdaRequestId, line.ColdStart, line.CacheHits])).toEqual([
      ['aws-1', 1, 1],
      ['aws-2', undefined, 1],
    ]);
    expect(logs.map((line) => [line.lambdaRequestId, line.coldStart])).toEqual([
      ['aws-1', true],
      ['aws-2', false],
    ]);
  });

  test('a tracer and metrics that throw never fail the invocation, which runs once', async () => {
    const throwing = () => {
      throw new Error('observability broke');
    };
    const metrics: AppMetrics = {
      enabled: true,
      count: throwing,
      modelCall: throwing,
      request: throwing,
      flush: throwing,
    };
    const tracing: Tracing = {
      enabled: true,
      start: throwing,
      annotate: throwing,
      invocation: throwing,
    };
    const { logger } = setup();
    let runs = 0;
    const handler = instrumentHandler(
      streamingHandler(async () => `run ${++runs}`),
      { logger, metrics, tracing },
    );
    expect(await handler({}, {}, context('aws-1'))).toBe('run 1');
    expect(runs).toBe(1);
  });

  test('the handler’s own failure still fails the invocation, and its metrics are written', async () => {
    const { emf, logger, metrics, tracing } = setup();
    const handler = instrumentHandler(
      streamingHandler(async () => {
        metrics.count('authFailure');
        throw new Error('handler failed');
      }),
      { logger, metrics, tracing },
    );
    await expect(handler({}, {}, context('aws-1'))).rejects.toThrow('handler failed');
    expect(emf).toHaveLength(1);
  });

  test('logs written through a plain logger (no Lambda context support) still work', async () => {
    const logs = captureLogs();
    const child = logs.logger.child({ requestId: 'r' });
    const { metrics, tracing } = setup();
    const handler = instrumentHandler(
      streamingHandler(async () => 'ok'),
      { logger: child, metrics, tracing },
    );
    expect(await handler({}, {}, context('aws-1'))).toBe('ok');
  });
});

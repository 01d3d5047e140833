import { describe, expect, test } from 'bun:test';
import { S3_TEST_EVENT_BODY, s3NotificationBody, sqsEvent } from '../../../test/sqs-events.ts';
import { captureLogs } from '../../../test/test-deps.ts';
import {
  decodeS3Key,
  OBJECT_CREATED_JOB,
  type ObjectCreatedJob,
  runSqsBatch,
  type SqsBatchOptions,
} from './sqs-batch.ts';
import { JobHandlers, type JobMessage, PermanentJobError } from './types.ts';

const job = (type: string, payload: unknown = {}, id = crypto.randomUUID()): string =>
  JSON.stringify({ id, type, payload, enqueuedAt: new Date().toISOString() } satisfies JobMessage);

function batch(handlers: JobHandlers, options: Partial<SqsBatchOptions> = {}) {
  const logs = captureLogs();
  return {
    logs,
    run: (event: ReturnType<typeof sqsEvent>) =>
      runSqsBatch(event, { handlers, logger: logs.logger, remainingMs: () => 60_000, ...options }),
  };
}

describe('an SQS batch on the worker', () => {
  test('runs each record’s job with attempt = ApproximateReceiveCount', async () => {
    const seen: Array<[unknown, number]> = [];
    const handlers = new JobHandlers().register('echo', async (payload, { attempt }) => {
      seen.push([payload, attempt]);
    });
    const result = await batch(handlers).run(
      sqsEvent([{ body: job('echo', { n: 1 }) }, { body: job('echo', { n: 2 }), receiveCount: 3 }]),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(seen.sort((a, b) => a[1] - b[1])).toEqual([
      [{ n: 1 }, 1],
      [{ n: 2 }, 3],
    ]);
  });

  test('answers only the failed records, each made visible again after its backoff', async () => {
    const delays: Array<[string, number]> = [];
    const handlers = new JobHandlers().register<{ fail: boolean }>('maybe', async ({ fail }) => {
      if (fail) throw new Error('database unavailable');
    });
    const { run, logs } = batch(handlers, {
      retryAfter: async (record, seconds) => {
        delays.push([record.receiptHandle, seconds]);
      },
    });
    const result = await run(
      sqsEvent([
        { body: job('maybe', { fail: false }), messageId: 'ok-1' },
        { body: job('maybe', { fail: true }), messageId: 'bad-1', receiveCount: 2 },
        { body: job('maybe', { fail: false }), messageId: 'ok-2' },
      ]),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad-1' }] });
    expect(delays).toEqual([['receipt-1', 120]]);
    expect(logs.lines.find((line) => line.messageId === 'bad-1')).toMatchObject({
      level: 'warn',
      attempt: 2,
      reason: 'database unavailable',
    });
  });

  test('a failure to set the retry delay still reports the record as failed', async () => {
    const handlers = new JobHandlers().register('broken', async () => {
      throw new Error('transient');
    });
    const result = await batch(handlers, {
      retryAfter: async () => {
        throw new Error('AccessDenied');
      },
    }).run(sqsEvent([{ body: job('broken'), messageId: 'm-1' }]));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
  });

  test('a permanent error, an unknown type and a body that is not a job are acknowledged and logged as errors', async () => {
    let calls = 0;
    const handlers = new JobHandlers().register('hopeless', async () => {
      calls += 1;
      throw new PermanentJobError('the file is not a PDF');
    });
    const { run, logs } = batch(handlers);
    const result = await run(
      sqsEvent([
        { body: job('hopeless'), messageId: 'p-1' },
        { body: job('nobody-handles-this'), messageId: 'p-2' },
        { body: 'not json', messageId: 'p-3' },
        { body: JSON.stringify({ hello: 'world' }), messageId: 'p-4' },
        { body: JSON.stringify({ Records: [{ eventSource: 'aws:sns' }] }), messageId: 'p-5' },
      ]),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toBe(1);
    const failed = logs.lines.filter((line) => line.message === 'job failed for good');
    expect(failed.map((line) => line.messageId).sort()).toEqual([
      'p-1',
      'p-2',
      'p-3',
      'p-4',
      'p-5',
    ]);
    expect(failed.every((line) => line.level === 'error')).toBe(true);
  });

  test('an S3 notification becomes one files.object-created job per object, its key decoded', async () => {
    const seen: Array<{ payload: ObjectCreatedJob; attempt: number }> = [];
    const handlers = new JobHandlers().register<ObjectCreatedJob>(
      OBJECT_CREATED_JOB,
      async (payload, { attempt }) => {
        seen.push({ payload, attempt });
      },
    );
    const body = s3NotificationBody([
      { bucket: 'uploads', key: 'users/u1/f1/My+report+%282026%29.pdf', size: 1305107 },
      { bucket: 'uploads', key: 'users/u1/f2/a%2Bb+%C3%A9t%C3%A9.txt', size: 12 },
    ]);
    const result = await batch(handlers).run(sqsEvent([{ body, receiveCount: 2 }]));
    expect(result.batchItemFailures).toEqual([]);
    expect(seen).toEqual([
      {
        payload: { bucket: 'uploads', key: 'users/u1/f1/My report (2026).pdf', size: 1305107 },
        attempt: 2,
      },
      { payload: { bucket: 'uploads', key: 'users/u1/f2/a+b été.txt', size: 12 }, attempt: 2 },
    ]);
  });

  test('the S3 test event and S3 events other than creations run nothing and are acknowledged', async () => {
    let calls = 0;
    const handlers = new JobHandlers().register(OBJECT_CREATED_JOB, async () => {
      calls += 1;
    });
    const removal = JSON.parse(s3NotificationBody([{ bucket: 'b', key: 'k', size: 0 }]));
    removal.Records[0].eventName = 'ObjectRemoved:Delete';
    const result = await batch(handlers).run(
      sqsEvent([{ body: S3_TEST_EVENT_BODY }, { body: JSON.stringify(removal) }]),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toBe(0);
  });

  test('the jobs’ signal aborts shortly before the invocation runs out of time', async () => {
    let abortedAfter = -1;
    const handlers = new JobHandlers().register('long', async (_payload, { signal }) => {
      const started = Date.now();
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      abortedAfter = Date.now() - started;
      throw signal.reason;
    });
    const result = await batch(handlers, { remainingMs: () => 400, reserveMs: 250 }).run(
      sqsEvent([{ body: job('long'), messageId: 'late' }]),
    );
    expect(abortedAfter).toBeGreaterThanOrEqual(100);
    expect(abortedAfter).toBeLessThan(300);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'late' }]);
  });

  test('an S3 key decodes `+` as a space and percent escapes as UTF-8', () => {
    expect(decodeS3Key('a+b%2Bc%20d')).toBe('a b+c d');
  });
});

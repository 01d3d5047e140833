/**
 * The contract every job queue adapter passes: what `enqueue` accepts reaches the handler of
 * its type as the same JSON job, on its first delivery. The SQS adapter's messages are run as
 * the worker function runs them (lib/queue/sqs-batch.ts), from an SQS event of the documented
 * shape; the in-process queue runs them itself.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { sqsEvent } from '../../../test/sqs-events.ts';
import { captureLogs } from '../../../test/test-deps.ts';
import { createMemoryQueue } from './memory.ts';
import { createSqsQueue } from './sqs.ts';
import { runSqsBatch } from './sqs-batch.ts';
import { JobHandlers, type JobQueue } from './types.ts';

interface Delivery {
  type: string;
  payload: unknown;
  attempt: number;
}

interface Harness {
  queue: JobQueue;
  /** Delivers what was enqueued so far; resolves once `count` deliveries were made. */
  deliver(count: number): Promise<void>;
}

const until = async (check: () => boolean, ms = 2_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

const adapters: Array<[string, (handlers: JobHandlers, seen: Delivery[]) => Harness]> = [
  [
    'memory',
    (handlers, seen) => ({
      queue: createMemoryQueue({ handlers }),
      deliver: (count) => until(() => seen.length >= count),
    }),
  ],
  [
    'sqs',
    (handlers) => ({
      queue: createSqsQueue({
        queueUrl: 'https://sqs.us-east-2.amazonaws.com/123456789012/jobs',
        client: new SQSClient({ region: 'us-east-2' }),
      }),
      async deliver() {
        const bodies = sqs
          .commandCalls(SendMessageCommand)
          .map((call) => ({ body: call.args[0].input.MessageBody ?? '' }));
        const result = await runSqsBatch(sqsEvent(bodies), {
          handlers,
          logger: captureLogs().logger,
          remainingMs: () => 60_000,
        });
        expect(result.batchItemFailures).toEqual([]);
      },
    }),
  ],
];

describe.each(adapters)('the %s job queue (contract)', (kind, make) => {
  test('reports its kind', async () => {
    const { queue } = make(new JobHandlers(), []);
    expect(queue.kind).toBe(kind as JobQueue['kind']);
    await queue.close();
  });

  test('a job reaches its type’s handler as JSON, on delivery 1, under the id enqueue answered', async () => {
    const seen: Delivery[] = [];
    const ids: string[] = [];
    const handlers = new JobHandlers()
      .register('echo', async (payload, { attempt }) => {
        seen.push({ type: 'echo', payload, attempt });
      })
      .register('other', async (payload, { attempt }) => {
        seen.push({ type: 'other', payload, attempt });
      });
    const { queue, deliver } = make(handlers, seen);
    ids.push(await queue.enqueue('echo', { at: new Date(0), list: [1, 'two'], none: undefined }));
    ids.push(await queue.enqueue('other', null, { id: 'chosen-id' }));
    await deliver(2);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).toBe('chosen-id');
    expect(seen.sort((a, b) => a.type.localeCompare(b.type))).toEqual([
      { type: 'echo', payload: { at: '1970-01-01T00:00:00.000Z', list: [1, 'two'] }, attempt: 1 },
      { type: 'other', payload: null, attempt: 1 },
    ]);
    await queue.close();
  });
});

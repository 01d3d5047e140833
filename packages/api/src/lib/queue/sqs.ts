/**
 * The SQS job queue: `enqueue` sends the job as JSON to a standard queue; the worker function
 * (src/worker.ts, lib/queue/sqs-batch.ts) runs it. The SDK ships with the Lambda runtime and
 * stays outside the bundle; it is imported on the first send, so a cold start never pays for it.
 */
import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { EnqueueOptions, JobMessage, JobQueue } from './types.ts';

/** The longest delay SQS accepts on a message (15 minutes). */
export const SQS_MAX_DELAY_SECONDS = 900;

export interface SqsQueueOptions {
  /** The queue's URL (`JOBS_QUEUE_URL`). */
  readonly queueUrl: string;
  /** @default the Lambda's region (AWS_REGION) */
  readonly region?: string;
  /** For tests and custom endpoints. @default a client for `region`, made on first send */
  readonly client?: SQSClient;
}

/** `delayMs` as SQS `DelaySeconds`: rounded up, at most 15 minutes; none for no delay. */
export const delaySeconds = (delayMs: number | undefined): number | undefined =>
  delayMs && delayMs > 0 ? Math.min(Math.ceil(delayMs / 1_000), SQS_MAX_DELAY_SECONDS) : undefined;

type SqsSdk = typeof import('@aws-sdk/client-sqs');

/** The SDK and a client, both made on first use. */
function lazyClient(options: SqsQueueOptions): () => Promise<{ sdk: SqsSdk; client: SQSClient }> {
  let loading: Promise<SqsSdk> | undefined;
  let client = options.client;
  return async () => {
    loading ??= import('@aws-sdk/client-sqs');
    const sdk = await loading;
    client ??= new sdk.SQSClient({ region: options.region });
    return { sdk, client };
  };
}

export function createSqsQueue(options: SqsQueueOptions): JobQueue {
  const connect = lazyClient(options);
  return {
    kind: 'sqs',
    async enqueue<P>(type: string, payload: P, enqueueOptions: EnqueueOptions = {}) {
      const job: JobMessage<P> = {
        id: enqueueOptions.id ?? randomUUID(),
        type,
        payload: payload ?? (null as P),
        enqueuedAt: new Date().toISOString(),
      };
      const { sdk, client } = await connect();
      await client.send(
        new sdk.SendMessageCommand({
          QueueUrl: options.queueUrl,
          MessageBody: JSON.stringify(job),
          DelaySeconds: delaySeconds(enqueueOptions.delayMs),
          MessageAttributes: { jobType: { DataType: 'String', StringValue: type } },
        }),
      );
      return job.id;
    },
    // Nothing runs here: the worker function consumes the queue.
    async close() {},
  };
}

/**
 * For the worker: makes a failed record visible again after `seconds` (at most the SQS limit of
 * 12 hours), its retry backoff, instead of after the queue's visibility timeout.
 */
export function sqsRetryAfter(
  options: SqsQueueOptions,
): (record: { receiptHandle: string }, seconds: number) => Promise<void> {
  const connect = lazyClient(options);
  return async (record, seconds) => {
    const { sdk, client } = await connect();
    await client.send(
      new sdk.ChangeMessageVisibilityCommand({
        QueueUrl: options.queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: Math.max(0, Math.min(Math.round(seconds), 43_200)),
      }),
    );
  };
}

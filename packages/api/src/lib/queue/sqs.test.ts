import { afterEach, describe, expect, test } from 'bun:test';
import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createSqsQueue, delaySeconds, SQS_MAX_DELAY_SECONDS, sqsRetryAfter } from './sqs.ts';

const QUEUE_URL = 'https://sqs.us-east-2.amazonaws.com/123456789012/jobs';
const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());
const client = () => new SQSClient({ region: 'us-east-2' });

describe('the SQS job queue', () => {
  test('sends the job as a JSON body to its queue, its type as a message attribute', async () => {
    const queue = createSqsQueue({ queueUrl: QUEUE_URL, client: client() });
    const id = await queue.enqueue('files.ingest', { fileId: 'f1' });
    const [call] = sqs.commandCalls(SendMessageCommand);
    const input = call?.args[0].input;
    expect(input?.QueueUrl).toBe(QUEUE_URL);
    expect(input?.DelaySeconds).toBeUndefined();
    expect(input?.MessageAttributes?.jobType?.StringValue).toBe('files.ingest');
    const body = JSON.parse(input?.MessageBody ?? '');
    expect(body).toMatchObject({ id, type: 'files.ingest', payload: { fileId: 'f1' } });
    expect(new Date(body.enqueuedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  test('a delay becomes DelaySeconds, rounded up and capped at 15 minutes', async () => {
    const queue = createSqsQueue({ queueUrl: QUEUE_URL, client: client() });
    await queue.enqueue('later', {}, { delayMs: 1_500 });
    await queue.enqueue('much-later', {}, { delayMs: 3_600_000 });
    const delays = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.DelaySeconds);
    expect(delays).toEqual([2, SQS_MAX_DELAY_SECONDS]);
    expect(delaySeconds(0)).toBeUndefined();
    expect(delaySeconds(-5)).toBeUndefined();
  });

  test('a failed send reaches the caller', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('AccessDenied'));
    const queue = createSqsQueue({ queueUrl: QUEUE_URL, client: client() });
    await expect(queue.enqueue('x', {})).rejects.toThrow('AccessDenied');
  });

  test('a retry delay sets the message’s visibility, within the SQS limit of 12 hours', async () => {
    const retryAfter = sqsRetryAfter({ queueUrl: QUEUE_URL, client: client() });
    await retryAfter({ receiptHandle: 'r-1' }, 30);
    await retryAfter({ receiptHandle: 'r-2' }, 100_000);
    const inputs = sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { QueueUrl: QUEUE_URL, ReceiptHandle: 'r-1', VisibilityTimeout: 30 },
      { QueueUrl: QUEUE_URL, ReceiptHandle: 'r-2', VisibilityTimeout: 43_200 },
    ]);
  });
});

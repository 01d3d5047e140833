/** SQS events for the worker, made from the documented samples in fixtures/. */
import s3ObjectCreated from './fixtures/s3-object-created.json';
import s3TestEvent from './fixtures/s3-test-event.json';
import sqsSample from './fixtures/sqs-event.json';

export interface SqsMessageSpec {
  /** The message body (a string as SQS holds it). */
  body: string;
  messageId?: string;
  /** Deliveries so far, this one included. @default 1 */
  receiveCount?: number;
}

const [sampleRecord] = sqsSample.Records;

/** An SQS event as Lambda delivers it, one record per message. */
export function sqsEvent(messages: SqsMessageSpec[]) {
  if (!sampleRecord) throw new Error('fixtures/sqs-event.json holds no record');
  return {
    Records: messages.map((message, index) => ({
      ...sampleRecord,
      messageId: message.messageId ?? `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      receiptHandle: `receipt-${index}`,
      body: message.body,
      attributes: {
        ...sampleRecord.attributes,
        ApproximateReceiveCount: String(message.receiveCount ?? 1),
      },
    })),
  };
}

/** The body S3 sends to the queue when objects are created: one record per object. */
export function s3NotificationBody(objects: Array<{ bucket: string; key: string; size: number }>) {
  const [sample] = s3ObjectCreated.Records;
  if (!sample) throw new Error('fixtures/s3-object-created.json holds no record');
  return JSON.stringify({
    Records: objects.map((object) => ({
      ...sample,
      s3: {
        ...sample.s3,
        bucket: { ...sample.s3.bucket, name: object.bucket, arn: `arn:aws:s3:::${object.bucket}` },
        object: { ...sample.s3.object, key: object.key, size: object.size },
      },
    })),
  });
}

/** The message S3 sends to the queue when a notification is configured. */
export const S3_TEST_EVENT_BODY = JSON.stringify(s3TestEvent);

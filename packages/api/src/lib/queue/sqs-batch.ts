/**
 * One SQS batch on the worker: each record's body becomes jobs (a JobMessage the SQS queue
 * sent, or the S3 event notifications the uploads bucket sends to the same queue), each run
 * by the registered handlers. Failures are reported per record (a partial batch response), so
 * only the failed records come back.
 *
 * A record that can never succeed (a body that is not a job, a PermanentJobError, a type no
 * handler takes) is acknowledged and logged at error level, not returned: a retry would run
 * the same code on the same input to the same end, each time holding a worker for it, and the
 * dead-letter queue then holds only jobs that kept failing for reasons that may pass, which
 * is what its alarm should mean. A failure that may pass is returned after the record's
 * visibility is set to a backoff, so it comes back in seconds rather than after the queue's
 * long visibility timeout; after the queue's maxReceiveCount it goes to the dead-letter queue.
 */
import type { Logger } from '../logger.ts';
import { type JobHandlers, type JobMessage, PermanentJobError } from './types.ts';

/** The job type an S3 `ObjectCreated` notification becomes, one job per object. */
export const OBJECT_CREATED_JOB = 'files.object-created';

/** The payload of an `OBJECT_CREATED_JOB` job. */
export interface ObjectCreatedJob {
  bucket: string;
  /** The object key, decoded (S3 sends it URL-encoded, with `+` for a space). */
  key: string;
  size: number;
}

/** The fields of an SQS record the worker reads (Lambda's SQS event shape). */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: { ApproximateReceiveCount: string; [name: string]: string | undefined };
  eventSourceARN?: string;
}

export interface SqsEvent {
  Records: SqsRecord[];
}

/** Lambda's partial batch response (the event source mapping's `ReportBatchItemFailures`). */
export interface SqsBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

export interface SqsBatchOptions {
  readonly handlers: JobHandlers;
  readonly logger: Logger;
  /** Milliseconds the invocation has left (Lambda's `context.getRemainingTimeInMillis`). */
  readonly remainingMs: () => number;
  /**
   * How long before the invocation runs out the jobs' signal aborts, so a handler can write
   * its final state. At most half the time left. @default 10 s
   */
  readonly reserveMs?: number;
  /**
   * Makes a failed record visible again after `seconds` (SQS `ChangeMessageVisibility`).
   * @default none: the record comes back after the queue's visibility timeout
   */
  readonly retryAfter?: (record: SqsRecord, seconds: number) => Promise<void>;
  /** Seconds before delivery n+1 of a failed record. @default 30 s × 4^(n-1), at most 15 min */
  readonly backoffSeconds?: (attempt: number) => number;
}

const defaultBackoff = (attempt: number) => Math.min(30 * 4 ** (attempt - 1), 900);

/** Why a record cannot become jobs; acknowledged, never retried. */
class MalformedRecordError extends PermanentJobError {}

interface S3EventRecord {
  eventSource?: unknown;
  eventName?: unknown;
  eventTime?: unknown;
  s3?: { bucket?: { name?: unknown }; object?: { key?: unknown; size?: unknown } };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An S3 key as S3 sends it in a notification: URL-encoded, with `+` for a space. */
export const decodeS3Key = (key: string): string => decodeURIComponent(key.replaceAll('+', ' '));

function objectCreatedJob(
  record: S3EventRecord,
  id: string,
): JobMessage<ObjectCreatedJob> | undefined {
  // Only creations are subscribed; anything else from S3 is not work for the worker.
  if (typeof record.eventName !== 'string' || !record.eventName.startsWith('ObjectCreated:')) {
    return undefined;
  }
  const bucket = record.s3?.bucket?.name;
  const key = record.s3?.object?.key;
  const size = record.s3?.object?.size ?? 0;
  if (typeof bucket !== 'string' || typeof key !== 'string' || typeof size !== 'number') {
    throw new MalformedRecordError('An S3 notification without bucket, key or size');
  }
  return {
    id,
    type: OBJECT_CREATED_JOB,
    payload: { bucket, key: decodeS3Key(key), size },
    enqueuedAt: typeof record.eventTime === 'string' ? record.eventTime : new Date().toISOString(),
  };
}

/**
 * The jobs a record's body holds: one JobMessage, one job per S3 object created, or none
 * (the `s3:TestEvent` S3 sends when a notification is configured). Throws MalformedRecordError
 * for anything else.
 */
export function jobsOf(record: Pick<SqsRecord, 'messageId' | 'body'>): JobMessage[] {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new MalformedRecordError('The message body is not JSON');
  }
  if (!isObject(body)) throw new MalformedRecordError('The message body is not a JSON object');
  if (body.Event === 's3:TestEvent' && body.Service === 'Amazon S3') return [];
  if (Array.isArray(body.Records)) {
    const records = body.Records as S3EventRecord[];
    if (!records.every((item) => isObject(item) && item.eventSource === 'aws:s3')) {
      throw new MalformedRecordError('A Records body from a source other than S3');
    }
    // Ids stable across redeliveries of the message, one per object.
    return records.flatMap((item, index) => {
      const job = objectCreatedJob(item, `${record.messageId}:${index}`);
      return job ? [job] : [];
    });
  }
  const { id, type, enqueuedAt } = body;
  if (typeof id !== 'string' || typeof type !== 'string' || typeof enqueuedAt !== 'string') {
    throw new MalformedRecordError('The message body is not a job (id, type, enqueuedAt)');
  }
  return [{ id, type, payload: body.payload ?? null, enqueuedAt }];
}

/** Runs every record of `event` at once; answers the records to deliver again. */
export async function runSqsBatch(
  event: SqsEvent,
  options: SqsBatchOptions,
): Promise<SqsBatchResponse> {
  const { handlers, logger } = options;
  const reserveMs = options.reserveMs ?? 10_000;
  const backoffSeconds = options.backoffSeconds ?? defaultBackoff;
  const remaining = options.remainingMs();
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new Error('The worker invocation is about to time out')),
    Math.max(0, remaining - Math.min(reserveMs, remaining / 2)),
  );

  const runRecord = async (record: SqsRecord): Promise<boolean> => {
    const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
    let job: JobMessage | undefined;
    try {
      for (job of jobsOf(record)) {
        await handlers.run(job, { attempt, signal: deadline.signal });
      }
      return true;
    } catch (error) {
      const fields = {
        messageId: record.messageId,
        jobId: job?.id,
        jobType: job?.type,
        attempt,
        reason: error instanceof Error ? error.message : String(error),
      };
      if (error instanceof PermanentJobError) {
        logger.error('job failed for good', fields);
        return true;
      }
      logger.warn('job failed, to be retried', fields);
      await options.retryAfter?.(record, backoffSeconds(attempt)).catch((cause: unknown) =>
        logger.warn('setting a failed job’s retry delay failed', {
          messageId: record.messageId,
          err: cause,
        }),
      );
      return false;
    }
  };

  try {
    const done = await Promise.all(event.Records.map(runRecord));
    return {
      batchItemFailures: event.Records.filter((_, index) => !done[index]).map((record) => ({
        itemIdentifier: record.messageId,
      })),
    };
  } finally {
    clearTimeout(timer);
  }
}

import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.ts';

export interface JobsQueueProps {
  /**
   * How long a received message stays hidden from other consumers. For a queue feeding a
   * Lambda function, AWS advises at least six times the function's timeout.
   */
  readonly visibilityTimeout: Duration;
  /**
   * Deliveries of a message before it moves to the dead-letter queue.
   * @default 3 - a failure that may pass gets two more tries
   */
  readonly maxReceiveCount?: number;
  /**
   * How long the dead-letter queue keeps a message.
   * @default Duration.days(14) - the SQS maximum: time to investigate and redrive
   */
  readonly deadLetterRetention?: Duration;
}

/**
 * A standard SQS queue for background jobs with its dead-letter queue: both encrypted at rest
 * (SQS-managed keys, which S3 event notifications can also write to) and TLS-only.
 */
export class JobsQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: JobsQueueProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? 3;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1) {
      throw new Error('maxReceiveCount must be a positive integer');
    }
    const visibility = props.visibilityTimeout.toSeconds();
    if (visibility < 1 || visibility > 43_200) {
      throw new Error('visibilityTimeout must be within SQS limits (1 s to 12 h)');
    }
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetention ?? Duration.days(14),
    });
    const deadLetterReason =
      'This queue is itself the dead-letter queue of the job queue (its redrive policy names it); a dead-letter queue needs none of its own.';
    acknowledge(this.deadLetterQueue, 'Serverless-SQSRedrivePolicy', deadLetterReason);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      // A job older than this has been retried into the dead-letter queue long before.
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
  }
}

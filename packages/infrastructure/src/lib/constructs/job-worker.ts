import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.ts';
import { SecureLambda, type SecureLambdaProps } from './secure-lambda.ts';

export interface JobWorkerProps extends Omit<SecureLambdaProps, 'noDeadLetterQueueReason'> {
  /** The queue the worker consumes (its dead-letter queue is the queue's redrive policy). */
  readonly queue: IQueue;
  /**
   * Records per invocation (1-10); the worker runs them at once.
   * @default 1 - one job per invocation
   */
  readonly batchSize?: number;
  /**
   * Concurrent invocations the event source mapping may start (2-1000).
   * @default 2 - the least SQS allows
   */
  readonly maxConcurrency?: number;
}

/**
 * A function that consumes an SQS queue: a SecureLambda (the house defaults) with an event
 * source mapping that reports partial batch failures, so only the records that failed are
 * delivered again, and caps how many invocations run at once.
 */
export class JobWorker extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: JobWorkerProps) {
    super(scope, id);
    const { queue, batchSize = 1, maxConcurrency = 2, ...lambdaProps } = props;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
      throw new Error('batchSize must be 1-10');
    }
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000) {
      throw new Error('maxConcurrency must be 2-1000');
    }
    const worker = new SecureLambda(this, 'Worker', {
      ...lambdaProps,
      noDeadLetterQueueReason:
        'Invoked by an SQS event source mapping: records that fail return to the queue, whose redrive policy moves them to its dead-letter queue.',
    });
    this.function = worker.function;
    this.logGroup = worker.logGroup;
    this.eventSource = new SqsEventSource(queue, {
      batchSize,
      maxConcurrency,
      reportBatchItemFailures: true,
    });
    this.function.addEventSource(this.eventSource);
    const mapping = this.function.node.children.find((child) =>
      child.node.id.startsWith('SqsEventSource:'),
    );
    if (mapping) {
      acknowledge(
        mapping,
        'Serverless-LambdaEventSourceMappingDestination',
        "An SQS event source takes no on-failure destination: the queue's redrive policy moves a record that keeps failing to its dead-letter queue.",
      );
    }
  }
}

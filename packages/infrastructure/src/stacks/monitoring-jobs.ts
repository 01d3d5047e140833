/** The monitoring stack's alarms on background jobs: the queue, its dead letters, the worker. */

import { Duration } from 'aws-cdk-lib';
import { type Alarm, type AlarmProps, ComparisonOperator } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StageConfig } from '../config.ts';

const PERIOD = Duration.minutes(5);

export interface JobsToWatch {
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly worker: IFunction;
}

/** Creates an alarm that notifies the stack's topic (the monitoring stack's own helper). */
export type AlarmFactory = (id: string, description: string, options: AlarmProps) => Alarm;

/**
 * A message in the dead-letter queue failed every delivery; an old message means the worker
 * is not keeping up, or not consuming at all; worker errors are invocations that failed as a
 * whole (a single job's failure is a batch item failure, not a function error).
 */
export function addJobAlarms(alarm: AlarmFactory, jobs: JobsToWatch, config: StageConfig): void {
  alarm('JobsDeadLetters', 'A background job failed every delivery (dead-letter queue)', {
    metric: jobs.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: PERIOD,
      statistic: 'Maximum',
    }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  const maxAge = config.jobs.oldestMessageAgeAlarmSeconds;
  alarm('JobsOldestMessageAge', `A background job waits more than ${maxAge} s in the queue`, {
    metric: jobs.queue.metricApproximateAgeOfOldestMessage({
      period: PERIOD,
      statistic: 'Maximum',
    }),
    threshold: maxAge,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
  });
  alarm('WorkerErrors', 'The worker function fails whole invocations', {
    metric: jobs.worker.metricErrors({ period: PERIOD, statistic: 'Sum' }),
    threshold: config.alarms.errors,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  });
}

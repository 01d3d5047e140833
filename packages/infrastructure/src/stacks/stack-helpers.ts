import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import {
  Alarm,
  type AlarmProps,
  ComparisonOperator,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { StageConfig } from '../config.ts';
import { acknowledge } from '../lib/acknowledge.ts';

const RETENTIONS = Object.values(RetentionDays).filter(
  (value): value is RetentionDays => typeof value === 'number' && value > 0,
);

/** The closest CloudWatch Logs retention at least `days` long. */
export function retentionDays(days: number): RetentionDays {
  const match = RETENTIONS.sort((a, b) => a - b).find((value) => value >= days);
  if (match === undefined) throw new Error(`No log retention of ${days} days or more`);
  return match;
}

/** Logs follow the data policy, except that SNAPSHOT (not valid for logs) keeps them. */
export function logRemovalPolicy(config: StageConfig): RemovalPolicy {
  return config.dataRemovalPolicy === RemovalPolicy.DESTROY
    ? RemovalPolicy.DESTROY
    : RemovalPolicy.RETAIN;
}

/** S3 buckets cannot be snapshotted: staging keeps them. */
export function bucketRemovalPolicy(config: StageConfig): RemovalPolicy {
  return logRemovalPolicy(config);
}

/** A name for physical resources: `<project>-<stage>`. */
export function resourcePrefix(config: StageConfig): string {
  return `${config.project}-${config.stage}`;
}

export interface AlarmTopicProps {
  /** What the topic's alarms watch, in the key's description and the reasons (`alarm`, `edge alarm`). */
  readonly label: string;
  /** Where notifications are emailed. @default - no email subscription */
  readonly alarmEmail?: string;
  /** Every alarm created through `alarm()` is added here. */
  readonly alarms: Alarm[];
}

/** Alarm settings apart from the description, which `alarm()` takes first. */
export type AlarmOptions = Omit<AlarmProps, 'alarmDescription' | 'treatMissingData'>;

export interface AlarmTopic {
  readonly key: Key;
  readonly topic: Topic;
  /** Alarm emails SNS could not deliver (only with an `alarmEmail`). */
  readonly emailDeadLetterQueue?: Queue;
  /** An alarm that notifies the topic when it fires and when it clears; missing data is not breaching. */
  alarm(id: string, description: string, options: AlarmOptions): Alarm;
}

/**
 * A stack's alarm topic: encrypted with a key of its own that CloudWatch may use, and, with an
 * `alarmEmail`, emailed through a subscription whose undeliverable notifications land in a
 * dead-letter queue instead of vanishing (a message there raises its own alarm). Created in `stack` itself, so logical ids stay put.
 */
export function createAlarmTopic(stack: Stack, props: AlarmTopicProps): AlarmTopic {
  const key = new Key(stack, 'AlarmTopicKey', {
    enableKeyRotation: true,
    description: `Encrypts the ${props.label} topic`,
  });
  // CloudWatch must be able to publish to the encrypted topic.
  key.addToResourcePolicy(
    new PolicyStatement({
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  const topic = new Topic(stack, 'AlarmTopic', { masterKey: key, enforceSSL: true });
  let emailDeadLetterQueue: Queue | undefined;
  if (props.alarmEmail) {
    emailDeadLetterQueue = new Queue(stack, 'AlarmEmailDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const reason = `This queue is itself the dead-letter queue of the ${props.label} email subscription (an SNS redrive policy, which the rule does not see); a dead-letter queue needs no dead-letter queue of its own.`;
    acknowledge(emailDeadLetterQueue, 'AwsSolutions-SQS3', reason);
    acknowledge(emailDeadLetterQueue, 'Serverless-SQSRedrivePolicy', reason);
    topic.addSubscription(
      new EmailSubscription(props.alarmEmail, { deadLetterQueue: emailDeadLetterQueue }),
    );
  }
  const action = new SnsAction(topic);
  const alarm: AlarmTopic['alarm'] = (id, description, options) => {
    const created = new Alarm(stack, id, {
      ...options,
      alarmDescription: description,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    created.addAlarmAction(action);
    created.addOkAction(action);
    props.alarms.push(created);
    return created;
  };
  if (emailDeadLetterQueue) {
    alarm('AlarmEmailUndelivered', `An ${props.label} notification could not be emailed`, {
      metric: emailDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }
  return { key, topic, emailDeadLetterQueue, alarm };
}

import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EDGE_REGION, type StageConfig } from '../config.ts';
import { acknowledge } from '../lib/acknowledge.ts';

const PERIOD = Duration.minutes(5);

export interface EdgeMonitoringStackProps extends StackProps {
  readonly config: StageConfig;
  /** The distribution (from the main-region edge stack, through a cross-region reference). */
  readonly distributionId: string;
  /** The CLOUDFRONT-scope web ACL's name. */
  readonly webAclName: string;
}

/**
 * Alarms on what only us-east-1 sees: CloudFront's 5xx rate and origin latency, the
 * Lambda@Edge signer's errors (CloudFront's LambdaExecutionError) and WAF blocked-request
 * spikes. CloudWatch alarms cannot read another region's metrics, so they live here, with
 * their own encrypted topic (and the alarm email, when one is set).
 */
export class EdgeMonitoringStack extends Stack {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly emailDeadLetterQueue?: Queue;

  constructor(scope: Construct, id: string, props: EdgeMonitoringStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    if (this.region !== EDGE_REGION)
      throw new Error(`EdgeMonitoringStack must be in ${EDGE_REGION}`);
    const { config } = props;
    const thresholds = config.alarms;

    const key = new Key(this, 'AlarmTopicKey', {
      enableKeyRotation: true,
      description: 'Encrypts the edge alarm topic',
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
    if (config.alarmEmail) {
      this.emailDeadLetterQueue = new Queue(this, 'AlarmEmailDeadLetters', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      const reason =
        'This queue is itself the dead-letter queue of the edge alarm email subscription (an SNS redrive policy, which the rule does not see); a dead-letter queue needs no dead-letter queue of its own.';
      acknowledge(this.emailDeadLetterQueue, 'AwsSolutions-SQS3', reason);
      acknowledge(this.emailDeadLetterQueue, 'Serverless-SQSRedrivePolicy', reason);
      this.topic.addSubscription(
        new EmailSubscription(config.alarmEmail, { deadLetterQueue: this.emailDeadLetterQueue }),
      );
    }
    const action = new SnsAction(this.topic);
    const alarm = (
      alarmId: string,
      description: string,
      metric: Metric,
      threshold: number,
      periods = 2,
    ) => {
      const created = new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };
    const cloudfront = (metricName: string, statistic: string) =>
      new Metric({
        namespace: 'AWS/CloudFront',
        metricName,
        dimensionsMap: { DistributionId: props.distributionId, Region: 'Global' },
        statistic,
        period: PERIOD,
      });

    alarm(
      'Edge5xxRate',
      `CloudFront answers 5xx to ${thresholds.edge5xxRatePercent}% of requests`,
      cloudfront('5xxErrorRate', 'Average'),
      thresholds.edge5xxRatePercent,
    );
    alarm(
      'OriginLatency',
      `CloudFront's p99 origin latency is above ${thresholds.originLatencyP99Ms} ms`,
      cloudfront('OriginLatency', 'p99'),
      thresholds.originLatencyP99Ms,
      3,
    );
    alarm(
      'EdgeSignerErrors',
      'The Lambda@Edge body signer fails (viewers get 5xx on writes)',
      cloudfront('LambdaExecutionError', 'Sum'),
      1,
      1,
    );
    alarm(
      'WafBlockedSpike',
      `The WAF blocked ${thresholds.wafBlockedRequests}+ requests in 5 minutes (an attack, or a rule blocking real users)`,
      new Metric({
        namespace: 'AWS/WAFV2',
        metricName: 'BlockedRequests',
        dimensionsMap: { WebACL: props.webAclName, Rule: 'ALL' },
        statistic: 'Sum',
        period: PERIOD,
      }),
      thresholds.wafBlockedRequests,
      1,
    );
    if (this.emailDeadLetterQueue) {
      alarm(
        'AlarmEmailUndelivered',
        'An edge alarm notification could not be emailed',
        this.emailDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: PERIOD,
          statistic: 'Maximum',
        }),
        1,
        1,
      );
    }
  }
}

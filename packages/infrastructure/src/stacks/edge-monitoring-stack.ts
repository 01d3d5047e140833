import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { ComparisonOperator, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EDGE_REGION, type StageConfig } from '../config.ts';
import { createAlarmTopic } from './stack-helpers.ts';

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

    const alarms = createAlarmTopic(this, {
      label: 'edge alarm',
      alarmEmail: config.alarmEmail,
      alarms: this.alarms,
    });
    this.topic = alarms.topic;
    this.emailDeadLetterQueue = alarms.emailDeadLetterQueue;
    const alarm = (
      alarmId: string,
      description: string,
      metric: Metric,
      threshold: number,
      periods = 2,
    ) =>
      alarms.alarm(alarmId, description, {
        metric,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
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
  }
}

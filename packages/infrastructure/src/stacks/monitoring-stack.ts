import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import {
  type Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Alias, IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ILogGroup, QueryDefinition } from 'aws-cdk-lib/aws-logs';
import type { DatabaseCluster } from 'aws-cdk-lib/aws-rds';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EDGE_REGION, type StageConfig } from '../config.ts';
import { acknowledge } from '../lib/acknowledge.ts';
import { MonthlyBudget } from '../lib/constructs/monthly-budget.ts';
import { CommittedQueryString, readCommittedQueries } from '../lib/logs-insights.ts';
import { COLD_START_METRIC, metricsNamespace } from './api-stack.ts';
import { addJobAlarms, type JobsToWatch } from './monitoring-jobs.ts';
import { createAlarmTopic } from './stack-helpers.ts';

const PERIOD = Duration.minutes(5);

export interface MonitoringStackProps extends StackProps {
  readonly config: StageConfig;
  readonly apiFunction: IFunction;
  readonly apiAlias: Alias;
  /** The API function's log group, which the saved Logs Insights queries read. */
  readonly apiLogGroup: ILogGroup;
  /**
   * The folder of committed Logs Insights queries (`<name>.query`).
   * @default LOGS_INSIGHTS_FOLDER - ops/logs-insights at the repository root
   */
  readonly queriesFolder?: string;
  /** Deploy-time functions (migration, seed, cache warming): each gets an errors alarm. */
  readonly jobFunctions: Readonly<Record<string, IFunction>>;
  /** The background-job queue, its dead-letter queue and the worker that consumes it. */
  readonly jobs: JobsToWatch;
  readonly cluster: DatabaseCluster;
  readonly proxyName: string;
  readonly cacheNodeIds: readonly string[];
  readonly webAclName: string;
  /** The SES configuration set the app sends through (its reputation metrics). */
  readonly sesConfigurationSetName: string;
  /** Secrets whose rotation failing notifies the topic (the database credentials). */
  readonly rotatedSecretArns: readonly string[];
}

/** The dashboard, and alarms that notify an encrypted SNS topic. */
export class MonitoringStack extends Stack {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  /** Rotation-failure events EventBridge could not deliver to the topic. */
  readonly eventDeadLetterQueue: Queue;
  /** Alarm emails SNS could not deliver (only with an `alarmEmail`). */
  readonly emailDeadLetterQueue?: Queue;
  /** The committed Logs Insights queries, saved in the console under `<project>-<stage>/`. */
  readonly queries: QueryDefinition[];

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config, apiFunction: fn, apiAlias: alias } = props;
    const thresholds = config.alarms;

    const alarms = createAlarmTopic(this, {
      label: 'alarm',
      alarmEmail: config.alarmEmail,
      alarms: this.alarms,
    });
    const { key } = alarms;
    this.topic = alarms.topic;
    this.emailDeadLetterQueue = alarms.emailDeadLetterQueue;

    const urlMetric = (metricName: string, statistic = 'Sum') =>
      alias.metric(metricName, { statistic, period: PERIOD });
    const requests = urlMetric('UrlRequestCount');
    const rate = (metricName: string, id: string, label: string) =>
      new MathExpression({
        expression: `IF(requests > 0, 100 * ${id} / requests, 0)`,
        usingMetrics: { requests, [id]: urlMetric(metricName) },
        label,
        period: PERIOD,
      });
    const serverErrorRate = rate('Url5xxCount', 'server', '5xx rate %');
    const clientErrorRate = rate('Url4xxCount', 'client', '4xx rate %');
    const latency = (stat: string) => urlMetric('UrlRequestLatency', stat);
    const coldStarts = new Metric({
      namespace: metricsNamespace(config),
      metricName: COLD_START_METRIC.metricName,
      statistic: 'Sum',
      period: PERIOD,
    });
    const proxyMetric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/RDS',
        metricName,
        dimensionsMap: { ProxyName: props.proxyName },
        statistic: 'Maximum',
        period: PERIOD,
      });
    const cacheMetric = (metricName: string, nodeId: string) =>
      new Metric({
        namespace: 'AWS/ElastiCache',
        metricName,
        dimensionsMap: { CacheClusterId: nodeId },
        statistic: 'Maximum',
        period: PERIOD,
      });
    const wafBlocked = new Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: props.webAclName, Rule: 'ALL' },
      region: EDGE_REGION,
      statistic: 'Sum',
      period: PERIOD,
    });

    const { alarm } = alarms;

    alarm('Api5xxRate', `5xx responses above ${thresholds.serverErrorRatePercent}% of requests`, {
      metric: serverErrorRate,
      threshold: thresholds.serverErrorRatePercent,
      evaluationPeriods: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    alarm('ApiP99Latency', `p99 latency above ${thresholds.p99LatencyMs} ms`, {
      metric: latency('p99'),
      threshold: thresholds.p99LatencyMs,
      evaluationPeriods: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    alarm('ApiThrottles', 'The API function is throttled', {
      metric: fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
      threshold: thresholds.throttles,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    alarm('ApiErrors', 'The API function reports errors', {
      metric: fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
      threshold: thresholds.errors,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    alarm('DatabaseCpu', `Aurora CPU above ${thresholds.databaseCpuPercent}%`, {
      metric: props.cluster.metricCPUUtilization({ period: PERIOD }),
      threshold: thresholds.databaseCpuPercent,
      evaluationPeriods: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    for (const nodeId of props.cacheNodeIds) {
      alarm(
        `CacheMemory-${nodeId}`,
        `Cache node ${nodeId} memory above ${thresholds.cacheMemoryPercent}%`,
        {
          metric: cacheMetric('DatabaseMemoryUsagePercentage', nodeId),
          threshold: thresholds.cacheMemoryPercent,
          evaluationPeriods: 3,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        },
      );
    }
    alarm(
      'ProxyClientConnections',
      `RDS Proxy client connections at ${thresholds.proxyClientConnections} (near the pool's limit)`,
      {
        metric: proxyMetric('ClientConnections'),
        threshold: thresholds.proxyClientConnections,
        evaluationPeriods: 2,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      },
    );
    alarm(
      'DatabaseAtMaxCapacity',
      `Aurora runs at its maximum of ${config.database.maxCapacityAcu} ACU`,
      {
        metric: props.cluster.metricServerlessDatabaseCapacity({
          period: PERIOD,
          statistic: 'Maximum',
        }),
        threshold: config.database.maxCapacityAcu,
        evaluationPeriods: 3,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      },
    );
    for (const nodeId of props.cacheNodeIds) {
      alarm(`CacheEvictions-${nodeId}`, `Cache node ${nodeId} evicts keys (memory is full)`, {
        metric: new Metric({
          namespace: 'AWS/ElastiCache',
          metricName: 'Evictions',
          dimensionsMap: { CacheClusterId: nodeId },
          statistic: 'Sum',
          period: PERIOD,
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
    }
    const sesMetric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/SES',
        metricName,
        dimensionsMap: { 'ses:configuration-set': props.sesConfigurationSetName },
        statistic: 'Maximum',
        period: Duration.hours(1),
      });
    alarm(
      'SesBounceRate',
      `SES bounce rate at ${thresholds.sesBounceRate * 100}% (AWS reviews at 5%)`,
      {
        metric: sesMetric('Reputation.BounceRate'),
        threshold: thresholds.sesBounceRate,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      },
    );
    alarm(
      'SesComplaintRate',
      `SES complaint rate at ${thresholds.sesComplaintRate * 100}% (AWS reviews at 0.1%)`,
      {
        metric: sesMetric('Reputation.ComplaintRate'),
        threshold: thresholds.sesComplaintRate,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      },
    );
    // A failed rotation is an event, not a metric: Secrets Manager reports it through
    // CloudTrail, and EventBridge forwards it to the alarm topic. What EventBridge cannot
    // deliver lands in a dead-letter queue, itself alarmed.
    this.eventDeadLetterQueue = new Queue(this, 'AlarmEventDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const eventDeadLetterReason =
      'This queue is itself the dead-letter queue of the rotation-failure rule target (an EventBridge dead-letter config, which the rule does not see); it needs no dead-letter queue of its own.';
    acknowledge(this.eventDeadLetterQueue, 'AwsSolutions-SQS3', eventDeadLetterReason);
    acknowledge(this.eventDeadLetterQueue, 'Serverless-SQSRedrivePolicy', eventDeadLetterReason);
    alarm('AlarmEventUndelivered', 'A rotation-failure event could not reach the alarm topic', {
      metric: this.eventDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: PERIOD,
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    this.topic.grantPublish(new ServicePrincipal('events.amazonaws.com'));
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [
          new ServicePrincipal('events.amazonaws.com'),
          new ServicePrincipal('budgets.amazonaws.com'),
        ],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    new Rule(this, 'SecretRotationFailed', {
      description: 'A secret rotation failed: the next connections may be refused',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS Service Event via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['RotationFailed'],
          additionalEventData: { SecretId: [...props.rotatedSecretArns] },
        },
      },
      targets: [new SnsTopic(this.topic, { deadLetterQueue: this.eventDeadLetterQueue })],
    });
    if (thresholds.monthlyBudgetUsd !== undefined) {
      this.topic.grantPublish(new ServicePrincipal('budgets.amazonaws.com'));
      new MonthlyBudget(this, 'MonthlyBudget', {
        budgetName: `${config.project}-${config.stage}-monthly`,
        limitUsd: thresholds.monthlyBudgetUsd,
        environmentTag: config.stage,
        topic: this.topic,
      });
    }
    for (const [name, job] of Object.entries(props.jobFunctions)) {
      alarm(`${name}Errors`, `The ${name} deploy-time function failed`, {
        metric: job.metricErrors({ period: PERIOD, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
    }

    addJobAlarms(alarm, props.jobs, config);

    // Saved in the console's query list, in a folder per stage, each on the API's log group.
    this.queries = readCommittedQueries(props.queriesFolder).map(
      (committed) =>
        new QueryDefinition(this, `Query-${committed.name}`, {
          queryDefinitionName: `${config.project}-${config.stage}/${committed.name}`,
          queryString: new CommittedQueryString(committed.query),
          logGroups: [props.apiLogGroup],
        }),
    );

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${config.project}-${config.stage}`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Requests', left: [requests] }),
      new GraphWidget({ title: 'Error rates (%)', left: [clientErrorRate, serverErrorRate] }),
      new GraphWidget({
        title: 'Latency (ms)',
        left: [latency('p50'), latency('p95'), latency('p99')],
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Throttles and errors',
        left: [fn.metricThrottles({ period: PERIOD }), fn.metricErrors({ period: PERIOD })],
      }),
      new GraphWidget({ title: 'Cold starts', left: [coldStarts] }),
      new GraphWidget({ title: 'WAF blocked requests', left: [wafBlocked] }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'RDS Proxy connections',
        left: [proxyMetric('ClientConnections'), proxyMetric('DatabaseConnections')],
        right: [proxyMetric('DatabaseConnectionsCurrentlySessionPinned')],
      }),
      new GraphWidget({
        title: 'Aurora',
        left: [props.cluster.metricCPUUtilization({ period: PERIOD })],
        right: [props.cluster.metricServerlessDatabaseCapacity({ period: PERIOD })],
      }),
      new GraphWidget({
        title: 'Cache CPU and memory (%)',
        left: props.cacheNodeIds.map((nodeId) => cacheMetric('EngineCPUUtilization', nodeId)),
        right: props.cacheNodeIds.map((nodeId) =>
          cacheMetric('DatabaseMemoryUsagePercentage', nodeId),
        ),
      }),
    );
  }
}

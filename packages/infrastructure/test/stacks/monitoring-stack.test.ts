import { describe, expect, test } from 'bun:test';
import type { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { STAGE_CONFIGS, STAGE_NAMES } from '../../src/config.ts';
import { readCommittedQueries } from '../../src/lib/logs-insights.ts';
import { stageApp, template } from '../helpers/synth.ts';

describe('MonitoringStack', () => {
  const t = () => template(stageApp('prod').stacks.monitoring);

  test('alarms for 5xx rate, p99 latency, throttles, errors, DB CPU and cache memory notify the topic', () => {
    const alarms = Object.values(t().findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties,
    );
    const metricNames = alarms.map(
      (a) =>
        a.MetricName ??
        (a.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[])
          .map((m) => m.MetricStat?.Metric.MetricName)
          .filter(Boolean)
          .join('+'),
    );
    for (const name of [
      'Throttles',
      'Errors',
      'UrlRequestLatency',
      'CPUUtilization',
      'DatabaseMemoryUsagePercentage',
    ]) {
      expect(metricNames).toContain(name);
    }
    expect(metricNames.some((m) => m.includes('Url5xxCount'))).toBe(true);
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
    t().hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'UrlRequestLatency',
      ExtendedStatistic: 'p99',
      Threshold: 3000,
    });
  });

  test('the alarm topic is KMS-encrypted', () => {
    t().hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  test('the dashboard shows requests, latency, cold starts, proxy pinning, cache and WAF', () => {
    const body = JSON.stringify(t().findResources('AWS::CloudWatch::Dashboard'));
    for (const text of [
      'UrlRequestCount',
      'Url4xxCount',
      'Url5xxCount',
      'p50',
      'p95',
      'p99',
      'Throttles',
      'ColdStart',
      'ClientConnections',
      'DatabaseConnections',
      'DatabaseConnectionsCurrentlySessionPinned',
      'EngineCPUUtilization',
      'DatabaseMemoryUsagePercentage',
      'BlockedRequests',
      'us-east-1',
    ]) {
      expect(body).toContain(text);
    }
  });

  test('every alarm notifies the topic on alarm and on recovery, and missing data is not a breach', () => {
    const topic = Object.keys(t().findResources('AWS::SNS::Topic'))[0];
    for (const alarm of Object.values(t().findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topic }]);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
  });

  test('thresholds follow the stage: 5xx above 1% in prod, 5% in dev', () => {
    const threshold = (stage: 'dev' | 'prod') =>
      Object.values(
        template(stageApp(stage).stacks.monitoring).findResources('AWS::CloudWatch::Alarm'),
      ).find((a) => JSON.stringify(a.Properties.Metrics ?? []).includes('Url5xxCount'))?.Properties
        .Threshold;
    expect(threshold('prod')).toBe(1);
    expect(threshold('dev')).toBe(5);
  });

  test('background jobs: any dead letter, an old queued message and worker errors raise alarms', () => {
    const alarms = Object.values(t().findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties,
    );
    const sqs = alarms.filter((a) => a.Namespace === 'AWS/SQS');
    expect(sqs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          AlarmActions: [expect.anything()],
        }),
        expect.objectContaining({
          MetricName: 'ApproximateAgeOfOldestMessage',
          Threshold: STAGE_CONFIGS.prod.jobs.oldestMessageAgeAlarmSeconds,
          AlarmActions: [expect.anything()],
        }),
      ]),
    );
    // The dead-letter alarm watches the job queue's dead-letter queue, not the job queue.
    const deadLetters = sqs.filter((a) => JSON.stringify(a.Dimensions).includes('JobsDeadLetters'));
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const workerErrors = alarms.filter(
      (a) => a.MetricName === 'Errors' && JSON.stringify(a.Dimensions).includes('JobsWorker'),
    );
    expect(workerErrors).toHaveLength(1);
  });

  test('X-Ray: every function of every stack traces actively', () => {
    for (const stack of Object.values(stageApp('prod').stacks)) {
      for (const [id, fn] of Object.entries(
        template(stack).findResources('AWS::Lambda::Function'),
      )) {
        // CDK's own cross-region reference reader is not ours to configure.
        if (id.startsWith('CustomCrossRegion')) continue;
        // Nor is its bucket-notifications handler (one call to S3 on deploy).
        if (id.startsWith('BucketNotificationsHandler')) continue;
        // Lambda@Edge supports no X-Ray active tracing.
        if (id.startsWith('OriginRequestSigner')) continue;
        expect({ id, mode: fn.Properties.TracingConfig?.Mode }).toEqual({ id, mode: 'Active' });
      }
    }
  });

  test('every committed Logs Insights query is saved, verbatim, on the API log group', () => {
    const committed = readCommittedQueries();
    expect(committed.map((q) => q.name)).toEqual(
      expect.arrayContaining([
        'slowest-routes',
        'error-rate-by-route',
        'top-rate-limited-ips',
        'token-cost-by-user',
      ]),
    );
    const saved = Object.values(t().findResources('AWS::Logs::QueryDefinition')).map(
      (q) => q.Properties,
    );
    expect(saved).toHaveLength(committed.length);
    const apiLogGroup = JSON.stringify(
      template(stageApp('prod').stacks.api).findResources('AWS::Logs::LogGroup'),
    );
    for (const query of committed) {
      const definition = saved.find((q) => q.Name === `hono-ai-backend-prod/${query.name}`);
      expect(definition?.QueryString).toBe(query.query);
      expect(definition?.LogGroupNames).toHaveLength(1);
      // A cross-stack reference to the API stack's (only) log group.
      expect(JSON.stringify(definition?.LogGroupNames)).toContain('HonoAiBackend-Prod-Api');
      expect(apiLogGroup).toContain('ApiLogGroup');
    }
  });
});

describe.each(STAGE_NAMES)('alarms where users feel it (%s)', (stage) => {
  const alarmsOf = (stack: Stack) =>
    Object.values(template(stack).findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties as { MetricName?: string; Namespace?: string; Threshold: number },
    );
  const has = (stack: Stack, namespace: string, metricName: string) =>
    alarmsOf(stack).find((a) => a.Namespace === namespace && a.MetricName === metricName);

  test('in us-east-1: CloudFront 5xx rate, origin latency, Lambda@Edge errors, WAF blocked spikes', () => {
    const { edgeMonitoring, edge } = stageApp(stage).stacks;
    expect(edgeMonitoring.region).toBe('us-east-1');
    for (const [namespace, metric] of [
      ['AWS/CloudFront', '5xxErrorRate'],
      ['AWS/CloudFront', 'OriginLatency'],
      ['AWS/CloudFront', 'LambdaExecutionError'],
      ['AWS/WAFV2', 'BlockedRequests'],
    ] as const) {
      expect({ metric, found: Boolean(has(edgeMonitoring, namespace, metric)) }).toEqual({
        metric,
        found: true,
      });
    }
    // Origin latency is one of CloudFront's additional metrics: switched on for the distribution.
    template(edge).hasResourceProperties('AWS::CloudFront::MonitoringSubscription', {
      MonitoringSubscription: {
        RealtimeMetricsSubscriptionConfig: { RealtimeMetricsSubscriptionStatus: 'Enabled' },
      },
    });
    for (const alarm of Object.values(
      template(edgeMonitoring).findResources('AWS::CloudWatch::Alarm'),
    )) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
    }
  });

  test('in the main region: proxy connections, Aurora at max ACU, cache evictions, SES reputation', () => {
    const { monitoring } = stageApp(stage).stacks;
    const config = STAGE_CONFIGS[stage];
    expect(has(monitoring, 'AWS/RDS', 'ClientConnections')?.Threshold).toBe(
      config.alarms.proxyClientConnections,
    );
    expect(has(monitoring, 'AWS/RDS', 'ServerlessDatabaseCapacity')?.Threshold).toBe(
      config.database.maxCapacityAcu,
    );
    const evictions = alarmsOf(monitoring).filter((a) => a.MetricName === 'Evictions');
    expect(evictions).toHaveLength(config.cache.nodes);
    expect(has(monitoring, 'AWS/SES', 'Reputation.BounceRate')?.Threshold).toBe(0.04);
    expect(has(monitoring, 'AWS/SES', 'Reputation.ComplaintRate')).toBeDefined();
  });

  test('a failed secret rotation reaches the alarm topic (EventBridge, with dead letters)', () => {
    const t = template(stageApp(stage).stacks.monitoring);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        source: ['aws.secretsmanager'],
        detail: Match.objectLike({ eventName: ['RotationFailed'] }),
      }),
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue() })],
    });
  });

  test('a monthly budget notifies the topic where the stage sets one (prod)', () => {
    const t = template(stageApp(stage).stacks.monitoring);
    const budget = STAGE_CONFIGS[stage].alarms.monthlyBudgetUsd;
    t.resourceCountIs('AWS::Budgets::Budget', budget === undefined ? 0 : 1);
    if (budget !== undefined) {
      t.hasResourceProperties('AWS::Budgets::Budget', {
        Budget: Match.objectLike({ BudgetLimit: { Amount: budget, Unit: 'USD' } }),
        NotificationsWithSubscribers: Match.arrayWith([
          Match.objectLike({ Subscribers: [Match.objectLike({ SubscriptionType: 'SNS' })] }),
        ]),
      });
    }
  });
});

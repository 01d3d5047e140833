import { describe, expect, test } from 'bun:test';
import { Match } from 'aws-cdk-lib/assertions';
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
      'p99',
      'ColdStart',
      'DatabaseConnectionsCurrentlySessionPinned',
      'EngineCPUUtilization',
      'BlockedRequests',
    ]) {
      expect(body).toContain(text);
    }
  });
});

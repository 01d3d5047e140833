import { describe, expect, test } from 'bun:test';
import { Duration } from 'aws-cdk-lib';
import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { MonitoringAspect } from '../../../src/lib/aspects/monitoring-aspect.ts';
import { testStack } from '../../helpers/synth.ts';
import { findings } from './aspect-helpers.ts';

function monitoredFunction(scope: Construct, withAlarm: boolean, withLogGroup: boolean) {
  const holder = new Construct(scope, 'Holder');
  const logGroup = withLogGroup
    ? new LogGroup(holder, 'LogGroup', { retention: RetentionDays.ONE_WEEK })
    : undefined;
  const fn = new LambdaFunction(holder, 'Fn', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('export const handler = () => {}'),
    logGroup,
  });
  if (withAlarm) {
    new Alarm(scope, 'Errors', {
      metric: fn.metricErrors({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
    });
  }
}

describe('MonitoringAspect', () => {
  test('a function with an alarm and an explicit log group with retention passes', () => {
    const stack = testStack();
    monitoredFunction(stack, true, true);
    expect(findings(stack, new MonitoringAspect()).errors).toEqual([]);
  });

  test('a function without an alarm or log group fails synthesis', () => {
    const stack = testStack();
    monitoredFunction(stack, false, false);
    const errors = findings(stack, new MonitoringAspect()).errors.join();
    expect(errors).toContain('Function has no alarm');
    expect(errors).toContain('explicit log group');
  });
});

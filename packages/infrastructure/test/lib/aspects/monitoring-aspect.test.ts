import { describe, expect, test } from 'bun:test';
import { Duration, type Stack } from 'aws-cdk-lib';
import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  AuroraPostgresEngineVersion,
  ClusterInstance,
  DatabaseCluster,
  DatabaseClusterEngine,
} from 'aws-cdk-lib/aws-rds';
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

  test('a database with an alarm and a retained log group per exported log type passes', () => {
    const stack = testStack();
    monitoredCluster(stack, true);
    expect(findings(stack, new MonitoringAspect()).errors).toEqual([]);
  });

  test('a database without an alarm or with its exported logs kept by RDS unretained fails', () => {
    const stack = testStack();
    monitoredCluster(stack, false);
    const errors = findings(stack, new MonitoringAspect()).errors.join();
    expect(errors).toContain('Database cluster has no alarm');
    expect(errors).toContain('Database postgresql logs need a log group with a retention');
  });
});

function monitoredCluster(scope: Stack, compliant: boolean) {
  const cluster = new DatabaseCluster(scope, 'Db', {
    engine: DatabaseClusterEngine.auroraPostgres({ version: AuroraPostgresEngineVersion.VER_16_6 }),
    clusterIdentifier: 'monitored',
    writer: ClusterInstance.serverlessV2('writer'),
    vpc: new Vpc(scope, 'Vpc', { natGateways: 0 }),
    vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
    storageEncrypted: true,
    cloudwatchLogsExports: ['postgresql'],
  });
  if (!compliant) return;
  new LogGroup(scope, 'PostgresLogs', {
    logGroupName: '/aws/rds/cluster/monitored/postgresql',
    retention: RetentionDays.ONE_WEEK,
  });
  new Alarm(scope, 'Cpu', {
    metric: cluster.metricCPUUtilization(),
    threshold: 80,
    evaluationPeriods: 1,
  });
}

/**
 * Each guarantee of the stage apps must be able to fail: a stage is built, one property is
 * broken the way a careless change would break it, and the house aspects (errors fail
 * `cdk synth`), cdk-nag (a synthesis validation) or a template assertion must object.
 */
import { describe, expect, test } from 'bun:test';
import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Peer, Port } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import type { CfnDBCluster } from 'aws-cdk-lib/aws-rds';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { buildStageApp } from './helpers/synth.ts';

/** Synthesizes `app`: the aspects' error annotations and the nag validation failure, if any. */
function synthFindings(app: App): { errors: string; validation: string } {
  let validation = '';
  try {
    app.synth();
  } catch (error) {
    validation = error instanceof Error ? error.message : String(error);
  }
  const errors = app.node
    .findAll()
    .flatMap((construct) => construct.node.metadata)
    .filter((entry) => entry.type === 'aws:cdk:error')
    .map((entry) => String(entry.data))
    .join('\n');
  return { errors, validation };
}

describe('a broken stage does not synthesize quietly', () => {
  test('the unmodified stage has neither aspect errors nor nag failures', () => {
    expect(synthFindings(buildStageApp('dev').app)).toEqual({ errors: '', validation: '' });
  });

  test('a public bucket', () => {
    const { app, stacks } = buildStageApp('dev');
    (stacks.storage.uploads.node.defaultChild as CfnBucket).publicAccessBlockConfiguration =
      undefined;
    expect(synthFindings(app).errors).toContain(
      '[SecurityAspect] S3 bucket must block all public access',
    );
    expect(() =>
      Template.fromStack(stacks.storage).hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicPolicy: true }),
        LoggingConfiguration: Match.anyValue(),
      }),
    ).toThrow();
  });

  test('a cache without encryption at rest', () => {
    const { app, stacks } = buildStageApp('dev');
    stacks.cache.replicationGroup.atRestEncryptionEnabled = false;
    const { errors } = synthFindings(app);
    expect(errors).toContain('[SecurityAspect] Cache must be encrypted at rest');
    expect(errors).toContain('[ComplianceAspect] Cache must be encrypted at rest and in transit');
    expect(() =>
      Template.fromStack(stacks.cache).hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
        AtRestEncryptionEnabled: true,
      }),
    ).toThrow();
  });

  test('an unencrypted database', () => {
    const { app, stacks } = buildStageApp('dev');
    (stacks.database.database.cluster.node.defaultChild as CfnDBCluster).storageEncrypted = false;
    const { errors, validation } = synthFindings(app);
    expect(errors).toContain('[SecurityAspect] Database cluster storage must be encrypted');
    expect(validation).toContain('AwsSolutions-RDS2');
  });

  test('a missing alarm on the database or on a deploy-time function', () => {
    const { app, stacks } = buildStageApp('dev');
    expect(stacks.monitoring.node.tryRemoveChild('DatabaseCpu')).toBe(true);
    expect(stacks.monitoring.node.tryRemoveChild('DatabaseAtMaxCapacity')).toBe(true);
    expect(stacks.monitoring.node.tryRemoveChild('MigrationErrors')).toBe(true);
    const { errors } = synthFindings(app);
    expect(errors).toContain('[MonitoringAspect] Database cluster has no alarm');
    expect(errors).toContain('[MonitoringAspect] Function has no alarm');
  });

  test('a function log group kept forever', () => {
    const { app, stacks } = buildStageApp('dev');
    const logGroup = stacks.api.node.findChild('Api').node.findChild('LogGroup');
    (logGroup.node.defaultChild as CfnLogGroup).retentionInDays = undefined;
    expect(synthFindings(app).errors).toContain(
      '[MonitoringAspect] Function needs an explicit log group with a retention',
    );
  });

  test('a security group opened to the internet', () => {
    const { app, stacks } = buildStageApp('dev');
    stacks.network.apiSecurityGroup.addIngressRule(Peer.anyIpv4(), Port.tcp(443));
    expect(synthFindings(app).errors).toContain('[SecurityAspect] Security group');
  });

  test('a wildcard IAM permission without a recorded reason', () => {
    const { app, stacks } = buildStageApp('dev');
    stacks.api.function.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:*'], resources: ['arn:aws:s3:::bucket/*'] }),
    );
    const { errors, validation } = synthFindings(app);
    expect(errors).toContain('[SecurityAspect] Wildcard IAM permission Action::s3:*');
    expect(validation).toContain('AwsSolutions-IAM5');
  });
});

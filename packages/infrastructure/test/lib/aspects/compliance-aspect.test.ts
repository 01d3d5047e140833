import { describe, expect, test } from 'bun:test';
import { CfnReplicationGroup } from 'aws-cdk-lib/aws-elasticache';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnDBCluster } from 'aws-cdk-lib/aws-rds';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { ComplianceAspect } from '../../../src/lib/aspects/compliance-aspect.ts';
import { SecureBucket } from '../../../src/lib/constructs/secure-s3.ts';
import { testStack } from '../../helpers/synth.ts';
import { findings } from './aspect-helpers.ts';

describe('ComplianceAspect', () => {
  test('a secure bucket (with its log bucket) and a KMS topic pass', () => {
    const stack = testStack();
    new SecureBucket(stack, 'Data');
    new Topic(stack, 'Topic', { masterKey: new Key(stack, 'Key', { enableKeyRotation: true }) });
    expect(findings(stack, new ComplianceAspect()).errors).toEqual([]);
  });

  test('a bucket without access logs and a plain topic are errors', () => {
    const stack = testStack();
    new Bucket(stack, 'NoLogs');
    new Topic(stack, 'Plain');
    const errors = findings(stack, new ComplianceAspect()).errors.join();
    expect(errors).toContain('server access logs');
    expect(errors).toContain('SNS topic must be encrypted');
  });

  test('a database without log exports or encryption and a cache without logs are errors', () => {
    const stack = testStack();
    new CfnDBCluster(stack, 'Db', { engine: 'aurora-postgresql', storageEncrypted: false });
    new CfnReplicationGroup(stack, 'Cache', {
      replicationGroupDescription: 'c',
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
    });
    const errors = findings(stack, new ComplianceAspect()).errors.join();
    expect(errors).toContain('Database must be encrypted');
    expect(errors).toContain('Database must export its logs');
    expect(errors).toContain('Cache must deliver its logs');
  });

  test('an encrypted database exporting its logs passes', () => {
    const stack = testStack();
    new CfnDBCluster(stack, 'Db', {
      engine: 'aurora-postgresql',
      storageEncrypted: true,
      enableCloudwatchLogsExports: ['postgresql'],
    });
    expect(findings(stack, new ComplianceAspect()).errors).toEqual([]);
  });
});

import { describe, expect, test } from 'bun:test';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SecureLambda } from '../../../src/lib/constructs/secure-lambda.ts';
import { SecureAuroraPostgres } from '../../../src/lib/constructs/secure-rds.ts';
import { SecureBucket } from '../../../src/lib/constructs/secure-s3.ts';
import { SecureVpc } from '../../../src/lib/constructs/secure-vpc.ts';
import { testStack } from '../../helpers/synth.ts';

const ENTRY = new URL('../../../src/lib/custom-resources/cache-warming.handler.ts', import.meta.url)
  .pathname;

describe('SecureLambda', () => {
  test('house defaults: Node 22, ARM64, active tracing, explicit log group with retention', () => {
    const stack = testStack();
    new SecureLambda(stack, 'Fn', {
      entry: ENTRY,
      noDeadLetterQueueReason: 'Invoked synchronously by its only caller in tests.',
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: 512,
      Timeout: 30,
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', LogGroup: Match.anyValue() }),
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('validates its props', () => {
    const stack = testStack();
    expect(
      () => new SecureLambda(stack, 'Js', { entry: '/x.js', noDeadLetterQueueReason: 'x' }),
    ).toThrow('.ts');
    expect(
      () =>
        new SecureLambda(stack, 'Big', {
          entry: ENTRY,
          memorySize: 64,
          noDeadLetterQueueReason: 'x',
        }),
    ).toThrow('memorySize');
  });
});

describe('SecureBucket', () => {
  test('encrypted, versioned, TLS-only, public access blocked, logged to its own log bucket', () => {
    const stack = testStack();
    new SecureBucket(stack, 'Data');
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::S3::Bucket', 2);
    t.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.anyValue(),
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicPolicy: true }),
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: Match.objectLike({ NumericLessThan: { 's3:TlsVersion': 1.2 } }),
          }),
        ]),
      },
    });
  });
});

describe('SecureVpc', () => {
  test('three subnet tiers, flow logs and the NAT count asked for', () => {
    const stack = testStack();
    new SecureVpc(stack, 'Net', { maxAzs: 2, natGateways: 2 });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EC2::NatGateway', 2);
    t.resourceCountIs('AWS::EC2::Subnet', 6);
    t.resourceCountIs('AWS::EC2::FlowLog', 1);
    expect(() => new SecureVpc(testStack(), 'Bad', { maxAzs: 2, natGateways: 3 })).toThrow(
      'natGateways',
    );
  });
});

describe('SecureAuroraPostgres', () => {
  test('encrypted serverless v2 behind a TLS-only proxy; clients admitted one by one', () => {
    const stack = testStack();
    const { vpc } = new SecureVpc(stack, 'Net');
    const db = new SecureAuroraPostgres(stack, 'Db', {
      vpc,
      clusterIdentifier: 'test-db',
      backupRetention: Duration.days(3),
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::RDS::DBCluster', {
      StorageEncrypted: true,
      EnableIAMDatabaseAuthentication: true,
      DeletionProtection: true,
    });
    t.hasResourceProperties('AWS::RDS::DBProxy', { RequireTLS: true });
    expect(db.readerHost).toBeDefined();
    expect(
      () =>
        new SecureAuroraPostgres(testStack(), 'Bad', {
          vpc,
          clusterIdentifier: 'x',
          minCapacity: 8,
          maxCapacity: 2,
        }),
    ).toThrow('capacity');
  });
});

import { describe, expect, test } from 'bun:test';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { JobWorker } from '../../../src/lib/constructs/job-worker.ts';
import { JobsQueue } from '../../../src/lib/constructs/jobs-queue.ts';
import { S3MalwareProtection } from '../../../src/lib/constructs/malware-protection.ts';
import { SecureBucket } from '../../../src/lib/constructs/secure-s3.ts';
import { testStack } from '../../helpers/synth.ts';

const ENTRY = new URL('../../../src/lib/custom-resources/cfn-response.ts', import.meta.url)
  .pathname;

describe('JobsQueue', () => {
  test('encrypted, TLS-only, redriven after maxReceiveCount to a 14-day dead-letter queue', () => {
    const stack = testStack();
    new JobsQueue(stack, 'Jobs', { visibilityTimeout: Duration.minutes(90) });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SQS::Queue', 2);
    t.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 5400,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 3 },
    });
    t.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    const policies = Object.values(t.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"');
    }
  });

  test('refuses a visibility timeout SQS refuses, or no delivery at all', () => {
    expect(
      () => new JobsQueue(testStack(), 'Q', { visibilityTimeout: Duration.hours(13) }),
    ).toThrow('visibilityTimeout');
    expect(
      () =>
        new JobsQueue(testStack(), 'Q', {
          visibilityTimeout: Duration.minutes(5),
          maxReceiveCount: 0,
        }),
    ).toThrow('maxReceiveCount');
  });
});

describe('JobWorker', () => {
  test('an SQS mapping that reports batch item failures, with its batch size and concurrency cap', () => {
    const stack = testStack();
    const queue = new Queue(stack, 'Queue');
    new JobWorker(stack, 'Worker', { entry: ENTRY, queue, batchSize: 4, maxConcurrency: 7 });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 4,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 7 },
    });
    // The mapping's grants: receive, delete and change visibility, on this queue only.
    const actions = Object.values(t.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .flatMap((statement) => [statement.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining([
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
      ]),
    );
  });

  test('refuses a batch size or a concurrency cap SQS mappings refuse', () => {
    const make = (props: { batchSize?: number; maxConcurrency?: number }) => () => {
      const stack = testStack();
      new JobWorker(stack, 'W', { entry: ENTRY, queue: new Queue(stack, 'Q'), ...props });
    };
    expect(make({ batchSize: 11 })).toThrow('batchSize');
    expect(make({ batchSize: 0 })).toThrow('batchSize');
    expect(make({ maxConcurrency: 1 })).toThrow('maxConcurrency');
  });
});

describe('S3MalwareProtection', () => {
  test('a plan on the bucket’s prefixes, tagging results, with a role GuardDuty assumes', () => {
    const stack = testStack();
    const bucket = new Bucket(stack, 'Bucket');
    new S3MalwareProtection(stack, 'Scan', { bucket, objectPrefixes: ['users/'] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::GuardDuty::MalwareProtectionPlan', {
      ProtectedResource: { S3Bucket: { BucketName: Match.anyValue(), ObjectPrefixes: ['users/'] } },
      Actions: { Tagging: { Status: 'ENABLED' } },
      Role: Match.anyValue(),
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'malware-protection-plan.guardduty.amazonaws.com' },
          }),
        ],
      },
    });
    const actions = Object.values(t.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .flatMap((statement) => [statement.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining([
        'events:PutRule',
        's3:PutBucketNotification',
        's3:GetObject',
        's3:PutObjectTagging',
      ]),
    );
    expect(actions).not.toContain('s3:DeleteObject');
  });

  test('refuses more prefixes than GuardDuty scans', () => {
    const stack = testStack();
    const bucket = new Bucket(stack, 'Bucket');
    expect(
      () =>
        new S3MalwareProtection(stack, 'Scan', {
          bucket,
          objectPrefixes: ['a/', 'b/', 'c/', 'd/', 'e/', 'f/'],
        }),
    ).toThrow('at most 5');
  });
});

describe('SecureBucket options for direct uploads', () => {
  test('CORS rules, extra lifecycle rules and the multipart abort age are applied', () => {
    const stack = testStack();
    new SecureBucket(stack, 'Uploads', {
      cors: [{ allowedOrigins: ['https://app.example.test'], allowedMethods: [] }],
      abortIncompleteUploadsAfterDays: 1,
      lifecycleRules: [{ id: 'extra', expiration: Duration.days(3) }],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: {
        CorsRules: [Match.objectLike({ AllowedOrigins: ['https://app.example.test'] })],
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Id: 'housekeeping',
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          }),
          Match.objectLike({ Id: 'extra', ExpirationInDays: 3 }),
        ]),
      },
    });
    expect(
      () => new SecureBucket(testStack(), 'B', { abortIncompleteUploadsAfterDays: 0 }),
    ).toThrow('abortIncompleteUploadsAfterDays');
  });
});

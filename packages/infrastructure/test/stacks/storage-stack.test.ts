import { describe, expect, test } from 'bun:test';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { JOBS_VISIBILITY_TIMEOUT_FACTOR, STAGE_CONFIGS, STAGE_NAMES } from '../../src/config.ts';
import {
  PENDING_UPLOAD_TAG,
  StorageStack,
  UPLOADS_PREFIX,
  uploadOrigins,
} from '../../src/stacks/storage-stack.ts';
import { buildStageApp, stageApp, template, testApp } from '../helpers/synth.ts';

describe('StorageStack', () => {
  test('buckets are encrypted, versioned, private, logged and have lifecycle rules', () => {
    const t = template(stageApp('prod').stacks.storage);
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Status: 'Enabled' })]) },
    });
  });

  test('bucket policies deny non-TLS requests', () => {
    template(stageApp('prod').stacks.storage).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  test('buckets are kept in prod and staging, removed with a dev stack', () => {
    const policies = (stage: 'dev' | 'staging' | 'prod') =>
      new Set(
        Object.values(
          template(stageApp(stage).stacks.storage).findResources('AWS::S3::Bucket'),
        ).map((bucket) => bucket.DeletionPolicy),
      );
    expect(policies('prod')).toEqual(new Set(['Retain']));
    expect(policies('staging')).toEqual(new Set(['Retain']));
    expect(policies('dev')).toEqual(new Set(['Delete']));
  });
});

describe.each(STAGE_NAMES)('StorageStack (%s)', (stage) => {
  test('buckets whose stage destroys data are emptied on delete; the others keep theirs', () => {
    const t = template(stageApp(stage).stacks.storage);
    const destroys = STAGE_CONFIGS[stage].dataRemovalPolicy === RemovalPolicy.DESTROY;
    const buckets = Object.values(t.findResources('AWS::S3::Bucket'));
    expect(buckets.length).toBeGreaterThan(0);
    for (const bucket of buckets) {
      expect(bucket.DeletionPolicy).toBe(destroys ? 'Delete' : 'Retain');
    }
    t.resourceCountIs('Custom::S3AutoDeleteObjects', destroys ? buckets.length : 0);
  });
});

describe('StorageStack: the job queue and the uploads bucket', () => {
  const t = () => template(stageApp('prod').stacks.storage);

  test.each(STAGE_NAMES)(
    '%s: the job queue hides a received message for 6x the worker timeout; its dead letters stay 14 days',
    (stage) => {
      const { jobs } = STAGE_CONFIGS[stage];
      template(stageApp(stage).stacks.storage).hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        VisibilityTimeout: jobs.workerTimeoutSeconds * JOBS_VISIBILITY_TIMEOUT_FACTOR,
        RedrivePolicy: {
          maxReceiveCount: jobs.maxReceiveCount,
          deadLetterTargetArn: Match.anyValue(),
        },
      });
      template(stageApp(stage).stacks.storage).hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 1_209_600,
      });
    },
  );

  test('uploads: CORS for the public origin only (POST uploads, GET downloads), never a wildcard', () => {
    const buckets = Object.values(t().findResources('AWS::S3::Bucket'));
    const withCors = buckets.filter((bucket) => bucket.Properties.CorsConfiguration);
    expect(withCors).toHaveLength(1);
    const [rule] = withCors[0]?.Properties.CorsConfiguration.CorsRules ?? [];
    expect(rule.AllowedOrigins).toEqual(['https://api.example.test']);
    expect(rule.AllowedMethods.sort()).toEqual(['GET', 'HEAD', 'POST']);
    expect(JSON.stringify(rule.AllowedOrigins)).not.toContain('*');
  });

  test('configured extra origins join the public one', () => {
    const built = buildStageApp('dev');
    const config = {
      ...built.config,
      uploads: { ...built.config.uploads, extraAllowedOrigins: ['https://app.example.test'] },
    };
    expect(uploadOrigins(config)).toEqual([built.config.publicUrl, 'https://app.example.test']);
  });

  test('uploads: unfinished multipart uploads go after a day; objects still tagged pending expire', () => {
    t().hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: Match.anyValue(),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
          Match.objectLike({
            Id: 'pending-uploads',
            Prefix: UPLOADS_PREFIX,
            TagFilters: [{ Key: PENDING_UPLOAD_TAG.key, Value: PENDING_UPLOAD_TAG.value }],
            ExpirationInDays: STAGE_CONFIGS.prod.uploads.pendingUploadExpiryDays,
          }),
        ]),
      },
    });
  });

  test('objects created under users/ notify the job queue, which admits S3 from that bucket only', () => {
    t().hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            QueueArn: Match.anyValue(),
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: UPLOADS_PREFIX }] } },
          },
        ],
      },
    });
    const statements = Object.values(t().findResources('AWS::SQS::QueuePolicy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement,
    );
    const fromS3 = statements.filter(
      (statement) => statement.Principal?.Service === 's3.amazonaws.com',
    );
    expect(fromS3).toHaveLength(1);
    expect([fromS3[0].Action].flat()).toContain('sqs:SendMessage');
    expect(fromS3[0].Condition.ArnLike['aws:SourceArn']).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^UploadsBucket/), 'Arn'],
    });
  });

  test('GuardDuty Malware Protection is off unless the stage turns it on', () => {
    for (const stage of STAGE_NAMES) {
      expect(STAGE_CONFIGS[stage].uploads.malwareProtection).toBe(false);
      template(stageApp(stage).stacks.storage).resourceCountIs(
        'AWS::GuardDuty::MalwareProtectionPlan',
        0,
      );
    }
  });

  test('turned on, a plan scans users/ with EventBridge enabled on the bucket, and passes cdk-nag', () => {
    const app = testApp();
    const { config } = buildStageApp('prod');
    const stack = new StorageStack(app, 'Storage', {
      config: { ...config, uploads: { ...config.uploads, malwareProtection: true } },
      env: { account: '123456789012', region: 'eu-west-1' },
    });
    const scanned = Template.fromStack(stack);
    scanned.hasResourceProperties('AWS::GuardDuty::MalwareProtectionPlan', {
      ProtectedResource: { S3Bucket: { ObjectPrefixes: [UPLOADS_PREFIX] } },
    });
    // Kept by CDK's notifications resource, which writes the whole configuration on update.
    scanned.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        EventBridgeConfiguration: Match.anyValue(),
        QueueConfigurations: Match.anyValue(),
      },
    });
    const errors = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack.validateScope(stack).violations.filter((v) => v.severity === 'error'),
    );
    expect(errors.map((v) => v.ruleName)).toEqual([]);
  });
});
